"""ClinicalTrials.gov API v2 resultsSection -> the results: facts of trial.yaml (issue 20).

Pure mapping, no files, called from ctgov.py. Numbers are copied as the registry gives them;
every text is the registry's own, as the official side of a wording with `plain: TO REWRITE`,
so nothing here writes plain language. The registry numbers its groups separately in each
module (FG000 in the flow, BG000 in the baseline, ...): groups are matched by their titles.
"""
from __future__ import annotations

import html
import re

from .results import WORDING_PATHS

REWRITE = "TO REWRITE"
SOURCE_KEY = "ctgov"
MOST_COMMON = 10  # side effects by name kept from the record (it may list hundreds)
KINDS = {"COUNT_OF_PARTICIPANTS": "people", "MEAN": "mean", "MEDIAN": "median", "GEOMETRIC_MEAN": "geometric mean",
         "LEAST_SQUARES_MEAN": "least squares mean"}
PERCENT_RE = re.compile(r"percent|%", re.I)
NUMBER_RE = re.compile(r"^\s*-?(\d+(\.\d+)?|\.\d+)\s*$")


def wording(text) -> dict | None:
    """The registry's text as an official wording that still needs plain words."""
    text = _text(text)
    return {"plain": REWRITE, "official": as_read(text)} if text else None


def as_read(text: str) -> str:
    """Registry text as a reader reads it: some records carry HTML entities ("mL&#x2F;min") and
    Markdown escapes ("\\[lyophilized\\]"), which a wording would show as they are."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", html.unescape(text))


def _text(value) -> str | None:
    return " ".join(value.split()) if isinstance(value, str) and value.strip() else None


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def number(value):
    """"97" -> 97, "83.7" -> 83.7; "NA", "" and anything else -> None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str) and NUMBER_RE.match(value):
        text = value.strip()
        return float(text) if "." in text else int(text)
    return None


def _whole(value):
    found = number(value)
    return found if isinstance(found, int) and found >= 0 else None


