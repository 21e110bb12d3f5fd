"""Annex V: does a finished trial's page hold every part of a lay summary of results? (issue 20)

EU Regulation 536/2014, Annex V, lists ten elements a summary of results for laypersons must
have. Some come from trial.yaml (the page shows them from the facts); the others need a
section that says which element it covers, with `annex_v: 6` (or `[6, 7]`) in its front
matter. `check` lists each element as present or missing for every trial with results:, and
warns about any number typed by hand in results text that matches no fact.
"""
from __future__ import annotations

import math
import re

from .diagnostics import INFO, WARNING, Report

# Element -> (what it is, in the editor's words; the file name a new section for it could have).
ELEMENTS = {
    1: ("the trial's name and numbers", "01-the-trial.md"),
    2: ("who ran the trial, and how to contact them", "02-who-ran-it.md"),
    3: ("where and when it took place, its main aims and why it was done", "03-why.md"),
    4: ("the people who took part: how many, ages, sexes, who could join", "04-who-took-part.md"),
    5: ("the treatments used", "05-treatments.md"),
    6: ("side effects and how often they happened", "06-side-effects.md"),
    7: ("the overall results", "07-results.md"),
    8: ("comments on the outcome", "08-what-it-means.md"),
    9: ("whether more trials are planned", "09-next.md"),
    10: ("where to find more information", "10-learn-more.md"),
}
FROM_FACTS = {  # what in trial.yaml covers an element on its own (the page shows it from the facts)
    1: "title: and registrations:", 2: "sponsor: and contacts: (or the sponsor's url:)",
    4: "results.groups with started: numbers, and results.baseline", 5: "interventions:",
    6: "results.side_effects", 7: "results.measures", 10: "registrations: with a url:",
}
# Each element's findings written out, so they can be translated whole (i18n.extract lists them).
PRESENT = {n: f"Annex V part {n:02d} ({what}): in %(where)s." for n, (what, _) in ELEMENTS.items()}
MISSING = {n: f"Annex V part {n:02d} ({what}) is missing from this summary of results. Add a section, for "
              f"example %(file)s, with annex_v: {n} in its front matter"
              + (f" or add {FROM_FACTS[n]} to trial.yaml." if n in FROM_FACTS else ".")
           for n, (what, _) in ELEMENTS.items()}
RESULTS_PROSE = {4, 6, 7, 8}  # sections covering these are results text: their numbers must match facts
NUMBER_RE = re.compile(r"(?<![\w.,-])\d+(?:[.,]\d+)?(?![\w])")
HIDDEN_RE = re.compile(r"\{\{.*?\}\}|\[@[^\]]*\]|\]\([^)]*\)|`[^`]*`")  # facts, citations, link targets, code


def covered(value, path: str, line: int, report: Report) -> tuple[int, ...]:
    """The annex_v: front-matter value as element numbers; a wrong value is an error at its line."""
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    if not items or any(isinstance(i, bool) or not isinstance(i, int) or not 1 <= i <= 10 for i in items):
        report.error(path, line, f"annex_v: must be a number from 1 to 10, or a list of them like [6, 7], got "
                     f"{value!r}. It says which part of a summary of results this section is (see the README).",
                     code="results.annex-v")
        return ()
    return tuple(sorted(set(items)))


def _from_facts(facts: dict) -> set[int]:
    results = facts.get("results") if isinstance(facts.get("results"), dict) else {}
    regs = [r for r in facts.get("registrations") or [] if isinstance(r, dict)]
    groups = [g for g in results.get("groups") or [] if isinstance(g, dict)]
    sponsor = facts.get("sponsor") if isinstance(facts.get("sponsor"), dict) else {}
    present = {
        1: bool(facts.get("title") and regs), 2: bool(sponsor.get("name") and (facts.get("contacts") or sponsor.get("url"))),
        4: bool(groups and all("started" in g for g in groups) and results.get("baseline")),
        5: bool(facts.get("interventions")), 6: bool(results.get("side_effects")), 7: bool(results.get("measures")),
        10: any(r.get("url") for r in regs),
    }
    return {n for n, yes in present.items() if yes}


def check(trial, report: Report) -> None:
    """For a trial with results: each Annex V element, present (information) or missing (a warning),
    and numbers in results text that match no fact."""
    if not isinstance(trial.facts.get("results"), dict):
        return
    check_elements(trial, report)
    check_numbers(trial, report)


def check_elements(trial, report: Report) -> None:
    folder = trial.path.rsplit("/", 1)[0] + "/"
    line = trial.yaml.line("results")
    facts = _from_facts(trial.facts)
    for number, (_, filename) in ELEMENTS.items():
        sections = [s.path.removeprefix(folder) for s in trial.sections if number in getattr(s, "covers", ())]
        if sections or number in facts:
            where = ", ".join(sections) if sections else f"trial.yaml ({FROM_FACTS[number]})"
            report.say("plain.annex-v", INFO, trial.path, line, PRESENT[number], where=where)
        else:
            report.say("plain.annex-v", WARNING, trial.path, line, MISSING[number],
                       file=f"{folder}sections/{filename}")


def known_numbers(facts: dict) -> set[float]:
    """Every number trial.yaml holds (also inside its texts, like "week 16"), and the ones a reader
    may be told from them: rounded values, percentages of people, totals over the groups."""
    found: set[float] = {100.0, 1000.0}
    pairs: list[tuple[float, float]] = []  # (part, whole) for percentages

    def walk(value):
        if isinstance(value, bool):
            return
        if isinstance(value, (int, float)) and math.isfinite(value):
            found.update({float(value), float(round(value))})
        elif isinstance(value, str):
            found.update(float(n.replace(",", ".")) for n in NUMBER_RE.findall(value))
        elif isinstance(value, dict):
            if {"affected", "at_risk"} <= set(value) or {"value", "analysed"} <= set(value):
                part, whole = value.get("affected", value.get("value")), value.get("at_risk", value.get("analysed"))
                if all(isinstance(n, (int, float)) and math.isfinite(n) for n in (part, whole)) and whole:
                    pairs.append((part, whole))
            for item in value.values():
                walk(item)
            numbers = [v for v in value.values() if isinstance(v, int) and not isinstance(v, bool)]
            if len(numbers) > 1:  # a number per group: their total
                found.add(float(sum(numbers)))
        elif isinstance(value, list):
            for item in value:
                walk(item)
            for key in ("started", "finished"):
                total = [g.get(key) for g in value if isinstance(g, dict) and isinstance(g.get(key), int)]
                if len(total) > 1:
                    found.add(float(sum(total)))

    walk({k: v for k, v in facts.items() if k != "sources"})
    for part, whole in pairs:
        found.update({float(round(100 * part / whole)), round(100 * part / whole, 1)})
    return found


def check_numbers(trial, report: Report) -> None:
    """A number typed by hand in results text (sections with annex_v: 4, 6, 7 or 8) that no fact holds."""
    known = None
    for section in trial.sections:
        if not RESULTS_PROSE & set(getattr(section, "covers", ())):
            continue
        for offset, text in enumerate(section.body.split("\n")):
            for match in NUMBER_RE.finditer(HIDDEN_RE.sub(" ", text)):
                known = known_numbers(trial.facts) if known is None else known
                if float(match.group(0).replace(",", ".")) not in known:
                    report.say("plain.results-number", WARNING, section.path, section.body_line + offset,
                               "the number %(number)s in this results text matches no fact in trial.yaml. Show "
                               "the fact instead, like {{ trial.results.groups[0].started }}, or check the number.",
                               number=match.group(0))
