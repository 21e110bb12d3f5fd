"""Import: a ClinicalTrials.gov record -> content/trials/<slug>/ (issues 8 and 21).

The record comes from a saved file (import FILE) or from the registry (import NCT..., and
refresh.py). A first import writes trial.yaml, section skeletons (official text marked "to
rewrite") and the registry/ folder: a copy of the record used and the day it was checked.
Importing again updates only the facts that come from the record (merge.py) and lists what
changed, so the editor knows which sentences to review. The editor's words are never touched:
comments, order, quoting, their own keys and plain wordings stay (yamledit.py), and so does
sections/. Nothing is written unless everything can be; problems go to the Report, nothing
here prints.
"""
from __future__ import annotations

import datetime
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from . import clock, ctgov, yamledit
from .diagnostics import ERROR, Report
from .load import CHECKED_FILE, REGISTRY_FOLDER, SLUG_RE, trial_folders
from .yamlfile import YAML_LIMIT, display_path, parse_yaml
from .merge import Merger, ordered, paths_of

FIT_LIMIT = YAML_LIMIT * 9 // 10  # trial.yaml as imported, with room for the editor's words
RECORD_LIMIT = 200_000_000  # bytes; the largest real records (results, 1000s of sites) are a few MB
HEADER = ("# Facts from ClinicalTrials.gov record {nct}, imported with: python build.py import\n"
          "# Importing again (or python build.py refresh) updates the facts from the record and keeps\n"
          "# your comments, title, summary, plain wordings and anything else you added.\n"
          "# Rewrite every TO REWRITE in plain words.\n")
CHECKED = ("# Written by trialsite (python build.py import / refresh); the file beside it is the record used.\n"
           "# The day this trial's facts were last compared with its ClinicalTrials.gov record.\n"
           "checked: {day}\n")


@dataclass
class Imported:
    slug: str
    folder: str
    created: bool
    changes: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    rewritten: bool = False  # trial.yaml was written (a new trial, new facts, or a newer accessed day)


@dataclass
class ImportResult:
    report: Report = field(default_factory=Report)
    trials: list[Imported] = field(default_factory=list)


def import_record(record: Path, content: Path, slug: str | None = None, accessed: str | None = None,
                  today: datetime.date | None = None) -> ImportResult:
    """import FILE: every study in a saved record file."""
    result = ImportResult()
    report, where = result.report, display_path(record)
    accessed = accessed or (today or clock.today()).isoformat()
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
        one = import_study(study, content, slug, accessed, where, report)
        if one:
            result.trials.append(one)
    return result


def import_number(number: str, content: Path, client, slug: str | None = None,
                  today: datetime.date | None = None) -> ImportResult:
    """import NCT...: fetch the record (registry.Client), then exactly what import FILE does."""
    from .registry import FetchError  # only this command goes online
    result = ImportResult()
    try:
        study = client.study(number)
    except FetchError as exc:
        result.report.error(number.strip(), 0, str(exc), code="import.fetch")
        return result
    one = import_study(study, content, slug, (today or clock.today()).isoformat(), ctgov.nct_id(study),
                       result.report)
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


def trial_of(content: Path, nct: str) -> str | None:
    """The folder name of the trial that lists this NCT number in registrations:, if any."""
    for folder in trial_folders(content):
        path = folder / "trial.yaml"
        try:
            if nct.encode() not in path.read_bytes():  # quick: most folders do not mention it at all
                continue
            doc = parse_yaml(path.read_text(encoding="utf-8-sig"), display_path(path), Report())
        except (OSError, UnicodeDecodeError):
            continue
        if doc and isinstance(doc.data, dict) and nct in registered(doc.data):
            return folder.name
    return None


def registered(facts: dict) -> list[str]:
    """The registry numbers a trial.yaml lists, ClinicalTrials.gov's first."""
    regs = facts.get("registrations")
    found = [r for r in regs if isinstance(r, dict) and r.get("id")] if isinstance(regs, list) else []
    found.sort(key=lambda r: r.get("registry") != ctgov.REGISTRY)
    return [str(r["id"]).strip() for r in found]


