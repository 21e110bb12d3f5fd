"""YAML and text files: read a file safely and parse YAML into data with the line of every value.

Owns bytes and syntax: size limits, UTF-8, NUL bytes, invisible direction marks, safe YAML with
no duplicate keys and no alias bombs, front matter. Knows nothing about folders (load.py) or
what the keys mean (validate.py).
"""
from __future__ import annotations

import datetime
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from .diagnostics import Report

YAML_LIMIT = 1_000_000  # bytes per YAML file (issue 7)
NODE_LIMIT = 50_000  # values per YAML file, after aliases are expanded
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
