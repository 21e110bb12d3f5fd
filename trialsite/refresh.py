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

from . import clock, ctgov
from .diagnostics import ERROR, Report, did_you_mean
from .freshness import load_saved_record
from .importer import import_study, record_checked, registered
from .load import REGISTRY_FOLDER, trial_folders
from .yamlfile import display_path, load_yaml_file
from .registry import FetchError

UNCHANGED, CHANGED, FAILED = "unchanged", "changed", "failed"


@dataclass
class Checked:
    """What refresh did with one trial."""

    folder: str  # the trial folder, as the editor types it
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
    """The named trial folders (default: every one with a ClinicalTrials.gov number), checked."""
    day = (today or clock.today()).isoformat()
    done = Refreshed()
    folders = [content / "trials" / slug for slug in slugs] if slugs else trial_folders(content)
    unreachable = False  # once the registry cannot be reached, the other trials are not tried
    for folder in folders:
        shown = display_path(folder)
        if slugs and not (folder / "trial.yaml").is_file():
            known = [f.name for f in trial_folders(content)]
            done.trials.append(Checked(shown, FAILED, f"there is no trial folder {shown}."
                                       + did_you_mean(folder.name, known)))
            continue
        nct, problem = _number(folder)
        if nct is None and problem is None and not slugs:
            done.without_number += 1
            continue
        if problem or nct is None:
            one = Checked(shown, FAILED, problem or "trial.yaml lists no ClinicalTrials.gov number under "
                          "registrations:, so there is nothing to check.")
        elif unreachable:
            one = Checked(shown, FAILED, "not checked: the registry could not be reached (see above).")
        else:
            one = _refresh_one(folder, nct, content, client, day)
            unreachable = one.unreachable
        done.trials.append(one)
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
    shown = display_path(folder)
    try:
        study = client.study(nct)
    except FetchError as exc:
        return Checked(shown, FAILED, str(exc), unreachable=exc.unreachable)
    updated = ctgov.last_update(study)
    saved = load_saved_record(folder, nct)
    if saved is not None and updated is not None and ctgov.last_update(saved) == updated:
        try:  # nothing to merge: only the day of the check moves on
            record_checked(folder, day)
        except OSError as exc:
            return Checked(shown, FAILED, f"could not write {REGISTRY_FOLDER}/ ({exc.strerror or exc}).")
        return Checked(shown, UNCHANGED, f"the record has not changed since {updated}")
    report = Report()
    imported = import_study(study, content, folder.name, day, nct, report)
    if imported is None:
        first = next((d.format() for d in report.items if d.severity == ERROR), "could not update the trial.")
        return Checked(shown, FAILED, first, report=report)
    when = f"the record was updated on {updated}" if updated else "the record has no date of its last update"
    if saved is None:
        when = f"first check against the registry; {when}"
    return Checked(shown, CHANGED, when, imported.changes, report)


def publisher_url(content: Path) -> str | None:
    """The site's publisher address, for the User-Agent: who is asking the registry."""
    doc = load_yaml_file(content / "site.yaml", Report()) if (content / "site.yaml").is_file() else None
    publisher = doc.data.get("publisher") if doc and isinstance(doc.data, dict) else None
    url = publisher.get("url") if isinstance(publisher, dict) else None
    return url if isinstance(url, str) and url.startswith(("https://", "http://")) and url.isprintable() else None