def import_study(study: dict, content: Path, slug: str | None, accessed: str, where: str,
                 report: Report) -> Imported | None:
    """One study into its trial folder: first import, or the newer facts merged into trial.yaml."""
    nct = ctgov.nct_id(study)
    slug = slug or trial_of(content, nct) or nct.lower()
    if not SLUG_RE.match(slug):
        report.error(where, 0, f'"{slug}" cannot be a folder name: use small letters a-z, digits and hyphens.',
                     code="import.slug")
        return None
    folder = content / "trials" / slug
    trial_yaml = folder / "trial.yaml"
    mapper = ctgov.Mapper(study, accessed)
    new = mapper.facts()
    _fit(new, mapper.warnings)
    for warning in mapper.warnings:
        report.warning(where, 0, warning if where == nct else f"{nct}: {warning}", code="import.value")
    existing = _existing(trial_yaml, report)
    if existing is False:
        return None
    files = {f"{REGISTRY_FOLDER}/{nct}.json": json.dumps(study, indent=2, ensure_ascii=False) + "\n",
             f"{REGISTRY_FOLDER}/{CHECKED_FILE}": CHECKED.format(day=accessed)}
    if existing is None:
        new["last_reviewed"] = accessed
        files["trial.yaml"] = HEADER.format(nct=nct) + yamledit.dump(ordered(new))
        changes = []
    else:
        document, newline, bom = existing
        if nct not in registered(document.before):
            report.error(display_path(trial_yaml), 0, f"this folder already holds another trial, not {nct}. "
                         "Choose another folder with --slug, or move that trial first.", code="import.other-trial")
            return None
        found = Merger(document.data).apply(new)
        text = document.write() if document.changed() else document.text  # no new facts: not even written
        if text != document.text:
            files["trial.yaml"] = bom + text.replace("\n", newline)
        changes = _with_lines(found, document.data, text)
    sections = mapper.sections() if existing is None and not (folder / "sections").exists() else {}
    files.update({f"sections/{name}": body for name, body in sections.items()})
    try:
        write_files(folder, files)
    except OSError as exc:
        report.error(display_path(folder), 0, f"could not write the trial ({exc.strerror or exc}); nothing was "
                     "changed.", code="import.write")
        return None
    return Imported(slug, display_path(folder), existing is None, changes, sorted(sections), "trial.yaml" in files)


def _fit(facts: dict, warnings: list[str]) -> None:
    """Leave out the last results (other, then secondary, then primary) while trial.yaml would be too
    big for the build to read: a record can report hundreds of results in dozens of groups."""
    measures = (facts.get("results") or {}).get("measures") or {}
    size = len(yamledit.dump(ordered(facts)).encode("utf-8"))
    if size <= FIT_LIMIT:
        return
    dropped = 0
    for kind in ("other", "secondary", "primary"):
        while measures.get(kind) and size > FIT_LIMIT:
            size -= len(yamledit.dump(measures[kind].pop()).encode("utf-8"))
            dropped += 1
        if not measures.get(kind):
            measures.pop(kind, None)
    warnings.append(f"the record reports more results than trial.yaml can hold; the last {dropped} were left out "
                    "(they are still in the record in registry/). Add the ones readers need by hand.")


def _existing(path: Path, report: Report):
    """(yamledit.Document, line ending, byte-order mark) of the current trial.yaml; None if there
    is none; False (after reporting why) if it cannot be read."""
    if not path.exists():
        return None
    shown = display_path(path)
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        report.error(shown, 0, f"could not read the existing trial.yaml ({getattr(exc, 'strerror', None) or exc}). "
                     "Fix it, then import again.", code="import.existing")
        return False
    newline, bom = "\r\n" if "\r\n" in text else "\n", "\ufeff" if raw.startswith(b"\xef\xbb\xbf") else ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # written back as they were
    try:
        document = yamledit.Document(text)
    except yamledit.Unreadable as exc:
        problems = Report()
        parse_yaml(text, shown, problems)  # the build's own plain messages, with lines
        report.extend(d for d in problems.items if d.severity == ERROR)
        report.error(shown, 0, f"{'fix the mistakes above in' if problems.has_errors else f'could not read ({exc})'} "
                     "the existing trial.yaml, then import again; nothing was changed.", code="import.existing")
        return False
    if yamledit.has_aliases(document.data):  # a few lines of & and * can stand for billions of values
        report.error(shown, 0, "the existing trial.yaml repeats parts of itself with YAML aliases (& and *). "
                     "Write the values out in full, then import again; nothing was changed.", code="import.existing")
        return False
    if not isinstance(document.data, dict):
        report.error(shown, 1, "trial.yaml must be a group of keys (title:, summary:, ...). Fix it, then import "
                     "again.", code="import.existing")
        return False
    return document, newline, bom


def _with_lines(changes, doc, text: str) -> list[str]:
    """The change lines, those about a plain wording to check with its line in the new file."""
    paths = paths_of(doc, [c.node for c in changes if c.node is not None])
    lines = yamledit.lines_of(text, [path + ("plain",) for path in paths.values()])
    out = []
    for change in changes:
        line = lines.get(paths[id(change.node)] + ("plain",)) if id(change.node) in paths else None
        out.append(f"{change.text} (check your plain wording at line {line})" if line else change.text)
    return out


def record_checked(folder: Path, day: str) -> None:
    """Only the day the trial was last checked: the record did not change (refresh)."""
    write_files(folder, {f"{REGISTRY_FOLDER}/{CHECKED_FILE}": CHECKED.format(day=day)})


def write_files(folder: Path, files: dict[str, str]) -> None:
    """Files under folder, all or none: each is written to a temporary file first, and only when
    every one is ready are they moved into place. Files whose text is unchanged are not touched."""
    pending, made = [], []
    try:
        for name, text in files.items():
            path = folder / name
            data = text.encode("utf-8")
            try:
                if path.read_bytes() == data:
                    continue
            except OSError:
                pass
            for parent in reversed([path.parent, *path.parent.parents]):
                if not parent.exists():
                    parent.mkdir()
                    made.append(parent)
            temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            pending.append((temporary, path))
            temporary.write_bytes(data)
    except OSError:
        for temporary, _ in pending:
            temporary.unlink(missing_ok=True)
        for parent in reversed(made):
            parent.rmdir()
        raise
    for temporary, path in pending:
        os.replace(temporary, path)
