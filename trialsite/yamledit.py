"""Round-trip YAML for the one file trialsite rewrites for editors: trial.yaml (import, refresh).

ruamel.yaml keeps comments, blank lines, key order and quoting with the data. Two things it
does not do by itself, done here:
- a comment or blank line sits *after* an entry in ruamel's model, but an editor wrote it above
  the next one: `insert`, `replace` and `delete` keep it above the entry it was written for;
- ruamel re-wraps some text on the way out (a long line, a value folded over several lines):
  `rewrite` keeps every line whose data did not change exactly as the editor wrote it.
Nothing here knows what the keys mean (merge.py does).
"""
from __future__ import annotations

import datetime
import difflib
import io
import re

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

# Never wrap: one line per value keeps the diff of a refresh readable (and ruamel leaves a space
# at the end of each line it wraps).
WIDTH = 1_000_000


class Unreadable(ValueError):
    """ruamel could not read the file (the build's own checks say where and why, in plain words)."""


def _yaml(mapping: int = 2, sequence: int = 4, offset: int = 2) -> YAML:
    y = YAML()  # round-trip: comments, order, flow style
    y.preserve_quotes = True
    y.width = WIDTH
    y.indent(mapping=mapping, sequence=sequence, offset=offset)
    y.representer.add_representer(type(None), lambda r, _: r.represent_scalar("tag:yaml.org,2002:null", "null"))
    return y


def load(text: str):
    """The data of a YAML text, with its comments; Unreadable if it is not valid YAML."""
    try:
        return _yaml().load(text)
    except (YAMLError, ValueError, RecursionError) as exc:
        raise Unreadable(str(exc).split("\n", 1)[0]) from exc


# "key:" then (after blank or comment lines) the first line of its value, indented
_NESTED = re.compile(r"^( *)[^\s#-][^\n]*:[ \t]*\n(?:[ \t]*(?:#[^\n]*)?\n)*( *)(- )?", re.M)


def indents(text: str) -> tuple[int, int, int]:
    """(mapping, sequence, offset) as ruamel counts them, from the first nested group and list
    of text: "  - name: x" under a key is (2, 4, 2), "- name: x" is (2, 2, 0)."""
    mapping, offset = None, None
    for match in _NESTED.finditer(text):
        step = len(match.group(2)) - len(match.group(1))
        if match.group(3) and offset is None and step >= 0:
            offset = step
        elif not match.group(3) and mapping is None and step > 0:
            mapping = step
        if mapping is not None and offset is not None:
            break
    offset = 2 if offset is None else offset
    return mapping or 2, offset + 2, offset


def dump(data, like: str | None = None) -> str:
    """data as YAML text, indented like the text `like` (trial.yaml's own style) when given."""
    out = io.StringIO()
    _yaml(*indents(like or "")).dump(data, out)
    return out.getvalue()


