"""Merge: a newer registry record's facts into the editor's trial.yaml, and the list of what changed.

The record owns its facts (RECORD_KEYS) and, in a wording, the `official` text. The editor owns
everything else and it is never overwritten or dropped: title, summary, their own keys, a plain
wording (`plain:` and language keys, or a wording written as plain text), an abbr on a
condition, a note on a place. Works in place on ruamel's data (yamledit.py), so every comment
and every unchanged line stays as it was. Wordings are compared by their official words; an
editor's plain wording is kept even when the official words change, and the report says where.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from . import words
from .rewrite import VALUE_PREFIX
from .wording import LANGUAGE_KEY, OWN_KEYS
from .yamledit import delete, insert, plain, replace

# Facts that come from the record. Everything else in trial.yaml is the editor's.
RECORD_KEYS = ("official_title", "short_name", "status", "phase", "study_type", "enrollment", "conditions",
               "population", "interventions", "outcomes", "sponsor", "collaborators", "locations", "contacts",
               "start_date", "completion_date")
ORDER = ("title", "official_title", "short_name", "summary", "registrations", "status", "phase", "study_type",
         "enrollment", "conditions", "population", "interventions", "outcomes", "sponsor", "collaborators",
         "locations", "contacts", "start_date", "completion_date", "last_reviewed", "written_by", "reviewed_by",
         "sources")
LABELS = {"enrollment.count": "enrollment", "enrollment.kind": "enrollment kind"}
# Groups whose keys the record writes: a key the record no longer gives is removed; other keys
# (the editor's) stay.
GROUP_KEYS = {"enrollment": {"count", "kind"}, "sponsor": {"name"}, "outcomes": {"primary", "secondary", "other"},
              "population": {"min_age", "max_age", "sexes", "healthy_volunteers", "inclusion", "exclusion"}}


@dataclass(frozen=True)
class Items:
    """How to merge one list of the record's items (conditions, places, ...)."""

    same: tuple[str, ...]  # an old and a new item are the same item when these agree
    removed: frozenset  # keys the record writes and removes when it stops giving them
    wordings: frozenset = frozenset()  # keys whose values are wordings (plain-facts-spec.md)
    reworded: bool = False  # an unmatched item in the same place is the same item, reworded
    first_of: bool = False  # only the first of `same` that the item has counts (a contact's name, else email)

    def key(self, item) -> tuple | None:
        if not isinstance(item, dict):
            return None
        texts = tuple(_norm(official_text(item.get(k)) if k in self.wordings else plain(item.get(k)))
                      for k in self.same)
        return next(((k, t) for k, t in zip(self.same, texts) if t), ()) if self.first_of else texts


ITEMS = {
    "conditions": Items(("name",), frozenset(), frozenset({"name"}), True),
    # route: the editor may have written one the record never states, so it is not removed
    "interventions": Items(("name",), frozenset({"other_names", "kind"}), frozenset({"name", "route"}), True),
    "outcomes": Items(("measure",), frozenset({"time_frame"}), frozenset({"measure", "time_frame"}), True),
    "locations": Items(("facility", "city", "state", "country"),
                       frozenset({"facility", "city", "state", "country", "status", "contacts"})),
    "contacts": Items(("name", "email", "phone"), frozenset({"name", "role", "phone", "email"}), first_of=True),
}
FIXED_ROUTES = set(words.ROUTES)  # a route written as one of these is a fixed value, not the editor's wording


@dataclass
class Change:
    """One line of the change report. A line about a plain wording the editor should check
    names its line in trial.yaml: `node` is that wording, found again once the file is written."""

    text: str
    node: object = None


def is_wording_group(value) -> bool:
    return isinstance(value, dict) and bool(value) and all(
        isinstance(k, str) and (k in OWN_KEYS or LANGUAGE_KEY.match(k)) for k in value)


