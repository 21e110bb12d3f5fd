"""Load: read content/ from disk into plain data with line numbers.

Owns the folder layout: which files make a site and a trial, symlinks, hidden files, section
numbering. Reading and parsing each file is yamlfile.py; what the keys mean is validate.py.
Hands on RawContent.
"""
from __future__ import annotations

import datetime
import os
import re
from dataclasses import dataclass, field
from pathlib import Path


from .diagnostics import Report
from .yamlfile import YamlFile, display_path, load_yaml_file, read_text, split_front_matter

SECTION_LIMIT = 2_000_000  # bytes per Markdown section
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# In a trial folder: copies of its registry record and the day its facts were last checked
# against it (importer.py, refresh.py). Never a section; only checked.yaml is read by a build.
REGISTRY_FOLDER = "registry"
CHECKED_FILE = "checked.yaml"


@dataclass(frozen=True)
class SectionFile:
    """A Markdown section: front matter and body, with the body's first line number."""

    path: str
    name: str  # file name, e.g. 01-overview.md
    meta: YamlFile
    body: str
    body_line: int  # line in the file where the body starts


@dataclass(frozen=True)
class TrialFolder:
    slug: str
    path: str  # display path of the folder
    trial: YamlFile
    sections: tuple[SectionFile, ...]
    registry_checked: datetime.date | None = None  # registry/checked.yaml


@dataclass
class RawContent:
    """Everything read from content/, before validation."""

    site: YamlFile | None = None
    glossary: YamlFile | None = None
    trials: list[TrialFolder] = field(default_factory=list)


def check_theme(templates: Path, report: Report) -> None:
    """A theme file that links outside the templates folder is refused: it could put any file of
    the computer into the public site (assets are copied as they are)."""
    root = templates.resolve()
    for folder, dirs, files in os.walk(templates):
        for name in sorted(dirs + files):
            path = Path(folder, name)
            if path.is_symlink() and not path.resolve().is_relative_to(root):
                report.error(display_path(path), 0, "this file links to a place outside the templates folder. "
                             "Copy the file in instead.", code="file.symlink")


def _inside(path: Path, root: Path) -> bool:
    """False for a symbolic link that leads outside root. Folders are checked on the way down,
    so only links need the (slow) full path resolution."""
    if not path.is_symlink():
        return True
    return path.resolve().is_relative_to(root.resolve())


def _visible(entries):
    """Folder entries an editor meant: hidden files (.DS_Store, .#x) and backups (x~) left out."""
    return sorted((p for p in entries if not p.name.startswith(".") and not p.name.endswith("~")),
                  key=lambda p: p.name)


def load_content(content: Path, report: Report) -> RawContent:
    """Read site.yaml, glossary.yaml and every trial folder; report all problems found."""
    raw = load_shared(content, report)
    for folder in trial_folders(content):
        trial = load_trial(folder, content, report)
        if trial:
            raw.trials.append(trial)
    return raw


def load_shared(content: Path, report: Report) -> RawContent:
    """site.yaml and glossary.yaml: what every page depends on. Trials are loaded one by one."""
    raw = RawContent()
    if not content.is_dir():
        report.error(display_path(content), 0, "this content folder does not exist. "
                     "Run the command from your project folder, or give the right folder with --content.",
                     code="file.missing")
        return raw
    site_path = content / "site.yaml"
    if site_path.is_file():
        raw.site = load_yaml_file(site_path, report)
    else:
        report.error(display_path(site_path), 0, "site.yaml is missing. Create it with the site's title, "
                     "description, language, publisher and disclaimer (see the README).", code="file.missing")
    glossary_path = content / "glossary.yaml"
    if glossary_path.is_file():
        raw.glossary = load_yaml_file(glossary_path, report)
    return raw


def trial_folders(content: Path) -> list[Path]:
    """Every entry of content/trials/ an editor meant, in name order (checked by load_trial)."""
    trials_dir = content / "trials"
    return _visible(trials_dir.iterdir()) if trials_dir.is_dir() else []