def plain(value):
    """ruamel's data as plain Python (dict, list, str, int, ...), to compare with other data."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    for kind in (str, int, float):
        if isinstance(value, kind):
            return kind(value)
    return value


def has_aliases(data) -> bool:
    """Whether a group or list appears twice (YAML's & and *): such data can expand without end."""
    seen, stack = set(), [data]
    while stack:
        value = stack.pop()
        if isinstance(value, (dict, list)):
            if id(value) in seen:
                return True
            seen.add(id(value))
            stack.extend(value.values() if isinstance(value, dict) else value)
    return False


def lines_of(text: str, paths: list[tuple]) -> dict[tuple, int]:
    """The line (1-based) of each path's key or item in a YAML text, e.g. ("conditions", 0, "name")."""
    if not paths:
        return {}
    root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    found = {}
    for path in paths:
        node, line = root, None
        for step in path:
            if isinstance(node, yaml.MappingNode):
                pair = next(((k, v) for k, v in node.value if k.value == step), None)
                node, line = (pair[1], pair[0].start_mark.line + 1) if pair else (None, None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
                node = node.value[step]
                line = node.start_mark.line + 1
            else:
                node = None
            if node is None:
                break
        if node is not None:
            found[path] = line
    return found


# --- comments that belong above the next entry --------------------------------------------

def _tail(node, key):
    """(collection, key) holding the comment written after this entry: its last, deepest value."""
    value = node[key]
    while isinstance(value, (CommentedMap, CommentedSeq)) and len(value) and not value.fa.flow_style():
        node, key = value, (next(reversed(value)) if isinstance(value, CommentedMap) else len(value) - 1)
        value = node[key]
    return node, key


def _slot(node) -> int:
    return 2 if isinstance(node, CommentedMap) else 0


def take_gap(node, key):
    """Remove and return the comment (and blank lines) between this entry and the next one."""
    holder, at = _tail(node, key)
    entry = holder.ca.items.get(at)
    if not entry or entry[_slot(holder)] is None:
        return None
    token, entry[_slot(holder)] = entry[_slot(holder)], None
    return token


def give_gap(node, key, token) -> None:
    """Put a comment taken with take_gap after this entry (after its own, if it has one)."""
    if token is None:
        return
    holder, at = _tail(node, key)
    entry = holder.ca.items.setdefault(at, [None, None, None, None])
    slot = _slot(holder)
    if entry[slot] is None:
        entry[slot] = token
    else:
        own = entry[slot].value
        entry[slot].value = own + (token.value if own.endswith("\n") else "\n" + token.value.lstrip(" "))


def replace(node, key, value) -> None:
    """node[key] = value, the comments after the old value kept after the new one."""
    gap = take_gap(node, key)
    node[key] = value
    give_gap(node, key, gap)


def insert(node, position: int, key, value) -> None:
    """A new entry at position (a mapping key, or a list item when key is None): the comment
    that was above the entry now at that position stays above it."""
    before = (list(node)[position - 1] if isinstance(node, CommentedMap) else position - 1) if position else None
    gap = take_gap(node, before) if before is not None else None
    if isinstance(node, CommentedMap):
        node.insert(position, key, value)
    else:
        node.insert(position, value)
        key = position
    give_gap(node, key, gap)


def delete(node, key) -> None:
    """Remove an entry; the comment written below it stays, above the entry that followed."""
    keys = list(node) if isinstance(node, CommentedMap) else list(range(len(node)))
    index = keys.index(key)
    gap = take_gap(node, key)
    del node[key]
    if index:
        give_gap(node, keys[index - 1], gap)
    elif gap is not None and len(node):  # the first entry: the comment goes above the new first one
        first = next(iter(node)) if isinstance(node, CommentedMap) else 0
        node.ca.items.setdefault(first, [None, None, None, None])[1] = [gap]


# --- writing with the fewest changed lines ------------------------------------------------

class Document:
    """A YAML text and its data, to change in place and write back with the fewest changed lines."""

    def __init__(self, text: str):
        self.text = text
        self.data = load(text)
        self.before = plain(self.data)
        self.base = dump(self.data, like=text)  # ruamel's own writing of the text, before any change

    def changed(self) -> bool:
        return plain(self.data) != self.before

    def write(self) -> str:
        """The new text: ruamel's, except the lines it would only re-format, kept as written."""
        new = dump(self.data, like=self.text)
        if self.base == self.text:
            return new
        merged = "".join(_merge3(self.text.splitlines(True), self.base.splitlines(True), new.splitlines(True)))
        try:  # a safety net: the kept lines must not change what the file says
            same = plain(yaml.load(merged, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))) == plain(self.data)
        except yaml.YAMLError:
            same = False
        return merged if same else new


def _regions(base: list, other: list, side: str) -> list:
    """The changes from base to other: (start, end) in base, the lines other has there, side."""
    matcher = difflib.SequenceMatcher(None, base, other, autojunk=False)
    return [(i1, i2, other[j1:j2], side) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def _merge3(original: list, base: list, new: list) -> list:
    """diff3. base is ruamel's re-formatting of original; new is base with the facts changed.
    The editor's formatting (base -> original) and the changed facts (base -> new) are both
    kept; where they touch the same lines, the changed facts win."""
    changes = sorted(_regions(base, original, "kept") + _regions(base, new, "new"), key=lambda c: (c[0], c[1]))
    out, at, i = [], 0, 0
    while i < len(changes):
        group, start, end = [changes[i]], changes[i][0], changes[i][1]
        i += 1
        while i < len(changes) and (changes[i][0] < end or changes[i][0] == changes[i][1] == start == end):
            group.append(changes[i])
            end = max(end, changes[i][1])
            i += 1
        if len({side for *_, side in group}) > 1:
            group = [change for change in group if change[3] == "new"]
        out.extend(base[at:start])
        at = start
        for s, e, lines, _ in group:
            out.extend(base[at:s])
            out.extend(lines)
            at = e
        out.extend(base[at:end])
        at = end
    out.extend(base[at:])
    return out