def is_placeholder(value) -> bool:
    return isinstance(value, str) and value.strip().upper() == VALUE_PREFIX


def has_plain(value) -> bool:
    """The editor wrote a plain wording: a text, or a group with a `plain:` that is not TO REWRITE."""
    text = value.get("plain") if is_wording_group(value) else value
    return isinstance(text, str) and bool(text.strip()) and not is_placeholder(text)


def official_text(value) -> str | None:
    """What a wording says in the record's words: its `official`, or the text of a plain string."""
    if is_wording_group(value):
        return value.get("official") if isinstance(value.get("official"), str) else None
    return value if isinstance(value, str) else None


def _norm(text) -> str:
    return " ".join(str(text).split()).casefold() if text is not None else ""


def ruamel(value):
    """New data as ruamel's types: groups and lists that can carry comments later, block style,
    texts of several lines as | blocks (as the importer always wrote them)."""
    if isinstance(value, dict):
        return CommentedMap((k, ruamel(v)) for k, v in value.items())
    if isinstance(value, list):
        return CommentedSeq(ruamel(v) for v in value)
    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value.replace("\r\n", "\n"))
    return value


def ordered(facts: dict) -> CommentedMap:
    """A new trial.yaml's data: keys in the usual order, then any others."""
    keys = [k for k in ORDER if k in facts] + [k for k in facts if k not in ORDER]
    return ruamel({k: facts[k] for k in keys})