class Groups:
    """Our groups (arms), found by their titles in every module of the record."""

    def __init__(self, crossover: bool = False):
        self.items: list[dict] = []
        self.by_title: dict[str, str] = {}
        # In a crossover the flow's groups are orders ("Sham Stimulation First"): a result for one
        # treatment ("Sham Stimulation") is everyone's, never one order's.
        self.loose = not crossover

    @staticmethod
    def key(title: str) -> str:
        # "2. Repaglinide" in the flow is "Repaglinide" in the adverse events, and "1 Placebo" is "Placebo";
        # "Finerenone (BAY94-8862) (2.5 mg)" is "Finerenone (BAY94-8862)(2.5 mg)", "3 μg/kg" is "3μg/kg".
        key = re.sub(r"\s+", " ", re.sub(r"^\s*\d+\s*[.)]?\s+", "", title).casefold().strip())
        key = re.sub(r"(\d) (?=(mg|µg|μg|mcg|ng|g|kg|ml|l|iu|%)\b)", r"\1", key)
        return re.sub(r" ?([()\[\],;:/+]) ?", r"\1", key)

    def known(self, key: str, taken: set, loose: bool) -> str | None:
        """The group this title names: the same title, or else (loose) the one group whose title is a
        whole part of it ("Patients Who Received Placebo" is "Placebo"), if only one is."""
        if key in self.by_title:
            return self.by_title[key]
        if not loose:
            return None
        found = {ours for theirs, ours in self.by_title.items() if ours not in taken and
                 (re.search(rf"\b{re.escape(theirs)}\b", key) and self.only_more(theirs, key, ours) or
                  re.search(rf"\b{re.escape(key)}\b", theirs) and self.only_more(key, theirs, ours))}
        return found.pop() if len(found) == 1 else None

    def only_more(self, short: str, long: str, ours: str) -> bool:
        """Whether the longer title only says more about the same group: "Placebo (FAS)" is "Placebo",
        but "Placebo->OL CZP (SS)" is not while another arm is "CZP 200 mg Q2W", nor "1.5 mg or 0.75 mg
        LY2189265" while another is "1.5 mg LY2189265", nor "Sham Stimulation" "Sham Stimulation First"
        while another is "Active Stimulation First"."""
        words = lambda text: set(re.findall(r"\w+(?:\.\w+)*", text))  # noqa: E731
        arms = [g for g in self.items if "started" in g] or self.items  # the flow's groups, if it has any
        more, mine = words(long) - words(short), words(self.key(self.name(ours)))
        return not any(more & (words(self.key(self.name(g["id"]))) - mine) for g in arms if g["id"] != ours)

    def name(self, ours: str) -> str:
        return next(g["name"]["official"] for g in self.items if g["id"] == ours)

    def id_for(self, group: dict, taken: set = frozenset(), loose: bool = False) -> str | None:
        title = _text(group.get("title"))
        if title is None or title.casefold() == "total":
            return None
        key = self.key(title)
        ours = self.known(key, taken, loose)
        if ours and ours not in taken:
            return ours
        shown = re.sub(r"^\s*\d+\s*[.)]?\s+", "", title).casefold()
        base = re.sub(r"[^a-z0-9]+", "_", shown.encode("ascii", "ignore").decode()).strip("_")[:30].strip("_")
        base = base if base[:1].isalpha() else f"group_{base}".strip("_")
        ident, n = base, 2
        while any(g["id"] == ident for g in self.items):
            ident, n = f"{base}_{n}", n + 1
        entry = {"id": ident, "name": wording(title)}
        if _text(group.get("description")):
            entry["description"] = wording(group["description"])
        self.items.append(entry)
        self.by_title.setdefault(key, ident)
        return ident

    def mapping(self, groups) -> dict[str, str]:
        """The record's group ids (FG000, ...) in one module -> our ids; two groups of one module
        are never taken for the same group."""
        found: dict[str, str] = {}
        groups = [g for g in _list(groups) if isinstance(g, dict) and g.get("id")]
        if len(groups) > 2 and re.match(r"total\b", str(groups[-1].get("title", "")).strip(), re.I):
            groups = groups[:-1]  # the baseline's last column adds the groups up ("Total", "Total Title")
        # Titles are matched loosely only when the module has no more groups than are known: six
        # measures per food in one group of people are six groups, not that group six times.
        loose = self.loose and len([g for g in groups if str(g.get("title", "")).strip().casefold() != "total"]) \
            <= len(self.items)
        known = [g["id"] for g in self.items]
        for group in groups:
            title = _text(group.get("title"))
            ours = self.known(self.key(title), set(found.values()), loose) if title else None
            if ours and ours not in found.values():
                found[group["id"]] = ours
        left = [g for g in groups if g["id"] not in found and _text(g.get("title"))]
        free = [g["id"] for g in self.items if g["id"] not in found.values() and "started" in g]
        if len(left) == 1 and len(free) == 1 and len(groups) == len(known):
            # As many groups as known, all but one found by title: the one left is the arm left, if that
            # arm is one of the flow's ("Late Interventions Number of Patients" is "Late Implementation").
            found[left[0]["id"]] = free[0]
            self.by_title.setdefault(self.key(left[0]["title"]), free[0])
        for group in groups:
            ours = found.get(group["id"]) or self.id_for(group, set(found.values()))
            if ours:
                found[group["id"]] = ours
        return found


def results(study: dict, warnings: list[str]) -> dict | None:
    section = _dict(study.get("resultsSection"))
    if not section:
        return None
    design = _dict(_dict(_dict(study.get("protocolSection")).get("designModule")).get("designInfo"))
    groups = Groups(crossover=design.get("interventionModel") == "CROSSOVER")
    out: dict = {}
    posted = _dict(_dict(_dict(study.get("protocolSection")).get("statusModule")).get("resultsFirstPostDateStruct"))
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(posted.get("date", ""))):
        out["posted"] = posted["date"]
    left = _flow(_dict(section.get("participantFlowModule")), groups)
    baseline = _baseline(_dict(section.get("baselineCharacteristicsModule")), groups)
    measures = _measures(_dict(section.get("outcomeMeasuresModule")), groups, warnings)
    side_effects = _side_effects(_dict(section.get("adverseEventsModule")), groups)
    if not groups.items:
        warnings.append("the record has results but names no groups; results were left out.")
        return None
    out["groups"] = groups.items
    for key, value in (("left", left), ("baseline", baseline), ("measures", measures), ("side_effects", side_effects)):
        if value:
            out[key] = value
    return out


