"""Results: what templates/results.html shows of a finished trial, made from its results: facts (issue 20).

view() turns the facts into rows of whole numbers per group, in the groups' order, with the
charts' geometry (charts.py). Texts in results are wordings (see wording.py): the plain words
are shown, with the registry's official words where the template wants them. The template
words every sentence, so all interface text stays in the translation catalogs. WORDING_PATHS are
registered with wording.py, which makes them Wordings and stops a build at plain: TO REWRITE.
"""
from __future__ import annotations

import datetime
import math

from . import charts

REWRITE = "TO REWRITE"
PROPORTIONS = ("people", "percent")
LIMIT = 10 ** 12  # larger numbers are a slip (the schema says so at their line); they are not drawn
# Results texts that are wordings (plain / official / translations); * is any list index or group id.
WORDING_PATHS = (
    ("results", "groups", "*", "name"), ("results", "groups", "*", "description"), ("results", "left", "*", "reason"),
    ("results", "baseline", "age_groups", "*", "name"),
    *(("results", "measures", kind, "*", key) for kind in ("primary", "secondary", "other")
      for key in ("measure", "part", "description", "unit", "time_frame")),
    ("results", "side_effects", "time_frame"), ("results", "side_effects", "most_common", "*", "name"),
)


def _waiting(value) -> bool:
    """plain: TO REWRITE (as written in trial.yaml, or as a wording.Wording)."""
    if isinstance(value, dict):
        return str(value.get("plain", "")).strip().upper() == REWRITE
    return bool(getattr(value, "rewrite", False))


def text(value) -> str:
    """What readers see of a wording: the plain words, else (in the preview) the official ones."""
    if isinstance(value, dict):
        plain = value.get("plain")
        return str(value.get("official") or "") if plain is None or _waiting(value) else str(plain)
    return "" if value is None else str(value)


def _groups(results: dict) -> list[dict]:
    return [g for g in results.get("groups") or [] if isinstance(g, dict) and g.get("id")]


def _per_group(groups: list[dict], values: dict | None) -> list[tuple[dict, object]]:
    """(group, its value) in the groups' order, for the groups that have one."""
    values = values if isinstance(values, dict) else {}
    return [(g, values[g["id"]]) for g in groups if g["id"] in values]


def number(value) -> bool:
    """A number that can be shown and drawn (YAML also has .nan and .inf)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) \
        and abs(value) < LIMIT


def _bar_value(row: dict) -> float:
    """People in 100 for a bar; a rare one keeps its exact share, under 0.5, so that its label
    can say "fewer than 1 in 100"."""
    return 100 * row["part"] / row["whole"] if row.get("rare") else row["per_100"] or 0


def _proportion(part, whole) -> dict:
    """A part of a whole as a reader sees it: the numbers, how many in 100, and its icon array."""
    out = {"part": part, "whole": whole, "per_100": None, "icons": None, "rare": False}
    if number(part) and number(whole) and whole > 0:
        out["per_100"] = int(round(100 * part / whole))
        out["icons"] = charts.icon_array(part, whole)
        # Rounds to 0 in 100 but is not nobody: pages say "fewer than 1 in 100", as 0 reads as nobody.
        out["rare"] = out["per_100"] == 0 and part > 0
    return out


def _measure(kind_of: str, item: dict, groups: list[dict]) -> dict | None:
    if not isinstance(item, dict) or not isinstance(item.get("values"), dict):
        return None
    kind = item.get("kind", "number")
    rows = []
    for group, found in _per_group(groups, item["values"]):
        if not isinstance(found, dict) or not number(found.get("value")):
            continue
        value, analysed = found["value"], found.get("analysed")
        row = {"group": group["name"], "value": value, "analysed": analysed}
        analysed = analysed if number(analysed) else None
        if kind == "people" and analysed:
            row.update(_proportion(value, analysed))
        elif kind == "percent" and 0 <= value <= 100:
            row.update(_proportion(value, 100))
            row["people"] = int(round(value * analysed / 100)) if analysed else None
        rows.append(row)
    if not rows:
        return None
    proportions = kind in PROPORTIONS and all(r.get("icons") for r in rows)
    chart = None
    if not proportions:
        chart = charts.bars([(None, [(text(r["group"]), r["value"]) for r in rows])])
    return {"kind_of": kind_of, "measure": item.get("measure"), "part": item.get("part"), "unit": item.get("unit"),
            "time_frame": item.get("time_frame"), "description": item.get("description"), "kind": kind,
            "proportions": proportions, "rows": rows, "chart": chart}


def _side_effects(block: dict, groups: list[dict]) -> dict | None:
    if not isinstance(block, dict) or not block:
        return None
    summary = []
    for key in ("serious", "other", "deaths"):
        rows = [{"group": g["name"], **_proportion(v.get("affected"), v.get("at_risk"))}
                for g, v in _per_group(groups, block.get(key)) if isinstance(v, dict)]
        if rows:
            summary.append({"key": key, "rows": rows})
    common = []
    for item in block.get("most_common") or []:
        if isinstance(item, dict):
            rows = [{"group": g["name"], **_proportion(v.get("affected"), v.get("at_risk"))}
                    for g, v in _per_group(groups, item.get("people")) if isinstance(v, dict)]
            if rows:
                common.append({"name": item.get("name"), "serious": bool(item.get("serious")), "rows": rows})
    chart = None
    if common:  # each side effect: a bar per group, as people in 100, all on one scale from zero
        chart = charts.bars([(text(c["name"]), [(text(r["group"]), _bar_value(r)) for r in c["rows"]])
                             for c in common])
    table = [{"group": g["name"], "cells": [_cells([g], part["rows"])[0] for part in summary]} for g in groups]
    columns = _having(groups, *(item.get("people") for item in block.get("most_common") or [] if isinstance(item, dict)))
    for item in common:
        item["cells"] = _cells(columns, item["rows"])
    return {"time_frame": block.get("time_frame"), "summary": summary, "table": [r for r in table if any(r["cells"])],
            "common": common, "columns": columns, "chart": chart}


def _cells(groups: list[dict], rows: list[dict]) -> list[dict | None]:
    """A table's cells in the groups' order: each group's row, or None where it has none."""
    by_group = {id(r["group"]): r for r in rows}
    return [by_group.get(id(g["name"])) for g in groups]