class Merger:
    """Puts one record's facts (ctgov.Mapper.facts()) into trial.yaml's data, in place."""

    def __init__(self, doc: CommentedMap):
        self.doc = doc
        self.changes: list[Change] = []

    def apply(self, new: dict) -> list[Change]:
        for key in RECORD_KEYS:
            if key in new:
                self.put(self.doc, key, new[key], key, ORDER)
            elif key in self.doc:
                self.note(key, self.doc[key], None)
                delete(self.doc, key)
        self.registrations(new["registrations"])
        self.source(new["sources"])
        return self.changes

    # --- the record's own bookkeeping: its registration and its source entry -------------

    def registrations(self, new: list) -> None:
        regs = self.doc.get("registrations")
        if not isinstance(regs, list):
            self.put(self.doc, "registrations", new, "registrations", ORDER, quiet=True)
            return
        for reg in new:
            same = [r for r in regs if isinstance(r, dict) and str(r.get("id", "")).strip() == reg["id"]]
            if same:
                self.group(same[0], reg, "registrations", set(), quiet=True)
            else:
                insert(regs, 0, None, ruamel(reg))

    def source(self, new: dict) -> None:
        sources = self.doc.get("sources")
        if not isinstance(sources, dict):
            self.put(self.doc, "sources", new, "sources", ORDER, quiet=True)
            return
        for key, entry in new.items():
            if isinstance(sources.get(key), dict):
                self.group(sources[key], entry, "sources", set(), quiet=True)
            else:
                self.put(sources, key, entry, "sources", (), quiet=True)

    # --- values ----------------------------------------------------------------------------

    def put(self, parent, key, new, label: str, order, quiet: bool = False) -> None:
        """parent[key] becomes the record's value, changing as little as possible."""
        if key not in parent:
            insert(parent, _position(parent, key, order), key, ruamel(new))
            if not quiet:
                self.note(label, None, new)
            return
        old = parent[key]
        items = ITEMS.get(label.split(".")[0])
        if items and isinstance(new, list) and all(isinstance(i, dict) for i in new) and isinstance(old, list):
            self.items(old, new, label, items)
        elif isinstance(new, dict) and isinstance(old, dict) and not is_wording_group(new):
            self.group(old, new, label, GROUP_KEYS.get(label, set()), quiet)
        elif plain(old) != new and not _same_value(old, new):
            if not quiet:
                self.note(label, old, new)
            replace(parent, key, _like(old, new))

    def group(self, old, new: dict, label: str, removed: set, quiet: bool = False) -> None:
        keys = list(new)
        for key in keys:
            self.put(old, key, new[key], f"{label}.{key}", keys, quiet)
        for key in [k for k in old if k in removed and k not in new]:
            if not quiet:
                self.note(f"{label}.{key}", old[key], None)
            delete(old, key)

    def wording(self, parent, key, new, label: str, order=()) -> None:
        """A wording: the record owns `official`, the editor owns `plain` and other languages."""
        official = official_text(new)
        if key not in parent:
            insert(parent, _position(parent, key, order), key, ruamel(new))
            self.note(label, None, official)
            return
        old = parent[key]
        if _norm(official_text(old)) == _norm(official):
            return
        if is_wording_group(old):
            before = official_text(old)
            if "official" in old:
                replace(old, "official", official)
            else:
                insert(old, len(old), "official", official)
            self.changes.append(Change(f"{label}: official wording changed: {_show(before)} → {official}", old)
                                if has_plain(old) else Change(f"{label}: {_show(before)} → {official}"))
        elif has_plain(old) and not (isinstance(new, str) and old in FIXED_ROUTES):
            group = CommentedMap([("plain", old), ("official", official)])  # the editor's words, kept
            replace(parent, key, group)
            self.changes.append(Change(f"{label}: official wording is now “{official}”", group))
        else:  # a value the record wrote itself (a route), or nothing usable
            self.note(label, old, official)
            replace(parent, key, ruamel(new))

    def items(self, old: list, new: list, label: str, how: Items) -> None:
        """A list of the record's items: matched items updated in place (the editor's keys and
        wordings kept), items the record dropped removed, new ones added where the record has them."""
        pairs = _match(old, new, how)
        gone = [i for i in range(len(old)) if i not in pairs.values()]
        added = [n for n in range(len(new)) if n not in pairs]
        parts = []
        if added:
            parts.append("added " + _some([_name(new[n]) for n in added]))
        if gone:
            parts.append("removed " + _some([_name(old[i]) for i in gone]))
        if parts:
            self.changes.append(Change(f"{label}: {'; '.join(parts)}"))
        nodes = {n: old[i] for n, i in pairs.items()}
        for index in reversed(gone):
            delete(old, index)
        at = 0  # where the next new item goes: after the item before it in the record
        for n, item in enumerate(new):
            if n in nodes:
                self.item(nodes[n], item, f"{label}: {_name(nodes[n])}", how)
                at = _find(old, nodes[n], at) + 1
            else:
                insert(old, at, None, ruamel(item))
                at += 1

    def item(self, node, new: dict, label: str, how: Items) -> None:
        for key in new:
            if key in how.wordings:
                self.wording(node, key, new[key], label if key == how.same[0] else f"{label}: {key}", list(new))
            else:
                self.put(node, key, new[key], f"{label}: {key}", list(new))
        for key in [k for k in node if k in how.removed and k not in new]:
            self.note(f"{label}: {key}", official_text(node[key]) if key in how.wordings else node[key], None)
            delete(node, key)

    def note(self, label: str, old, new) -> None:
        """A change in plain words, like "status: recruiting → completed"."""
        old, new = plain(old), plain(new)
        if isinstance(old, dict) or isinstance(new, dict):
            old, new = old if isinstance(old, dict) else {}, new if isinstance(new, dict) else {}
            for key in list(old) + [k for k in new if k not in old]:
                if old.get(key) != new.get(key):
                    self.note(f"{label}.{key}", old.get(key), new.get(key))
            return
        if isinstance(old, list) or isinstance(new, list):
            before, after = [_name(i) for i in old or []], [_name(i) for i in new or []]
            added = [i for i in dict.fromkeys(after) if i not in set(before)]
            removed = [i for i in dict.fromkeys(before) if i not in set(after)]
            parts = (["added " + _some(added)] if added else []) + (["removed " + _some(removed)] if removed else [])
            self.changes.append(Change(f"{LABELS.get(label, label)}: {'; '.join(parts) or 'details changed'}"))
            return
        self.changes.append(Change(f"{LABELS.get(label, label)}: {_show(old)} → {_show(new)}"))