def _flow(module: dict, groups: Groups) -> list:
    ids = groups.mapping(module.get("groups"))
    periods = [p for p in _list(module.get("periods")) if isinstance(p, dict)]
    # Several periods: each group starts in the first period it has people in, and finishes in the
    # last. In a crossover that is the first and the last period; a group that only exists in a
    # later period (an open-label extension) has 0 in the others, which would read as 0 started.
    spans: dict[str, list] = {}
    for index, p in enumerate(periods):
        for got in _milestone(p, "STARTED"):
            if ids.get(got.get("groupId")) and _whole(got.get("numSubjects")):
                spans.setdefault(got["groupId"], []).append(index)
    for index, p in enumerate(periods):
        for milestone, field, pick in (("STARTED", "started", min), ("COMPLETED", "finished", max)):
            for got in _milestone(p, milestone):
                span = spans.get(got.get("groupId"), [0, len(periods) - 1])
                if index == pick(span):
                    _put_group_number(groups, ids, got, "numSubjects", field)
    reasons: dict[str, dict] = {}
    for p in periods:
        for drop in _list(p.get("dropWithdraws")):
            if not isinstance(drop, dict) or not _text(drop.get("type")):
                continue
            counts = reasons.setdefault(_text(drop["type"]), {})
            for reason in _list(drop.get("reasons")):
                if isinstance(reason, dict) and ids.get(reason.get("groupId")) and _whole(reason.get("numSubjects")) is not None:
                    ours = ids[reason["groupId"]]
                    counts[ours] = counts.get(ours, 0) + _whole(reason["numSubjects"])
    return [{"reason": wording(reason), "people": counts} for reason, counts in reasons.items() if counts]


def _milestone(period: dict, kind: str) -> list[dict]:
    """The achievements (a number for each group) of one milestone of a period."""
    return [got for stone in _list(period.get("milestones")) if isinstance(stone, dict) and stone.get("type") == kind
            for got in _list(stone.get("achievements")) if isinstance(got, dict)]


def _put_group_number(groups: Groups, ids: dict, item, key: str, field: str) -> None:
    if isinstance(item, dict) and ids.get(item.get("groupId")) and _whole(item.get(key)) is not None:
        entry = next(g for g in groups.items if g["id"] == ids[item["groupId"]])
        entry[field] = _whole(item[key])


def _participants(denoms, ids: dict) -> dict:
    """How many people each group's numbers count (denoms in units of participants)."""
    for denom in _list(denoms):
        if isinstance(denom, dict) and str(denom.get("units", "")).casefold() == "participants":
            return {ids[c["groupId"]]: _whole(c.get("value")) for c in _list(denom.get("counts"))
                    if isinstance(c, dict) and ids.get(c.get("groupId")) and _whole(c.get("value")) is not None}
    return {}


def _rows(measure: dict):
    """(part title or None, class denoms, measurements) for every row of a measure."""
    classes = [c for c in _list(measure.get("classes")) if isinstance(c, dict)]
    for cls in classes:
        for category in _list(cls.get("categories")):
            if not isinstance(category, dict):
                continue
            part = " – ".join(t for t in (_text(cls.get("title")), _text(category.get("title"))) if t) or None
            yield part, cls.get("denoms"), _list(category.get("measurements"))


def _baseline(module: dict, groups: Groups) -> dict:
    ids = groups.mapping(module.get("groups"))
    out: dict = {}
    people = _participants(module.get("denoms"), ids)
    if people:
        out["people"] = people
    for measure in _list(module.get("measures")):
        if not isinstance(measure, dict):
            continue
        title = (_text(measure.get("title")) or "").casefold()
        rows = list(_rows(measure))
        counts = measure.get("paramType") == "COUNT_OF_PARTICIPANTS"
        if title.startswith("age") and measure.get("paramType") in ("MEAN", "MEDIAN") and \
                "year" in str(measure.get("unitOfMeasure", "")).casefold() and rows:
            values = _values(rows[0][2], ids, "value", number)
            if values and all(v >= 0 for v in values.values()):
                out["age"] = {"kind": measure["paramType"].lower(), "values": values}
        elif title.startswith("age") and counts:
            bands = [{"name": wording(part), "people": _values(found, ids, "value", _whole)} for part, _, found in rows if part]
            out["age_groups"] = [b for b in bands if b["people"]]
        elif title.startswith("sex") and counts:
            sexes = {part.casefold(): _values(found, ids, "value", _whole) for part, _, found in rows if part}
            out["sexes"] = {k: v for k, v in sexes.items() if k in ("female", "male") and v}
        elif title.startswith("region of enrollment") and counts:
            countries = [{"name": part.split(" – ")[-1], "people": _values(found, ids, "value", _whole)}
                         for part, _, found in rows if part]
            out["countries"] = [c for c in countries if c["people"]]
    return {k: v for k, v in out.items() if v}


def _values(measurements, ids: dict, key: str, convert) -> dict:
    return {ids[m["groupId"]]: convert(m.get(key)) for m in _list(measurements)
            if isinstance(m, dict) and ids.get(m.get("groupId")) and convert(m.get(key)) is not None}


