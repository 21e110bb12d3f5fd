"""Results facts: do the numbers under results: fit together? (issue 20)

The schema checks each number on its own; this checks them against each other, where a slip
would otherwise pass silently: a number written under a group id that does not exist (it would
never be shown), two groups with one id, more people finishing than started, more people with a
side effect than were at risk, a percent above 100. Each is an error at its line in trial.yaml.
"""
from __future__ import annotations

from .diagnostics import Report, did_you_mean, dotted
from .yamlfile import YamlFile

# Maps whose keys are group ids; "*" is any list index or key.
BY_GROUP = (
    ("left", "*", "people"), ("baseline", "people"), ("baseline", "age", "values"),
    ("baseline", "age_groups", "*", "people"), ("baseline", "sexes", "*"), ("baseline", "countries", "*", "people"),
    ("measures", "*", "*", "values"), ("side_effects", "serious"), ("side_effects", "other"),
    ("side_effects", "deaths"), ("side_effects", "most_common", "*", "people"),
)


def _count(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _walk(value, pattern: tuple, path: tuple):
    """(path, value) of every place that matches pattern under value."""
    if not pattern:
        yield path, value
        return
    head, rest = pattern[0], pattern[1:]
    if isinstance(value, dict):
        keys = value if head == "*" else [head] if head in value else []
        for key in keys:
            yield from _walk(value[key], rest, path + (key,))
    elif isinstance(value, list) and head == "*":
        for index, item in enumerate(value):
            yield from _walk(item, rest, path + (index,))


def check(doc: YamlFile, report: Report) -> None:
    """Report results numbers that contradict each other or name no group, at their lines."""
    results = doc.data.get("results") if isinstance(doc.data, dict) else None
    if not isinstance(results, dict):
        return
    ids = _group_ids(results, doc, report)
    if ids:
        for pattern in BY_GROUP:
            for path, values in _walk(results, pattern, ("results",)):
                if isinstance(values, dict):
                    _known_groups(values, path, ids, doc, report)
    _sums(results, doc, report)


def _group_ids(results: dict, doc: YamlFile, report: Report) -> list[str]:
    ids: list[str] = []
    groups = results.get("groups")
    for index, group in enumerate(groups if isinstance(groups, list) else []):
        if not isinstance(group, dict) or not isinstance(group.get("id"), str):
            continue
        group_id = group["id"]
        if group_id in ids:
            report.error(doc.path, doc.line("results", "groups", index, "id"),
                         f'two groups have the id "{group_id}" (the first is results.groups[{ids.index(group_id)}]). '
                         "Give each group its own id.", code="results.group-id")
        ids.append(group_id)
        started, finished = group.get("started"), group.get("finished")
        if _count(started) and _count(finished) and finished > started:
            report.error(doc.path, doc.line("results", "groups", index, "finished"),
                         f"results.groups[{index}] says {finished} people finished but only {started} started. "
                         "Check both numbers against the record.", code="results.numbers")
    return ids


def _known_groups(values: dict, path: tuple, ids: list[str], doc: YamlFile, report: Report) -> None:
    for key in values:
        if key not in ids:
            hint = did_you_mean(key, ids) or " Use one of the ids under results.groups."
            report.error(doc.path, doc.line(*path, key),
                         f'{dotted(path)}: "{key}" is not the id of one of this trial\'s groups '
                         f"({', '.join(ids)}), so its number would not be shown.{hint}", code="results.group-id")


def _sums(results: dict, doc: YamlFile, report: Report) -> None:
    """Parts larger than their whole."""
    for pattern in (("side_effects", "*", "*"), ("side_effects", "most_common", "*", "people", "*")):
        for path, cell in _walk(results, pattern, ("results",)):
            if isinstance(cell, dict) and _count(cell.get("affected")) and _count(cell.get("at_risk")) \
                    and cell["affected"] > cell["at_risk"]:
                report.error(doc.path, doc.line(*path, "affected"),
                             f"{dotted(path)}: {cell['affected']} people affected, but only {cell['at_risk']} "
                             "at risk (the people counted). affected can be at most at_risk.", code="results.numbers")
    for path, item in _walk(results, ("measures", "*", "*"), ("results",)):
        if not isinstance(item, dict) or not isinstance(item.get("values"), dict):
            continue
        for group_id, cell in item["values"].items():
            if not isinstance(cell, dict) or not _count(cell.get("value")):
                continue
            value, analysed = cell["value"], cell.get("analysed")
            if item.get("kind") == "percent" and not 0 <= value <= 100:
                report.error(doc.path, doc.line(*path, "values", group_id, "value"),
                             f"{dotted(path + ('values', group_id))}: {value} is not a percent (0 to 100). "
                             "Check the number, or the kind: of this measure.", code="results.numbers")
            elif item.get("kind") == "people" and _count(analysed) and value > analysed:
                report.error(doc.path, doc.line(*path, "values", group_id, "value"),
                             f"{dotted(path + ('values', group_id))}: {value} people, but only {analysed} "
                             "were counted (analysed). Check both numbers.", code="results.numbers")
