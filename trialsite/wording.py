"""Wording: a free-text fact as readers see it: the editor's plain words, the registry's
official words beside them, and the plain words in the site's other languages.

In trial.yaml a wording is either text (the plain wording) or a group:

    measure:
      plain: Side effects serious enough to stop the dose going up
      official: Dose-limiting toxicities
      fr: Effets secondaires assez graves pour ne pas augmenter la dose

After validation every wording in a trial's facts is a Wording: a str whose value is the text
to show, so templates and code written for plain text keep working, with the rest as attributes.
Some values are fixed words with a plain label in the translation catalogs (a route written as
"intravenous" reads "Into a vein"), so they are translated like the interface.
"""
from __future__ import annotations

import re

from . import i18n, words
from .rewrite import VALUE_PREFIX

LANGUAGE_KEY = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
OWN_KEYS = ("plain", "official")

# Where wordings live in trial.yaml: "*" is any list item or (for outcomes) any kind of list.
# A name or list that is either one text or a list of texts is written both ways.
PATHS = (
    ("conditions", "*", "name"),
    ("interventions", "*", "name"), ("interventions", "*", "role"), ("interventions", "*", "route"),
    ("outcomes", "*", "*", "measure"), ("outcomes", "*", "*", "time_frame"), ("outcomes", "*", "*", "description"),
    ("outcomes", "*", "*", "condition"),
    ("written_by",), ("written_by", "*"), ("reviewed_by",), ("reviewed_by", "*"),
    ("taking_part", "visits"), ("taking_part", "duration"), ("taking_part", "costs"), ("taking_part", "travel"),
    ("taking_part", "after"),
)
# Names of medicines are the same in every language (readers and doctors use them as they are).
NEUTRAL = {("interventions", "name")}
# Fixed values with a plain label of their own (words.py), by the key they are written under.
FIXED = {"route": words.ROUTES, "role": words.ROLES}


class Wording(str):
    """The text to show (a str), with where it came from.

    official: the registry's words, or None; plain: the editor wrote plain words (or they come
    from the catalogs); rewrite: the plain words still say TO REWRITE; lang: the language of the
    text shown; official_lang: the language of the official words; translations: {lang: text};
    catalog: the catalog text it was shown from, for fixed values; path and line: where it is
    written in trial.yaml (line of the plain words when there are some).
    """

    def __new__(cls, text: str, official: str | None = None, plain: bool = True, rewrite: bool = False,
                lang: str = "en", official_lang: str = "en", translations: dict | None = None,
                catalog: str | None = None, path: tuple = (), line: int = 0):
        self = super().__new__(cls, text)
        self.official, self.plain, self.rewrite = official, plain, rewrite
        self.lang, self.official_lang = lang, official_lang
        self.translations = translations or {}
        self.catalog, self.path, self.line = catalog, path, line
        self.default = text  # the words in the site's default language (in_language keeps them)
        return self

    def _fields(self) -> tuple:
        return (str(self), self.official, self.plain, self.rewrite, self.lang, self.official_lang,
                self.translations, self.catalog, self.path, self.line)

    def __reduce__(self):
        return (_rebuild, (self._fields(), self.default))

    def __eq__(self, other) -> bool:
        if isinstance(other, Wording):  # pages compare facts to know what to render again
            return self._fields() == other._fields()
        return str.__eq__(self, other)

    __hash__ = str.__hash__

    def __ne__(self, other) -> bool:
        return not self == other

    def __repr__(self) -> str:  # the site pages' cache key is made from repr (pipeline.py)
        return f"Wording{self._fields()!r}"

    @property
    def shows_official(self) -> bool:
        """The official words are worth a line of their own: they exist and say something else."""
        return bool(self.official) and self.official.casefold() != str(self).casefold()

    def in_language(self, lang: str, default: str) -> "Wording":
        """The same fact as readers of lang see it: their own plain words, or the default
        language's (marked with its lang) when there is no translation yet."""
        if self.catalog is not None:
            text = i18n.translations(lang).gettext(self.catalog)
            return self._with(text, lang if text != self.catalog or lang.startswith("en") else "en")
        if lang == default:
            return self
        own = self.translations.get(lang)
        if own:
            return self._with(own, lang)
        neutral = self.plain and (self.path[:1] + self.path[-1:]) in NEUTRAL
        return self._with(str(self), lang) if neutral else self

    def _with(self, text: str, lang: str) -> "Wording":
        made = Wording(text, self.official, self.plain, self.rewrite, lang, self.official_lang, self.translations,
                       self.catalog, self.path, self.line)
        made.default = self.default
        return made


