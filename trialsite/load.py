"""Load: read content/ from disk into plain data with line numbers.

Owns everything about bytes and files: size limits, UTF-8, YAML parsing (safe, no duplicate
keys, no alias bombs), front matter, folder layout, symlinks. Hands on RawContent; knows
nothing about what the keys mean (that is validate.py).
"""
from __future__ import annotations

import datetime
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from .diagnostics import Report

YAML_LIMIT = 1_000_000  # bytes per YAML file (issue 7)
SECTION_LIMIT = 2_000_000  # bytes per Markdown section
NODE_LIMIT = 50_000  # values per YAML file, after aliases are expanded
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# In a trial folder: copies of its registry record and the day its facts were last checked
# against it (importer.py, refresh.py). Never a section; only checked.yaml is read by a build.
REGISTRY_FOLDER = "registry"
CHECKED_FILE = "checked.yaml"
# YAML 1.1 turns yes/no/on/off into booleans ("country: NO" becomes False); only true/false do here.
BOOL_WORDS = {"true", "false"}

Lines = dict  # path tuple, e.g. ("enrollment", "count") or ("conditions", 0) -> 1-based line


@dataclass(frozen=True, slots=True)
class YamlFile:
    """A parsed YAML file: its data and the line of every key and list item."""

    path: str  # display path, e.g. content/trials/x/trial.yaml
    data: object
    lines: Lines

    def line(self, *keys) -> int:
        """Line of the closest existing path, walking up to the parent if needed."""
        keys = tuple(keys)
        while keys:
            if keys in self.lines:
                return self.lines[keys]
            keys = keys[:-1]
        return self.lines.get((), 1)


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


@lru_cache(maxsize=1)
def _working_folder(cwd: str) -> str:
    """The working folder, ending in a separator."""
    return os.path.join(str(Path(cwd).resolve()), "")


def display_path(path: Path) -> str:
    """A path as the editor would type it: relative to the working folder when inside it."""
    # Strings, not pathlib, and no realpath: this runs for every file of every trial.
    absolute = os.path.abspath(path)
    folder = _working_folder(os.getcwd())
    if absolute == folder.rstrip(os.sep) or absolute == folder:
        return "."
    if absolute.startswith(folder):
        return absolute[len(folder):].replace(os.sep, "/")
    return path.as_posix()


def read_text(path: Path, report: Report, limit: int, read: dict | None = None) -> str | None:
    """File text as str, or None after reporting why it cannot be used. read: bytes of files
    read already (to hash them for the cache), by path: those are not read again."""
    shown = display_path(path)
    try:
        raw = read.get(str(path)) if read else None
        size = len(raw) if raw is not None else path.stat().st_size
        if size > limit:
            report.error(shown, 0, f"this file is too big ({size:,} bytes; the limit is {limit:,}). "
                         "Split it into smaller files.", code="file.size")
            return None
        if raw is None:
            raw = path.read_bytes()
    except OSError as exc:
        report.error(shown, 0, f"cannot read this file ({exc.strerror}).", code="file.read")
        return None
    if b"\0" in raw:
        line = raw[: raw.index(b"\0")].count(b"\n") + 1
        report.error(shown, line, "this line contains a NUL byte, so this is not a text file. "
                     "Save it again as plain UTF-8 text.", code="file.binary")
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        report.error(shown, line, "this line has characters that are not UTF-8. "
                     "Save the file with the UTF-8 encoding.", code="file.encoding")
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bidi = _BIDI_CONTROL.search(text)
    if bidi:  # they can make text read differently from how it looks (a title reversed on the page)
        report.warning(shown, text.count("\n", 0, bidi.start()) + 1, "this line contains an invisible character "
                       f"(U+{ord(bidi.group()):04X}) that changes the direction of the text, so the page may not "
                       "show what you see here. Delete it, or retype the line.", code="file.bidi")
    return text


_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml is ~10x faster when present
    """SafeLoader used only to compose nodes and construct single scalars."""


