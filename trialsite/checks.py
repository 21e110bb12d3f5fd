"""Checks: is a trial page easy to read, explained and sourced? (python build.py check)

Runs on every resolved trial page, in the same worker as the rest of its work, so results
are cached with the page. Findings are ordinary diagnostics (file:line) with codes starting
"plain."; the reading grades travel on the page for the build summary and the preview panel.
"""
from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import annexv, reading
from .diagnostics import INFO, Report
from .glossary import Glossary, Phrases
from .load import YamlFile, load_yaml_file

JARGON_FILE = Path(__file__).resolve().parent / "data" / "jargon.yaml"
LONG_SENTENCE = 25  # words
ABBREVIATION = re.compile(r"(?<![\w-])[A-Z][A-Z0-9]*[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*(?![\w-])")
NUMBER = re.compile(r"\d|%|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
                    r"fifty|hundred|thousand|million|half|twice|percent)\b", re.I)
FACT = re.compile(r"\{\{\s*trial\.([^}]*?)\s*\}\}")
BE = r"(?:am|is|are|was|were|be|been|being)"
IRREGULAR = ("given|taken|done|seen|known|shown|made|found|told|sent|kept|held|chosen|written|drawn|grown|"
             "paid|put|set|brought|bought|caught|taught|thought|left|lost|meant|met|read|said|sold|spent|"
             "understood|won|led|fed|hidden|begun|broken|driven|eaten|fallen|forgotten|frozen|spoken|stolen|"
             "thrown|worn|withdrawn|undertaken|overseen|cut|hurt|let|shut|split|spread")
NOT_PARTICIPLES = {"indeed", "need", "red", "bed", "speed", "seed", "feed", "proceed", "exceed", "succeed",
                   "hundred", "naked", "sacred", "wicked", "shed", "tired", "interested", "married", "scared",
                   "worried", "excited", "pleased", "ashamed", "bored", "confused", "supposed", "used"}
PASSIVE = re.compile(rf"\b{BE}\s+(?:not\s+)?(?:\w+ly\s+)?(\w+ed|{IRREGULAR})\b", re.I)
# "the the", or "11 years years old" when a fact from trial.yaml already holds its unit.
REPEATED = re.compile(r"\b([A-Za-z]+)\s+\1\b", re.I)
REPEATS_ON_PURPOSE = {"had", "that"}


class _Grades:
    """Shared by the readings of a section and of a page."""

    __slots__ = ()

    words: int
    sentences: int

    @property
    def words_per_sentence(self) -> float:
        return round(self.words / self.sentences, 1) if self.sentences else 0.0


@dataclass(frozen=True, slots=True)
class SectionReading(_Grades):
    path: str
    title: str
    grade: float
    words: int
    sentences: int


@dataclass(frozen=True, slots=True)
class PageReading(_Grades):
    """Reading grades of a trial page: the whole page (summary + sections) and each section."""

    grade: float
    words: int
    sentences: int
    sections: tuple[SectionReading, ...]
    uncited: tuple[tuple[str, str], ...] = ()  # (path, sentence): highlighted in the preview


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


def check_page(page, glossary: Glossary, rules: Rules, report: Report) -> PageReading:
    """Every plain-language check on one resolved trial page; returns its reading grades."""
    trial = page.trial
    exempt = _own_names(trial.facts)
    texts = [("summary", "The main message", trial.path, trial.yaml.line("summary"),
              page.trial.facts.get("summary") if isinstance(page.trial.facts.get("summary"), str) else "")]
    texts += [(s.id, s.title, s.path, _body_line(trial, s.path), s.markdown) for s in page.sections]
    all_sentences, sections, uncited, total = [], [], [], reading.Counts()
    for kind, title, path, first_line, markdown in texts:
        blocks = reading.blocks(markdown, first_line)
        sentences = [s for b in blocks for s in reading.sentences(b)]
        all_sentences += sentences
        uncited += [(path, s.text) for s in sentences if _needs_source(s)]
        _check_sentences(sentences, path, report)
        _check_words(blocks, path, glossary, rules, exempt, report)
        counts = reading.counts(reading.as_text(sentences))
        total += counts
        if kind == "summary":
            continue
        section = SectionReading(path, title, counts.grade, sum(s.words for s in sentences), len(sentences))
        sections.append(section)
        if section.grade > rules.target:
            report.warning(path, first_line, f"this section reads at school grade {section.grade:g}, above the "
                           f"target of {rules.target:g}. Use shorter sentences and simpler words. "
                           f"Hardest sentences: {_hardest(sentences, rules.target)}.", code="plain.grade")
    result = PageReading(total.grade, sum(s.words for s in all_sentences), len(all_sentences),
                         tuple(sections), tuple(uncited))
    if result.grade > rules.target:
        report.warning(trial.path, 0, f"the whole page reads at school grade {result.grade:g}, above the target of "
                       f"{rules.target:g}. The sections above it are listed as warnings too.", code="plain.grade")
    _check_unmentioned_facts(trial, page.sections, report)
    annexv.check(trial, report)  # finished trials: the parts of a summary of results, and its numbers
    return result