def load_trial(folder: Path, content: Path, report: Report, read: dict | None = None) -> TrialFolder | None:
    """One trial folder: trial.yaml and its sections, or None after reporting why not.
    read: the bytes of files read already, by path (see read_text)."""
    shown = display_path(folder)
    if not _inside(folder, content):
        report.error(shown, 0, "this is a link to a folder outside the content folder. "
                     "Copy the folder in instead of linking to it.", code="file.symlink")
        return None
    if not folder.is_dir():
        report.warning(shown, 0, "only folders belong in trials/; this file is ignored.", code="file.stray")
        return None
    if not SLUG_RE.match(folder.name):
        suggestion = re.sub(r"[^a-z0-9]+", "-", folder.name.lower()).strip("-") or "my-trial"
        report.error(shown, 0, f'the folder name "{folder.name}" cannot be used in a web address. '
                     f'Use only small letters a-z, digits and hyphens, for example "{suggestion}".',
                     code="trial.slug")
        return None
    trial_path = folder / "trial.yaml"
    if not trial_path.is_file():
        report.error(shown, 0, "this trial folder has no trial.yaml. Copy one from another trial "
                     "and change it.", code="file.missing")
        return None
    if not _inside(trial_path, content):
        report.error(display_path(trial_path), 0, "this file links to a place outside the content folder. "
                     "Copy the file in instead.", code="file.symlink")
        return None
    trial = load_yaml_file(trial_path, report, read)
    sections = []
    sections_dir = folder / "sections"
    if sections_dir.is_dir():
        for path in _visible(sections_dir.iterdir()):
            section = _load_section(path, content, report, read)
            if section:
                sections.append(section)
    _check_numbering(sections, report)
    checked = load_checked(folder, content, report, read)
    if trial is None:
        return None
    return TrialFolder(folder.name, shown, trial, tuple(sections), checked)


def load_checked(folder: Path, content: Path, report: Report, read: dict | None = None) -> datetime.date | None:
    """The day trialsite last compared the trial's facts with its registry record, if it has.
    trialsite writes the file, so a damaged one is a warning (the page then leaves the day out)."""
    path = folder / REGISTRY_FOLDER / CHECKED_FILE
    if not path.is_file():
        return None
    if not _inside(path, content):
        report.error(display_path(path), 0, "this file links to a place outside the content folder. "
                     "Delete it and run python build.py refresh to write it again.", code="file.symlink")
        return None
    again = f"trialsite writes this file: run python build.py refresh {folder.name} to write it again."
    problems = Report()
    doc = load_yaml_file(path, problems, read)
    for problem in problems.items:
        report.warning(problem.path, problem.line, f"{problem.message} {again}", code="registry.checked")
    if doc is None:
        return None
    value = doc.data.get("checked") if isinstance(doc.data, dict) else None
    try:
        if isinstance(value, str) and len(value) == 10:
            return datetime.date.fromisoformat(value)
    except ValueError:
        pass
    report.warning(doc.path, doc.line("checked"), "checked: should be the day the facts were last compared with "
                   f"the registry, as YYYY-MM-DD. {again}", code="registry.checked")
    return None


def _check_numbering(sections: list, report: Report) -> None:
    """Sections show in file-name order (CONTENT.md), so "10-more.md" comes before "2-plan.md":
    say so when the numbers at the start of the names would give another order."""
    numbered = [(int(m.group()), s) for s in sections for m in [re.match(r"\d+", s.name)] if m]
    for (number, section), (next_number, next_section) in zip(numbered, numbered[1:]):
        if next_number < number:
            width = len(str(max(n for n, _ in numbered)))
            report.warning(section.path, 0, f'sections are shown in file-name order, so "{section.name}" comes '
                           f'before "{next_section.name}". Start every name with {width} digits '
                           f'({"0" * (width - 1)}1-, {"0" * (width - 1)}2-, ...) to show them in the order you mean.',
                           code="section.order")
            return


def _load_section(path: Path, content: Path, report: Report, read: dict | None) -> SectionFile | None:
    shown = display_path(path)
    if path.suffix != ".md":
        report.warning(shown, 0, "only .md files are used as sections; this file is ignored. "
                       'Rename it to end in ".md" if it is a section.', code="file.stray")
        return None
    if not _inside(path, content):
        report.error(shown, 0, "this file links to a place outside the content folder. "
                     "Copy the file in instead.", code="file.symlink")
        return None
    if path.is_dir():
        report.warning(shown, 0, 'this is a folder, not a section file, so it is ignored. Sections are ".md" '
                       "files directly inside sections/.", code="file.stray")
        return None
    if not path.is_file():  # a pipe or device would block or never end: never open it
        report.warning(shown, 0, "this is not an ordinary file (perhaps a pipe or a device), so it is ignored. "
                       "Sections are ordinary .md text files.", code="file.stray")
        return None
    text = read_text(path, report, SECTION_LIMIT, read)
    if text is None:
        return None
    if not text.strip():
        report.error(shown, 1, "this section file is empty. Write the section, or delete the file.",
                     code="section.empty")
        return None
    meta, body, body_line = split_front_matter(text, shown, report)
    if meta is None:
        return None
    return SectionFile(shown, path.name, meta, body, body_line)