def _rebuild(fields: tuple, default: str) -> Wording:
    made = Wording(*fields)
    made.default = default
    return made


def make(value, path: tuple, doc, lang: str, official_lang: str):
    """The Wording for a value written in trial.yaml (text or group); other values as they are
    (the schema reports them)."""
    key = path[-1] if path and isinstance(path[-1], str) else ""
    if isinstance(value, str):
        fixed = FIXED.get(key, {}).get(value.strip().lower())
        if fixed:
            official = value.strip() if key == "route" else None  # a route's own word is the one doctors use
            made = Wording(fixed, official, lang="en", catalog=fixed, path=path, line=doc.line(*path))
            return made.in_language(lang, lang)
        return Wording(value, lang=lang, path=path, line=doc.line(*path))
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        return value
    plain, official = value.get("plain"), value.get("official")
    rewrite = isinstance(plain, str) and plain.strip().upper() == VALUE_PREFIX
    has_plain = isinstance(plain, str) and bool(plain.strip()) and not rewrite
    if not has_plain and not official:
        return value
    translations = {k: v for k, v in value.items() if k not in OWN_KEYS and LANGUAGE_KEY.match(k) and v.strip()}
    text = plain if has_plain else official
    line = doc.line(*path, "plain") if "plain" in value else doc.line(*path, "official")
    return Wording(text, official or None, has_plain, rewrite, lang if has_plain else official_lang, official_lang,
                   translations, path=path, line=line)


def normalize(facts: dict, doc, lang: str) -> dict:
    """facts with every wording made a Wording (new dicts and lists where something changed)."""
    official_lang = facts.get("official_language") if isinstance(facts.get("official_language"), str) else "en"
    for pattern in PATHS:
        facts = _replace(facts, pattern, (), lambda value, path: make(value, path, doc, lang, official_lang))
    return facts


def _replace(value, pattern: tuple, path: tuple, change):
    """value with change(item, path) applied where pattern matches; copies only along the way."""
    if not pattern:
        return change(value, path)
    head, rest = pattern[0], pattern[1:]
    if head == "*":
        if isinstance(value, list):
            new = [_replace(item, rest, path + (i,), change) for i, item in enumerate(value)]
            return new if any(a is not b for a, b in zip(new, value)) else value
        if isinstance(value, dict) and rest:
            new = {k: _replace(v, rest, path + (k,), change) for k, v in value.items()}
            return new if any(new[k] is not value[k] for k in value) else value
        return value
    if not isinstance(value, dict) or head not in value:
        return value
    item = value[head]
    if rest and rest[0] == "*" and not isinstance(item, (list, dict)):
        return value  # "written_by" is one text here, not a list: its own pattern handles it
    if not rest and isinstance(item, list):
        return value  # ... and the other way round
    new_item = _replace(item, rest, path + (head,), change)
    return value if new_item is item else {**value, head: new_item}


def in_language(facts: dict, lang: str, default: str) -> dict:
    """The facts as readers of lang see them (Wording.in_language for every wording)."""
    for pattern in PATHS:
        facts = _replace(facts, pattern, (), lambda value, path: value.in_language(lang, default)
                         if isinstance(value, Wording) else value)
    return facts


def all_in(facts: dict) -> list[Wording]:
    """Every wording of a trial, in trial.yaml's order of paths."""
    found: list[Wording] = []
    for pattern in PATHS:
        _replace(facts, pattern, (), lambda value, path: found.append(value) if isinstance(value, Wording) else None)
    return sorted(found, key=lambda w: w.line)
