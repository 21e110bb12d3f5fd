"""Freshness: does each page still say what its registry record says? (issue 21)

For trials whose facts come from ClinicalTrials.gov (a registry/ folder beside trial.yaml, made
by import and refresh), `check` warns, at trial.yaml's lines, when the facts were last checked
against the registry more than refresh_after_days ago (site.yaml, default 30), and when the
saved record's status or results say something the page does not. Only `check` runs this: the
answer depends on today's date, and a build's results are cached.
"""
from __future__ import annotations

import datetime
import json
from pathlib import Path

from . import clock, ctgov
from .diagnostics import Report
from .load import CHECKED_FILE, REGISTRY_FOLDER, load_checked, trial_folders
from .yamlfile import load_yaml_file
from .schemas import SCHEMA_DIR

REFRESH_AFTER_DAYS = 30
SAVED_RECORD_LIMIT = 200_000_000  # bytes; the largest real records are a few MB


def check_freshness(content: Path, report: Report, today: datetime.date | None = None) -> None:
    today = today or clock.today()
    days = refresh_after_days(content)
    for folder in trial_folders(content):
        if (folder / REGISTRY_FOLDER).is_dir() and (folder / "trial.yaml").is_file():
            _check_trial(folder, content, days, today, report)


def refresh_after_days(content: Path) -> int:
    """site.yaml's refresh_after_days (the build checks its form), else 30."""
    doc = load_yaml_file(content / "site.yaml", Report()) if (content / "site.yaml").is_file() else None
    days = doc.data.get("refresh_after_days") if doc and isinstance(doc.data, dict) else None
    return days if isinstance(days, int) and not isinstance(days, bool) and days > 0 else REFRESH_AFTER_DAYS


def _check_trial(folder: Path, content: Path, days: int, today: datetime.date, report: Report) -> None:
    trial = load_yaml_file(folder / "trial.yaml", Report())  # its own mistakes are reported by the build
    if trial is None or not isinstance(trial.data, dict):
        return
    found = _registration(trial.data)
    if found is None:
        return
    index, nct = found
    where, line = trial.path, trial.line("registrations", index)
    refresh = f"python build.py refresh {folder.name}"
    checked = load_checked(folder, content, Report())
    if checked is None:
        report.warning(where, line, f"there is no record of when these facts were last checked against "
                       f"ClinicalTrials.gov ({REGISTRY_FOLDER}/{CHECKED_FILE} is missing). Run: {refresh}",
                       code="registry.stale")
    elif (today - checked).days > days:
        report.warning(where, line, f"the facts from ClinicalTrials.gov were last checked on {checked.isoformat()}, "
                       f"{(today - checked).days} days ago (site.yaml asks for every {days} days). Run: {refresh}, "
                       "then review what changed.", code="registry.stale")
    saved = load_saved_record(folder, nct)
    if saved is None:
        return
    record = f"the ClinicalTrials.gov record saved in {REGISTRY_FOLDER}/{nct}.json"
    status = ctgov.STATUS.get(ctgov.status_value(saved))
    page = trial.data.get("status")
    if status and isinstance(page, str) and page != status and {page, status} != {"authorised", "authorized"}:
        report.warning(where, trial.line("status"), f'{record} says the trial is "{status}", but status: says '
                       f'"{page}". Change status: if the record is right, or run {refresh} to fetch it again.',
                       code="registry.status")
    if ctgov.has_results(saved) and "results" not in trial.data:
        report.add("registry.results", "warning" if _results_known() else "info", where, trial.line("status"),
                   f"{record} has results, but this page shows none. Tell readers what the trial found, "
                   "or where to read its results.")


def load_saved_record(folder: Path, nct: str) -> dict | None:
    """The registry record saved at the last import or refresh, if it is there and readable."""
    path = folder / REGISTRY_FOLDER / f"{nct}.json"
    try:
        if not path.is_file() or path.stat().st_size > SAVED_RECORD_LIMIT:  # never a pipe, never 3 GB
            return None
        data = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("protocolSection"), dict) else None


def _registration(facts: dict) -> tuple[int, str] | None:
    """(index, NCT number) of the trial's ClinicalTrials.gov registration."""
    regs = facts.get("registrations")
    for index, reg in enumerate(regs if isinstance(regs, list) else []):
        number = str(reg.get("id", "")).strip().upper() if isinstance(reg, dict) else ""
        if ctgov.NCT_RE.match(number):
            return index, number
    return None


def _results_known() -> bool:
    """A missing results: is a warning once trial.yaml can hold results (issue 20); until then
    the editor cannot add them, so it is a suggestion."""
    try:
        schema = json.loads((SCHEMA_DIR / "trial.schema.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return "results" in schema.get("properties", {})
