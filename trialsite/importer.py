"""Import: a saved ClinicalTrials.gov record -> content/trials/<slug>/ (issue 8). Reads files only.

First import writes trial.yaml and section skeletons (official text marked "to rewrite").
Re-import of a newer record updates only the facts that come from the record, keeps the
editor's own keys (title, summary, last_reviewed, written_by, other sources, an abbr on a
condition, ...), never touches sections/, and lists what changed so the editor knows which
sentences to review. Problems go to the Report; nothing here prints.
"""
from __future__ import annotations

import datetime
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import ctgov, ctgov_results
from .diagnostics import Report
from .load import SLUG_RE, display_path

RECORD_LIMIT = 200_000_000  # bytes; the largest real records (results, 1000s of sites) are a few MB
# Facts that come from the record and are replaced on re-import. Everything else is the editor's.
RECORD_KEYS = ("official_title", "short_name", "status", "phase", "study_type", "enrollment", "conditions",
               "population", "interventions", "outcomes", "sponsor", "collaborators", "locations", "contacts",
               "start_date", "completion_date", "results")
ORDER = ("title", "official_title", "short_name", "summary", "registrations", "status", "phase", "study_type",
         "enrollment", "conditions", "population", "interventions", "outcomes", "sponsor", "collaborators",
         "locations", "contacts", "start_date", "completion_date", "results", "last_reviewed", "written_by",
         "reviewed_by", "sources")
# On re-import, keys the editor added to a list item survive when the item is still there.
ITEM_ID = {"conditions": "name", "interventions": "name"}
LABELS = {"enrollment.count": "enrollment", "enrollment.kind": "enrollment kind"}
HEADER = ("# Facts from ClinicalTrials.gov record {nct}, imported with: python build.py import\n"
          "# Re-importing a newer record updates the facts from the record and keeps title, summary,\n"
          "# last_reviewed and anything else you added. Rewrite title and summary in plain words.\n")


@dataclass
class Imported:
    slug: str
    folder: str
    created: bool
    changes: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    report: Report = field(default_factory=Report)
    trials: list[Imported] = field(default_factory=list)


def import_record(record: Path, content: Path, slug: str | None = None, accessed: str | None = None,
                  today: datetime.date | None = None) -> ImportResult:
    result = ImportResult()
    report, where = result.report, display_path(record)
    accessed = accessed or (today or datetime.date.today()).isoformat()
    if not _valid_date(accessed):
        report.error(where, 0, f'--accessed "{accessed}" is not a date. Write it as YYYY-MM-DD, e.g. 2026-11-28.',
                     code="import.accessed")
        return result
    data = _read_json(record, where, report)
    if data is None:
        return result
    try:
        found = ctgov.studies(data)
    except ctgov.NotAStudy as exc:
        report.error(where, 0, f"{exc}. Save the study from ClinicalTrials.gov as JSON (the study page's "
                     "download, or the API's /studies answer) and import that file.", code="import.not-a-study")
        return result
    if slug is not None and len(found) > 1:
        report.error(where, 0, f"--slug names one folder, but this file holds {len(found)} studies. Leave out "
                     "--slug (each study gets a folder named after its NCT number), or save one study per file.",
                     code="import.slug")
        return result
    for study in found:
        one = _import_study(study, content, slug or ctgov.nct_id(study).lower(), accessed, where, report)
        if one:
            result.trials.append(one)
    return result