def _match(old: list, new: list, how: Items) -> dict[int, int]:
    """new index -> old index of the same item: the same identifying words first, then (for
    wordings) an item left over in the same place, which the record has reworded."""
    waiting: dict = {}
    for i, item in enumerate(old):
        waiting.setdefault(how.key(item), []).append(i)
    pairs = {}
    for n, item in enumerate(new):
        found = waiting.get(how.key(item))
        if found:
            pairs[n] = found.pop(0)
    if how.reworded:  # only to keep what the editor wrote: a TO REWRITE item is simply replaced
        used = set(pairs.values())
        for n in range(min(len(new), len(old))):
            if n not in pairs and n not in used and isinstance(old[n], dict) and has_plain(old[n].get(how.same[0])):
                pairs[n] = n
                used.add(n)
    return pairs


def _find(items: list, node, start: int) -> int:
    """Where node is in items: looked for from start first (items usually keep their order, and
    a record can list thousands of places), then from the beginning."""
    for i in range(start, len(items)):
        if items[i] is node:
            return i
    return next(i for i in range(start) if items[i] is node)


def _position(parent, key, order) -> int:
    """Where a new key goes: after the last key that comes before it in `order`, else at the end."""
    if key not in order:
        return len(parent)
    before = [k for k in order[:list(order).index(key)] if k in parent]
    return list(parent).index(before[-1]) + 1 if before else 0


def _same_value(old, new) -> bool:
    """The same fact written another way: phase: 2 for "2", a date for its text."""
    value = plain(old)
    return isinstance(new, str) and not isinstance(value, bool) and str(value) == new


def _like(old, new):
    """The new value written the way the old one was: quoted if it was, a date if it was."""
    if isinstance(new, str) and isinstance(old, datetime.date) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", new):
        return datetime.date.fromisoformat(new)
    if isinstance(new, str) and isinstance(old, str) and type(old) is not str and "\n" not in new:
        return type(old)(new)  # the same quotes
    if isinstance(old, list) and isinstance(new, list):
        seq = ruamel(new)
        if getattr(old, "fa", None) is not None and old.fa.flow_style():
            seq.fa.set_flow_style()
        return seq
    return ruamel(new)


def _name(item) -> str:
    """How the change report names an item: its name or measure, or the place and its city."""
    if not isinstance(item, dict):
        return str(plain(item))
    for key in ("name", "measure"):
        if item.get(key) is not None:
            value = item[key]
            return str(official_text(value) or (value.get("plain") if isinstance(value, dict) else value))
    place = item.get("facility") or item.get("city")
    if place:
        return str(place) + (f" ({item['city']})" if item.get("facility") and item.get("city") else "")
    return str(plain(item))


def paths_of(doc, nodes: list) -> dict[int, tuple]:
    """id(node) -> its path in doc, e.g. ("conditions", 0, "name"), for the nodes asked for."""
    wanted, found, stack = {id(n) for n in nodes}, {}, [((), doc)]
    while stack and len(found) < len(wanted):
        path, value = stack.pop()
        if id(value) in wanted:
            found[id(value)] = path
        if isinstance(value, dict):
            stack.extend((path + (k,), v) for k, v in value.items() if isinstance(v, (dict, list)))
        elif isinstance(value, list):
            stack.extend((path + (i,), v) for i, v in enumerate(value) if isinstance(v, (dict, list)))
    return found


def _some(names: list[str]) -> str:
    shown = ", ".join(names[:5])
    return shown + (f" and {len(names) - 5} more" if len(names) > 5 else "")


def _show(value) -> str:
    return "(none)" if value is None else str(value)