def _having(groups: list[dict], *tables) -> list[dict]:
    """The groups that have a number in any of these {group id: ...} tables (a record may report
    some measures in groups of their own, which have no other numbers)."""
    found = {key for table in tables if isinstance(table, dict) for key in table}
    return [g for g in groups if g["id"] in found]


def _people(results: dict, groups: list[dict], enrolled=None) -> dict:
    flow = [g for g in groups if "started" in g or "finished" in g] or groups
    rows = [{"group": g["name"], "started": g.get("started"), "finished": g.get("finished"),
             "left": g["started"] - g["finished"] if isinstance(g.get("started"), int) and isinstance(g.get("finished"), int)
             else None} for g in flow]
    reasons = [item for item in results.get("left") or [] if isinstance(item, dict) and isinstance(item.get("people"), dict)]
    left_groups = _having(groups, *(item["people"] for item in reasons))
    left = [{"reason": item.get("reason"), "counts": [item["people"].get(g["id"]) for g in left_groups]} for item in reasons]
    total = {key: sum(r[key] for r in rows) if rows and all(isinstance(r[key], int) for r in rows) else None
             for key in ("started", "finished", "left")}
    if number(enrolled) and number(total["started"]) and total["started"] > enrolled:
        # A group of a later period (an open-label extension) holds people already counted in
        # the first groups: adding the groups up would count them twice.
        total = dict.fromkeys(total)
    baseline = results.get("baseline") if isinstance(results.get("baseline"), dict) else {}
    age = baseline.get("age") if isinstance(baseline.get("age"), dict) else None
    sexes = baseline.get("sexes") if isinstance(baseline.get("sexes"), dict) else {}
    columns = _having(groups, baseline.get("people"), (age or {}).get("values"), *sexes.values(),
                     *(a.get("people") for a in baseline.get("age_groups") or [] if isinstance(a, dict)),
                     *(c.get("people") for c in baseline.get("countries") or [] if isinstance(c, dict)))
    return {"rows": rows, "total": total, "left": left, "left_groups": left_groups, "baseline_groups": columns,
            "counted": [baseline.get("people", {}).get(g["id"]) for g in columns] if baseline.get("people") else None,
            "age": {"kind": age.get("kind"), "values": [age.get("values", {}).get(g["id"]) for g in columns]} if age else None,
            "sexes": [{"key": key, "counts": [sexes[key].get(g["id"]) for g in columns]}
                      for key in ("female", "male") if isinstance(sexes.get(key), dict)],
            "age_groups": [{"name": a.get("name"), "counts": [a.get("people", {}).get(g["id"]) for g in columns]}
                           for a in baseline.get("age_groups") or [] if isinstance(a, dict)],
            "countries": [{"name": c.get("name"), "counts": [c.get("people", {}).get(g["id"]) for g in columns]}
                          for c in baseline.get("countries") or [] if isinstance(c, dict)]}


def _enrolled(facts: dict):
    """How many people actually took part, as the trial's enrollment says (None if planned or not given)."""
    enrollment = facts.get("enrollment")
    if isinstance(enrollment, dict) and enrollment.get("kind") == "actual":
        return enrollment.get("count")
    return None


def view(facts: dict) -> dict | None:
    """Everything the results part of a trial page shows; None for a trial without results."""
    results = facts.get("results")
    if not isinstance(results, dict):
        return None
    groups = _groups(results)
    measures = results.get("measures") if isinstance(results.get("measures"), dict) else {}
    found = [m for kind_of in ("primary", "secondary", "other") for item in measures.get(kind_of) or []
             for m in [_measure(kind_of, item, groups)] if m]
    try:
        posted = datetime.date.fromisoformat(results.get("posted") or "")
    except (TypeError, ValueError):
        posted = None
    return {"groups": groups, "posted": posted, "people": _people(results, groups, _enrolled(facts)),
            "main": [m for m in found if m["kind_of"] == "primary"],
            "more": [m for m in found if m["kind_of"] != "primary"],
            "side_effects": _side_effects(results.get("side_effects"), groups)}
