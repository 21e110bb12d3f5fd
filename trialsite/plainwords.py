"""Plain words: the hard-word list, and the word-level checks every text a reader sees gets,
wherever it is written (a section, a fact in trial.yaml, a definition in glossary.yaml):
hard words and abbreviations the word list does not explain, and the hardest sentences.
"""
from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import reading
from .diagnostics import WARNING, Report
from .glossary import Glossary, Phrases
from .yamlfile import YamlFile, load_yaml_file

JARGON_FILE = Path(__file__).resolve().parent / "data" / "jargon.yaml"
LONG_SENTENCE = 25  # words
ABBREVIATION = re.compile(r"(?<![\w-])[A-Z][A-Z0-9]*[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*(?![\w-])")


@dataclass(frozen=True)
class Rules:
    """What the checks compare against: the site's target and the hard-word list."""

    target: float
    jargon: tuple[tuple[str, str | None], ...]  # (hard word, plain alternative or None)
    known_abbreviations: frozenset


def load_rules(content: Path, target: float, report: Report) -> Rules:
    """The shipped hard-word list, extended (or changed) by content/jargon.yaml if there is one."""
    jargon = dict(_shipped()[0])
    known = set(_shipped()[1])
    own = content / "jargon.yaml"
    if own.is_file():
        doc = load_yaml_file(own, report)
        if doc is not None and doc.data is not None:
            words, abbreviations = _jargon_entries(doc, report)
            jargon.update(words)
            known.update(abbreviations)
    return Rules(target, tuple(sorted(jargon.items())), frozenset(known))


@lru_cache(maxsize=1)
def _shipped() -> tuple[dict, list]:
    report = Report()
    doc = load_yaml_file(JARGON_FILE, report)
    assert doc is not None and not report.items, [d.format() for d in report.items]
    return _jargon_entries(doc, report)


def _jargon_entries(doc: YamlFile, report: Report) -> tuple[dict, list]:
    """words: {hard word: plain alternative or None}; known_abbreviations: [...] (no explaining needed)."""
    data = doc.data
    if not isinstance(data, dict):
        report.error(doc.path, 1, "jargon.yaml must have words: (hard words, each with a plain alternative or "
                     "nothing) and may have known_abbreviations: (a list). See the README.", code="jargon.type")
        return {}, []
    words, known = data.get("words") or {}, data.get("known_abbreviations") or []
    if not isinstance(words, dict) or not isinstance(known, list):
        report.error(doc.path, doc.line("words"), "words: must be a list of hard words, each followed by a colon "
                     "and a plain alternative (or nothing); known_abbreviations: must be a list.", code="jargon.type")
        return {}, []
    entries = {}
    for word, plain in words.items():
        if not isinstance(word, str) or not (plain is None or isinstance(plain, str)):
            report.error(doc.path, doc.line("words", word), f'"{word}: {plain}" is not a hard word with a plain '
                         'alternative. Write it like: administered: given', code="jargon.type")
            continue
        entries[word.lower()] = plain
    return entries, [str(a) for a in known]


@lru_cache(maxsize=8)
def _jargon_finder(jargon: tuple) -> Phrases:
    return Phrases(folded=[w for w, _ in jargon])


def hardest(sentences, target: float) -> str:
    """Up to three sentences above the target, hardest first (at least the hardest one)."""
    scored = sorted(((reading.grade(reading.as_text([s])), s) for s in sentences), key=lambda x: -x[0])
    scored = [item for item in scored[:3] if item[0] > target] or scored[:1]
    return "; ".join(f'line {s.line} (grade {g:g}) "{short(s.text)}"' for g, s in scored)