def _valid_date(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
        return len(text) == 10
    except ValueError:
        return False


def _read_json(record: Path, where: str, report: Report):
    try:
        if record.stat().st_size > RECORD_LIMIT:
            report.error(where, 0, "this file is too big to be one study record. Save one study, or a "
                         "search answer with fewer studies.", code="import.size")
            return None
        text = record.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        report.error(where, 0, "there is no such file. Check the name and the folder.", code="import.missing")
        return None
    except IsADirectoryError:
        report.error(where, 0, "this is a folder; give the saved .json file.", code="import.missing")
        return None
    except UnicodeDecodeError:
        report.error(where, 0, "this file is not text (UTF-8). Save the record as JSON again.", code="import.json")
        return None
    except OSError as exc:
        report.error(where, 0, f"could not read the file ({exc.strerror or exc}).", code="import.missing")
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        report.error(where, exc.lineno, f"this file is not valid JSON ({exc.msg}, column {exc.colno}). Save the "
                     "record from ClinicalTrials.gov as JSON again, without editing it.", code="import.json")
    except RecursionError:
        report.error(where, 0, "this file is nested too deeply to be a study record.", code="import.json")
    return None


def _import_study(study: dict, content: Path, slug: str, accessed: str, where: str, report: Report):
    nct = ctgov.nct_id(study)
    if not SLUG_RE.match(slug):
        report.error(where, 0, f'"{slug}" cannot be a folder name: use small letters a-z, digits and hyphens.',
                     code="import.slug")
        return None
    folder = content / "trials" / slug
    trial_yaml = folder / "trial.yaml"
    mapper = ctgov.Mapper(study, accessed)
    new = mapper.facts()
    for warning in mapper.warnings:
        report.warning(where, 0, f"{nct}: {warning}", code="import.value")
    old = _existing(trial_yaml, report)
    if old is False:
        return None
    if old is not None and nct not in _registered(old):
        report.error(display_path(trial_yaml), 0, f"this folder already holds another trial, not {nct}. Choose "
                     "another folder with --slug, or move that trial first.", code="import.other-trial")
        return None
    if old is None:
        new["last_reviewed"] = accessed
        facts, changes = new, []
    else:
        facts = _merge(old, new)
        changes = changes_between(old, facts)
    sections = mapper.sections() if old is None and not (folder / "sections").exists() else {}
    try:
        _write(folder, trial_yaml, HEADER.format(nct=nct) + dump(facts), sections)
    except OSError as exc:
        report.error(display_path(folder), 0, f"could not write the trial ({exc.strerror or exc}).",
                     code="import.write")
        return None
    return Imported(slug, display_path(folder), old is None, changes, sorted(sections))


def _existing(path: Path, report: Report):
    """The current trial.yaml as data; None if there is none; False if it cannot be read."""
    if not path.exists():
        return None
    try:
        data = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=_Loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        report.error(display_path(path), 0, f"could not read the existing trial.yaml ({exc}). Fix it, then "
                     "import again.", code="import.existing")
        return False
    return data if isinstance(data, dict) else {}


def _registered(facts: dict) -> set[str]:
    regs = facts.get("registrations")
    return {str(r.get("id")) for r in regs if isinstance(r, dict)} if isinstance(regs, list) else set()


def _merge(old: dict, new: dict) -> dict:
    merged = dict(old)
    for key in RECORD_KEYS:
        if key in new:
            merged[key] = _keep_editor_keys(old.get(key), new[key], ITEM_ID.get(key))
        else:
            merged.pop(key, None)
    if "results" in new:  # the editor's plain words for results stay where the record's words did not change
        merged["results"] = ctgov_results.keep_editor_words(old.get("results"), new["results"])
    regs = [r for r in old.get("registrations") or [] if not (isinstance(r, dict)
                                                               and r.get("registry") == ctgov.REGISTRY)]
    merged["registrations"] = new["registrations"] + regs
    merged["sources"] = {**(old.get("sources") if isinstance(old.get("sources"), dict) else {}), **new["sources"]}
    return merged


def _keep_editor_keys(old, new, id_key):
    """conditions/interventions: keys the editor added to an item (abbr, role, ...) are kept."""
    if not id_key or not isinstance(old, list):
        return new
    extra = {item.get(id_key): item for item in old if isinstance(item, dict)}
    return [{**extra.get(item[id_key], {}), **item} for item in new]


def changes_between(old: dict, new: dict) -> list[str]:
    """What the newer record changed, in plain lines like "status: recruiting → completed"."""
    lines: list[str] = []
    for key in RECORD_KEYS:
        _compare(key, old.get(key), new.get(key), lines)
    return lines


def _compare(name: str, old, new, lines: list[str]) -> None:
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in list(old) + [k for k in new if k not in old]:
            _compare(f"{name}.{key}", old.get(key), new.get(key), lines)
        return
    label = LABELS.get(name, name)
    if isinstance(old, list) or isinstance(new, list):
        before, after = [_name(i) for i in old or []], [_name(i) for i in new or []]
        known, kept = set(before), set(after)  # sets: records can list thousands of sites
        added = list(dict.fromkeys(i for i in after if i not in known))
        removed = list(dict.fromkeys(i for i in before if i not in kept))
        parts = []
        if added:
            parts.append("added " + _some(added))
        if removed:
            parts.append("removed " + _some(removed))
        if not parts:
            parts.append("details changed")
        lines.append(f"{label}: {'; '.join(parts)}")
        return
    lines.append(f"{label}: {_show(old)} → {_show(new)}")


def _name(item) -> str:
    if isinstance(item, dict):
        for key in ("name", "measure", "facility", "city"):
            if item.get(key):
                return str(item[key]) + (f" ({item['city']})" if key == "facility" and item.get("city") else "")
    return str(item)


def _some(names: list[str]) -> str:
    shown = ", ".join(names[:5])
    return shown + (f" and {len(names) - 5} more" if len(names) > 5 else "")


def _show(value) -> str:
    return "(none)" if value is None else str(value)


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster on big records


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    """Readable YAML: keys in trial.yaml order, long official texts as blocks."""


def _str(dumper, value: str):
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value.replace("\r\n", "\n"), style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


def dump(facts: dict) -> str:
    ordered = {key: facts[key] for key in ORDER if key in facts}
    ordered.update({key: value for key, value in facts.items() if key not in ordered})
    return yaml.dump(ordered, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=False)


def _write(folder: Path, trial_yaml: Path, text: str, sections: dict[str, str]) -> None:
    """trial.yaml through a temporary file, so an interrupted import never leaves half a file."""
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".trial.yaml.{os.getpid()}.tmp"
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, trial_yaml)
    if sections:
        (folder / "sections").mkdir()
        for name, body in sections.items():
            (folder / "sections" / name).write_text(body, encoding="utf-8")