def _needs_source(sentence) -> bool:
    return not sentence.cited and bool(NUMBER.search(sentence.text))


def _body_line(trial, path: str) -> int:
    return next((s.body_line for s in trial.sections if s.path == path), 1)


def _hardest(sentences, target: float) -> str:
    """Up to three sentences above the target, hardest first (at least the hardest one)."""
    scored = sorted(((reading.grade(reading.as_text([s])), s) for s in sentences), key=lambda x: -x[0])
    scored = [item for item in scored[:3] if item[0] > target] or scored[:1]
    return "; ".join(f'line {s.line} (grade {g:g}) "{_short(s.text)}"' for g, s in scored)


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def _check_sentences(sentences, path: str, report: Report) -> None:
    for s in sentences:
        if _needs_source(s):
            report.warning(path, s.line, f'"{_short(s.text)}" gives a number or a fact but has no source. '
                           "Add [@key] at the end of the sentence or of its paragraph.", code="plain.uncited")
        if s.words > LONG_SENTENCE:
            report.warning(path, s.line, f'this sentence has {s.words} words ("{_short(s.text, 50)}"). '
                           f"Split it into sentences of {LONG_SENTENCE} words or fewer: one idea each.",
                           code="plain.long")
        repeated = REPEATED.search(s.text)
        if repeated and repeated.group(1).lower() not in REPEATS_ON_PURPOSE:
            report.warning(path, s.line, f'"{repeated.group(0)}": the same word twice in a row. Delete one. If a fact '
                           "from trial.yaml is just before it, the fact may already say that word.", code="plain.repeated")
        passive = PASSIVE.search(s.text)
        if passive and passive.group(1).lower() not in NOT_PARTICIPLES:
            report.add("plain.passive", INFO, path, s.line, f'"{passive.group(0)}" may be passive. Saying who does '
                       'it is often clearer ("the nurse gives you", not "you are given").')


def _check_words(blocks, path: str, glossary: Glossary, rules: Rules, exempt: set, report: Report) -> None:
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
        also = f" (also on line{'s' * (len(others) > 1)} {', '.join(map(str, others))})" if others else ""
        if kind == "abbr":
            message = (f'"{word}" is an abbreviation that is not explained{also}. Write it out in plain words, or add '
                       f"it to glossary.yaml with stands_for: and a definition.")
        else:
            plain = plain_words.get(word)
            instead = f'Say "{plain}" instead, or' if plain else "Explain it in plain words, or"
            message = f'"{word}" is a hard word for many readers{also}. {instead} add it to glossary.yaml.'
        report.warning(path, lines[0], message, code="plain.abbreviation" if kind == "abbr" else "plain.jargon")


def _own_names(facts: dict) -> set:
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


# Facts readers most need in the text, not only in the Key facts box.
MENTION = (("enrollment", "count"), ("population", "min_age"), ("population", "max_age"))


def _check_unmentioned_facts(trial, sections, report: Report) -> None:
    """Information: a key fact from trial.yaml that no section refers to or states."""
    referenced = {re.sub(r"\s+", "", m) for s in trial.sections for m in FACT.findall(s.body)}
    text = " ".join(s.markdown for s in sections).lower()
    facts = trial.facts
    wanted = [(path, _get(facts, path)) for path in MENTION]
    for list_key in ("conditions", "interventions"):
        for i, item in enumerate(facts.get(list_key) or []):
            if isinstance(item, dict) and item.get("name"):
                wanted.append(((list_key, i, "name"), item["name"]))
    for path, value in wanted:
        if value is None or isinstance(value, bool):
            continue
        dotted = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in path).replace(".[", "[")
        if dotted in referenced or str(value).lower() in text:
            continue
        report.add("plain.unmentioned", INFO, trial.path, trial.yaml.line(*path),
                   f'no section mentions {dotted} ({value}). Readers see it under Key facts; if it matters to them, '
                   f"say it in a section with {{{{ trial.{dotted} }}}}.")