def _measures(module: dict, groups: Groups, warnings: list[str]) -> dict:
    out: dict = {}
    for measure in _list(module.get("outcomeMeasures")):
        if not isinstance(measure, dict) or not _text(measure.get("title")):
            continue
        kind_of = {"PRIMARY": "primary", "SECONDARY": "secondary"}.get(measure.get("type"), "other")
        ids = groups.mapping(measure.get("groups"))
        kind = KINDS.get(measure.get("paramType"), "number")
        if kind == "number" and PERCENT_RE.search(str(measure.get("unitOfMeasure", ""))):
            kind = "percent"
        rows, described = list(_rows(measure)), False
        for part, class_denoms, found in rows:
            analysed = _participants(class_denoms, ids) or _participants(measure.get("denoms"), ids)
            values = {}
            for gid, value in _values(found, ids, "value", number).items():
                values[gid] = {"value": value, **({"analysed": analysed[gid]} if gid in analysed else {})}
            if not values:
                continue
            entry = {"measure": wording(measure["title"]), "part": wording(part) if len(rows) > 1 else None,
                     # a measure split into parts explains itself once, above its first part
                     "description": None if described else wording(measure.get("description")),
                     "unit": wording(measure.get("unitOfMeasure")),
                     "kind": kind, "time_frame": wording(measure.get("timeFrame")), "values": values}
            out.setdefault(kind_of, []).append({k: v for k, v in entry.items() if v is not None})
            described = True
        if not any(True for _, _, found in rows if _values(found, ids, "value", number)):
            warnings.append(f'the result "{_text(measure["title"])}" has no numbers trialsite can read; it was left out.')
    return out


def _affected(group: dict, prefix: str) -> dict | None:
    affected, at_risk = _whole(group.get(f"{prefix}NumAffected")), _whole(group.get(f"{prefix}NumAtRisk"))
    # 0 at risk: nobody was counted ("adverse events were not monitored"), so there is no number to show.
    return {"affected": affected, "at_risk": at_risk} if affected is not None and at_risk else None


def _side_effects(module: dict, groups: Groups) -> dict:
    if not module:
        return {}
    ids = groups.mapping(module.get("eventGroups"))
    out: dict = {"time_frame": wording(module.get("timeFrame"))}
    for ours, prefix in (("serious", "serious"), ("other", "other"), ("deaths", "deaths")):
        found = {ids[g["id"]]: _affected(g, prefix) for g in _list(module.get("eventGroups"))
                 if isinstance(g, dict) and ids.get(g.get("id")) and _affected(g, prefix)}
        if found:
            out[ours] = found
    events = []
    for serious, key in ((True, "seriousEvents"), (False, "otherEvents")):
        for event in _list(module.get(key)):
            if not isinstance(event, dict) or not _text(event.get("term")):
                continue
            people = {ids[s["groupId"]]: {"affected": _whole(s.get("numAffected")), "at_risk": _whole(s.get("numAtRisk"))}
                      for s in _list(event.get("stats")) if isinstance(s, dict) and ids.get(s.get("groupId"))
                      and _whole(s.get("numAffected")) is not None and _whole(s.get("numAtRisk"))}
            if people:
                events.append({"name": wording(event["term"]), "serious": serious, "people": people})
    # The most common first (people affected in all groups); the record's order breaks ties.
    events.sort(key=lambda e: -sum(p["affected"] for p in e["people"].values()))
    if events:
        out["most_common"] = events[:MOST_COMMON]
    return {k: v for k, v in out.items() if v}


def keep_editor_words(old, new: dict) -> dict:
    """On re-import: the plain words and translations the editor wrote for a results wording are
    kept wherever the record's official words at the same kind of place are still the same."""
    def places(value, pattern, found):
        if not pattern:
            found.append(value)
        elif pattern[0] == "*":
            for item in (value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()):
                places(item, pattern[1:], found)
        elif isinstance(value, dict) and pattern[0] in value:
            places(value[pattern[0]], pattern[1:], found)
        return found

    for pattern in WORDING_PATHS:
        mine = {w["official"]: {k: v for k, v in w.items() if k != "official"}
                for w in places({"results": old}, pattern, []) if isinstance(w, dict) and w.get("official")
                and str(w.get("plain", "")).strip().upper() != REWRITE}
        for w in places({"results": new}, pattern, []):
            if isinstance(w, dict) and w.get("official") in mine:
                w.update(mine[w["official"]])
    return new