def short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def check_words(blocks, path: str, glossary: Glossary, rules: Rules, exempt: set, report: Report) -> None:
    """Abbreviations and hard words the glossary does not explain: once per file, with other lines named."""
    seen: dict[str, list] = {}
    plain_words = dict(rules.jargon)
    lines = [line for block in blocks for line in block.scan]
    text = "\n".join(t for _, t in lines)  # one pass over the whole text; lines found back by offset
    starts = list(itertools.accumulate((len(t) + 1 for _, t in lines[:-1]), initial=0))

    def line_at(offset: int) -> int:
        return lines[bisect.bisect_right(starts, offset) - 1][0]

    for match in ABBREVIATION.finditer(text):
        word = match.group(0)
        if word not in rules.known_abbreviations and word not in exempt and not glossary.knows(word):
            seen.setdefault(f"abbr:{word}", []).append(line_at(match.start()))
    glossary_spans = None
    for start, end in _jargon_finder(rules.jargon).find(text):
        word = text[start:end]
        if glossary.knows(word):
            continue
        if glossary_spans is None:  # a hard word may be part of a longer glossary word ("serious adverse event")
            glossary_spans = [(s, e) for s, e, _ in glossary.find(text)]
        if not any(s <= start and end <= e for s, e in glossary_spans):
            seen.setdefault(f"word:{word.lower()}", []).append(line_at(start))
    for key, lines in seen.items():
        kind, word = key.split(":", 1)
        others = sorted(set(lines[1:]) - {lines[0]})
        where = {"lines": ", ".join(map(str, others))} if others else {}
        also = " (also on lines %(lines)s)" if len(others) > 1 else " (also on line %(lines)s)" if others else ""
        if kind == "abbr":
            report.say("plain.abbreviation", WARNING, path, lines[0], ABBREVIATION_MESSAGES[also], word=word, **where)
            continue
        plain = plain_words.get(word)
        if plain:
            report.say("plain.jargon", WARNING, path, lines[0], JARGON_MESSAGES[also], word=word, plain=plain, **where)
        else:
            report.say("plain.jargon", WARNING, path, lines[0], UNEXPLAINED_MESSAGES[also], word=word, **where)


# The messages above, written out for each case so that each can be translated whole (preview panel).
ABBREVIATION_MESSAGES = {
    "": '"%(word)s" is an abbreviation that is not explained. Write it out in plain words, or add it to '
        "glossary.yaml, under abbreviations: of the word it is short for.",
    " (also on line %(lines)s)": '"%(word)s" is an abbreviation that is not explained (also on line %(lines)s). '
        "Write it out in plain words, or add it to glossary.yaml, under abbreviations: of the word it is short for.",
    " (also on lines %(lines)s)": '"%(word)s" is an abbreviation that is not explained (also on lines %(lines)s). '
        "Write it out in plain words, or add it to glossary.yaml, under abbreviations: of the word it is short for.",
}
JARGON_MESSAGES = {
    "": '"%(word)s" is a hard word for many readers. Say "%(plain)s" instead, or add it to glossary.yaml.',
    " (also on line %(lines)s)": '"%(word)s" is a hard word for many readers (also on line %(lines)s). Say '
        '"%(plain)s" instead, or add it to glossary.yaml.',
    " (also on lines %(lines)s)": '"%(word)s" is a hard word for many readers (also on lines %(lines)s). Say '
        '"%(plain)s" instead, or add it to glossary.yaml.',
}
UNEXPLAINED_MESSAGES = {
    "": '"%(word)s" is a hard word for many readers. Explain it in plain words, or add it to glossary.yaml.',
    " (also on line %(lines)s)": '"%(word)s" is a hard word for many readers (also on line %(lines)s). Explain it '
        "in plain words, or add it to glossary.yaml.",
    " (also on lines %(lines)s)": '"%(word)s" is a hard word for many readers (also on lines %(lines)s). Explain it '
        "in plain words, or add it to glossary.yaml.",
}


def own_names(facts: dict) -> set:
    """Names the trial itself defines (drug codes, registry numbers): shown in Key facts, so not flagged."""
    names: set = set()
    for key in ("short_name",):
        if isinstance(facts.get(key), str):
            names.update(facts[key].split())
    for item in facts.get("interventions") or []:
        if isinstance(item, dict):
            for name in [item.get("name"), *(item.get("other_names") or [])]:
                if name:
                    names.update(str(name).split())
    for item in facts.get("registrations") or []:
        if isinstance(item, dict) and item.get("id"):
            names.add(str(item["id"]))
    for item in facts.get("conditions") or []:
        if isinstance(item, dict) and item.get("abbr"):
            names.add(str(item["abbr"]))
    return names
