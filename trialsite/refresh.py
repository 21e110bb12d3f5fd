"""Refresh: check trials against their ClinicalTrials.gov records (issue 21).

For every trial with a ClinicalTrials.gov number (or the ones named): fetch its record and
compare the day the registry last changed it with the copy saved in the trial's registry/
folder. Only a changed record is imported again (importer.py: the same merge and change report,
nothing the editor wrote is touched). An unchanged record changes no file but
registry/checked.yaml, which gives the page its "Facts checked against the registry on" date.
A trial whose record cannot be fetched is left exactly as it was. Nothing here prints.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from . import ctgov
from .diagnostics import ERROR, Report, did_you_mean
from .importer import import_study, record_checked, registered
from .load import REGISTRY_FOLDER, display_path, load_saved_record, load_yaml_file, trial_folders
from .registry import FetchError

UNCHANGED, CHANGED, FAILED = "unchanged", "changed", "failed"


@dataclass
class Checked:
    """What refresh did with one trial."""

    slug: str
    state: str  # UNCHANGED, CHANGED or FAILED
    detail: str  # when the record last changed, or why it failed
    changes: list[str] = field(default_factory=list)
    report: Report = field(default_factory=Report)  # warnings about the record's values
    unreachable: bool = False  # the registry could not be reached at all


@dataclass
class Refreshed:
    trials: list[Checked] = field(default_factory=list)
    without_number: int = 0  # trials with no ClinicalTrials.gov number (not checked)

    def count(self, state: str) -> int:
        return sum(t.state == state for t in self.trials)


def refresh(content: Path, slugs: list[str], client, today: datetime.date | None = None) -> Refreshed:
    day = (today or datetime.date.today()).isoformat()
    done = Refreshed()
    named = bool(slugs)
    folders = [content / "trials" / slug for slug in slugs] if named else trial_folders(content)
    known = [f.name for f in trial_folders(content)] if named else []
    stop = None  # once the registry cannot be reached, the other trials are not tried
    for folder in folders:
        if named and not (folder / "trial.yaml").is_file():
            done.trials.append(Checked(folder.name, FAILED, f"there is no trial folder {display_path(folder)}."
                                       + did_you_mean(folder.name, known)))
            continue
        nct, problem = _number(folder)
        if nct is None and problem is None:
            if named:
                done.trials.append(Checked(folder.name, FAILED, "trial.yaml lists no ClinicalTrials.gov number "
                                           "under registrations:, so there is nothing to check."))
            else:
                done.without_number += 1
            continue
        if problem:
            done.trials.append(Checked(folder.name, FAILED, problem))
        elif stop:
            done.trials.append(Checked(folder.name, FAILED, f"not checked: {stop}"))
        else:
            one = _refresh_one(folder, nct, content, client, day)
            done.trials.append(one)
            if one.unreachable:
                stop = "the registry could not be reached (see above)."
    return done


def _number(folder: Path) -> tuple[str | None, str | None]:
    """The trial's ClinicalTrials.gov number, or why its trial.yaml cannot be read."""
    report = Report()
    doc = load_yaml_file(folder / "trial.yaml", report)
    if doc is None or not isinstance(doc.data, dict):
        first = next((d.format() for d in report.items if d.severity == ERROR), None)
        return None, first or f"{display_path(folder / 'trial.yaml')} is not a group of keys."
    numbers = [n.upper() for n in registered(doc.data) if ctgov.NCT_RE.match(n.upper())]
    return (numbers[0] if numbers else None), None


def _refresh_one(folder: Path, nct: str, content: Path, client, day: str) -> Checked:
    try:
        study = client.study(nct)
    except FetchError as exc:
        return Checked(folder.name, FAILED, str(exc), unreachable=exc.unreachable)
    updated = ctgov.last_update(study)
    saved = load_saved_record(folder, nct)
    if saved is not None and updated is not None and ctgov.last_update(saved) == updated:
        try:
            record_checked(folder, day)
        except OSError as exc:
            return Checked(folder.name, FAILED, f"could not write {REGISTRY_FOLDER}/ ({exc.strerror or exc}).")
        return Checked(folder.name, UNCHANGED, f"the record has not changed since {updated}")
    report = Report()
    imported = import_study(study, content, folder.name, day, nct, report)
    if imported is None:
        first = next((d.format() for d in report.items if d.severity == ERROR), "could not update the trial.")
        return Checked(folder.name, FAILED, first, report=report)
    when = f"the record was updated on {updated}" if updated else "the record has no date of its last update"
    if saved is None:
        when = f"first check against the registry; {when}"
    return Checked(folder.name, CHANGED, when, imported.changes, report)


def publisher_url(content: Path) -> str | None:
    """The site's publisher address, for the User-Agent: who is asking the registry."""
    doc = load_yaml_file(content / "site.yaml", Report()) if (content / "site.yaml").is_file() else None
    publisher = doc.data.get("publisher") if doc and isinstance(doc.data, dict) else None
    url = publisher.get("url") if isinstance(publisher, dict) else None
    return url if isinstance(url, str) and url.startswith(("https://", "http://")) and url.isprintable() else None