def _get(facts: dict, path: tuple):
    value = facts
    for part in path:
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def findings_by_file(report: Report, pages, target: float) -> dict:
    """The check's findings grouped by file, with reading grades: what `check --format json`
    prints (schema/check-output.schema.json) and what the text output is made from."""
    files: dict[str, dict] = {}

    def entry(path: str) -> dict:
        return files.setdefault(path, {"path": path, "reading": None, "findings": []})

    trials = []
    for page in pages:
        if page.reading is None:
            continue
        trials.append({"slug": page.trial.slug, "path": page.trial.path, "reading": _reading_dict(page.reading)})
        entry(page.trial.path)["reading"] = _reading_dict(page.reading)
        for section in page.reading.sections:
            entry(section.path)["reading"] = _reading_dict(section)
    for d in report.sorted():
        entry(d.path)["findings"].append({"line": d.line, "severity": d.severity, "code": d.code,
                                           "message": d.message})
    for item in files.values():
        item["findings"].sort(key=lambda f: (f["line"], f["message"]))
    counts = {severity: len(report.of(severity)) for severity in ("error", "warning", "info")}
    return {"version": 1, "target_grade": target, "counts": counts,
            "files": [files[p] for p in sorted(files)], "trials": trials}


def _reading_dict(score) -> dict:
    return {"grade": score.grade, "words": score.words, "sentences": score.sentences,
            "words_per_sentence": score.words_per_sentence}


def preview_findings(page, report: Report, rules: Rules) -> dict:
    """What the preview's panel shows on a trial page: grades and this trial's findings."""
    folder = page.trial.path.rsplit("/", 1)[0] + "/"
    items = [dict(severity=d.severity, path=d.path.removeprefix(folder), line=d.line, message=d.message)
             for d in report.sorted() if d.path.startswith(folder)]
    return {"reading": page.reading, "target": rules.target, "items": items}


def highlight_uncited(page):
    """The page with each sentence that needs a source wrapped in <mark> (preview only).

    Found by its first words in the section's HTML; a sentence whose first words are split by
    markup (a glossary word, a link) is only listed in the panel.
    """
    import dataclasses

    if page.reading is None or not page.reading.uncited:
        return page
    sections = []
    for section in page.sections:
        html = section.html
        for path, text in page.reading.uncited:
            if path != section.path:
                continue
            start = r"\s+".join(re.escape(w) for w in text.split()[:5])
            html = re.sub(rf"(?<![\w]){start}[^<]*?(?:[.!?]|(?=<))", lambda m: f'<mark class="uncited">{m.group(0)}</mark>',
                          html, count=1)
        sections.append(dataclasses.replace(section, html=html))
    return dataclasses.replace(page, sections=tuple(sections))


# Readability formulas textstat has for other languages: German gives a school grade (Wiener
# Sachtextformel); French, Spanish, Italian and Dutch a Flesch reading ease adapted to the
# language (0 to 100, higher is easier; 60 or more reads as plain).
PLAIN_EASE = 60


def check_translation(page, lang: str, rules: Rules, report: Report) -> None:
    """The checks that work in any language, on the sections translated into lang: sources for
    numbers, long sentences, and reading level where textstat has a formula for the language."""
    for section in page.sections:
        if section.lang != lang:
            continue  # shown in the default language: checked there
        first_line = next((s.body_line for s in page.trial.sections if s.path == section.path), 1)
        sentences = [s for b in reading.blocks(section.markdown, first_line) for s in reading.sentences(b)]
        for s in sentences:
            if _needs_source(s):
                report.warning(section.path, s.line, f'"{_short(s.text)}" gives a number but has no source. Add '
                               "[@key] at the end of the sentence or of its paragraph.", code="plain.uncited")
            if s.words > LONG_SENTENCE:
                report.warning(section.path, s.line, f"this sentence has {s.words} words. Split it into sentences "
                               f"of {LONG_SENTENCE} words or fewer.", code="plain.long")
        level = reading.level_in(lang, reading.as_text(sentences))
        if level is None:
            continue
        kind, value = level
        if kind == "grade" and value > rules.target:
            report.warning(section.path, first_line, f"this section reads at school grade {value:g} (Wiener "
                           f"Sachtextformel), above the target of {rules.target:g}. Use shorter sentences and "
                           "simpler words.", code="plain.grade")
        elif kind == "ease" and value < PLAIN_EASE:
            report.warning(section.path, first_line, f"this section has a reading ease of {value:g} (Flesch, adapted "
                           f"to this language): aim for {PLAIN_EASE} or more with shorter sentences and simpler "
                           "words.", code="plain.grade")