def parse_yaml(text: str, shown: str, report: Report, line_offset: int = 0) -> YamlFile | None:
    """Parse YAML text into data plus a line map; report syntax errors, duplicates, bombs."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark and ("flow" in str(exc.context) or "quoted" in str(exc.context)
                                 or "<stream end>" in str(exc.problem)):
            mark = exc.context_mark  # an unclosed bracket or quote is reported where it opens
        line = (mark.line + 1 if mark else 1) + line_offset
        unclosed = _unclosed_quote(text, mark.line if mark else 0)
        if unclosed is not None:
            report.error(shown, unclosed + 1 + line_offset, "this is not valid YAML: a quote opened on this line is never closed. "
                         "Add the closing quote at the end of the value.", code="yaml.syntax")
            return None
        problem = (exc.problem or "syntax error").replace("\t", "a tab")
        source_lines = text.split("\n")
        bad_line = source_lines[min(line - line_offset, len(source_lines)) - 1] if source_lines else ""
        hint = ("Use spaces, not tabs, to indent." if "\t" in bad_line else
                "Check the indentation, the colon after each key, and that quotes and brackets are closed.")
        report.error(shown, line, f"this is not valid YAML: {problem}. {hint}", code="yaml.syntax")
        return None
    except yaml.YAMLError as exc:
        report.error(shown, 1, f"this is not valid YAML: {exc}.", code="yaml.syntax")
        return None
    finally:
        loader.dispose()
    lines: Lines = {}
    if node is None:
        return YamlFile(shown, None, {(): 1 + line_offset})
    budget = [NODE_LIMIT]
    errors_before = len(report.items)
    data = _build(node, (), lines, loader, shown, report, budget, line_offset)
    if len(report.items) > errors_before:
        return None
    return YamlFile(shown, data, lines)


QUOTED_START = re.compile(r"""^\s*(?:-\s+)?(?:[^\s:#'"][^:#]*:\s+)?(["'])(.*)$""")


def _unclosed_quote(text: str, error_line: int) -> int | None:
    """The line (0-based) of a value that opens a quote and never closes it, at or before the error."""
    lines = text.split("\n")
    for number in range(min(error_line, len(lines) - 1), -1, -1):
        match = QUOTED_START.match(lines[number])
        if not match:
            continue
        quote, rest = match.groups()
        rest = rest.replace("\\\\", "").replace('\\"', "") if quote == '"' else rest.replace("''", "")
        if quote not in rest:
            return number
    return None


def _build(node, path, lines, loader, shown, report, budget, offset):
    """Turn a YAML node into Python data, recording the line of each path."""
    budget[0] -= 1
    if budget[0] < 0:
        if budget[0] == -1:
            report.error(shown, node.start_mark.line + 1 + offset,
                         "this file repeats parts of itself too many times (YAML aliases with * and &). "
                         "Write the values out in full instead.", code="yaml.aliases")
        return None
    lines.setdefault(path, node.start_mark.line + 1 + offset)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # resolves "<<" merge keys
        result = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                report.error(shown, key_node.start_mark.line + 1 + offset,
                             "a key must be a plain word, not a list or a group.", code="yaml.key")
                continue
            key = key_node.value
            line = key_node.start_mark.line + 1 + offset
            if key in result:
                report.error(shown, line, f'the key "{key}" appears twice in the same group '
                             f"(first on line {lines[path + (key,)]}). Keep one and delete the other.",
                             code="yaml.duplicate")
                continue
            lines[path + (key,)] = line
            result[key] = _build(value_node, path + (key,), lines, loader, shown, report, budget, offset)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, path + (i,), lines, loader, shown, report, budget, offset)
                for i, item in enumerate(node.value)]
    if node.tag == "tag:yaml.org,2002:str" or node.tag == "tag:yaml.org,2002:bool" and node.value.lower() not in BOOL_WORDS:
        return node.value  # text needs no constructing: most values are text (trial.yaml ~15% quicker)
    try:
        value = loader.construct_object(node, deep=True)
    except ValueError:
        return node.value  # e.g. the impossible date 2026-02-30: kept as text, the date check explains it
    except yaml.YAMLError as exc:
        report.error(shown, node.start_mark.line + 1 + offset, f"this value cannot be read: {exc}.",
                     code="yaml.value")
        return None
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()  # dates travel as ISO text; the schema checks the format
    if isinstance(value, bytes):
        report.error(shown, node.start_mark.line + 1 + offset, "binary values (!!binary) are not allowed.",
                     code="yaml.value")
        return None
    return value


def load_yaml_file(path: Path, report: Report, read: dict | None = None) -> YamlFile | None:
    text = read_text(path, report, YAML_LIMIT, read)
    if text is None:
        return None
    return parse_yaml(text, display_path(path), report)


def split_front_matter(text: str, shown: str, report: Report) -> tuple[YamlFile | None, str, int]:
    """(front matter, body, line where the body starts) of a Markdown section."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        report.error(shown, 1, "a section must start with a title between two lines of ---, like:\n"
                     "    ---\n    title: Who is being studied\n    ---", code="section.front-matter")
        return None, text, 1
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            meta = parse_yaml("\n".join(lines[1:i]), shown, report, line_offset=1)
            return meta, "\n".join(lines[i + 1:]), i + 2
    report.error(shown, 1, 'the front matter at the top is not closed: add a line with "---" after the title.',
                 code="section.front-matter")
    return None, text, 1


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

