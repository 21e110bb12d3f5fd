"""Checks: is a trial page easy to read, explained and sourced? (python build.py check)

Runs on every resolved trial page, in the same worker as the rest of its work, so results
are cached with the page. Findings are ordinary diagnostics (file:line) with codes starting
"plain."; the reading grades travel on the page for the build summary and the preview panel.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from . import annexv, i18n, reading
from .diagnostics import INFO, WARNING, Report
from .glossary import Glossary
from .plainwords import LONG_SENTENCE, Rules, check_words, hardest, own_names, short
from .textchecks import check_trial_texts

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


def check_page(page, glossary: Glossary, rules: Rules, report: Report) -> PageReading:
    """Every plain-language check on one resolved trial page; returns its reading grades."""
    trial = page.trial
    exempt = own_names(trial.facts)
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
        check_words(blocks, path, glossary, rules, exempt, report)
        counts = reading.counts(reading.as_text(sentences))
        total += counts
        if kind == "summary":
            continue
        section = SectionReading(path, title, counts.grade, sum(s.words for s in sentences), len(sentences))
        sections.append(section)
        if section.grade > rules.target:
            report.say("plain.grade", WARNING, path, first_line, "this section reads at school grade %(grade)s, "
                       "above the target of %(target)s. Use shorter sentences and simpler words. Hardest sentences: "
                       "%(hardest)s.", grade=f"{section.grade:g}", target=f"{rules.target:g}",
                       hardest=hardest(sentences, rules.target))
    result = PageReading(total.grade, sum(s.words for s in all_sentences), len(all_sentences),
                         tuple(sections), tuple(uncited))
    if result.grade > rules.target:
        report.say("plain.grade", WARNING, trial.path, 0, "the whole page reads at school grade %(grade)s, above "
                   "the target of %(target)s. The sections above it are listed as warnings too.",
                   grade=f"{result.grade:g}", target=f"{rules.target:g}")
    _check_unmentioned_facts(trial, page.sections, report)
    check_trial_texts(trial, glossary, rules, report)
    annexv.check(trial, report)  # finished trials: the parts of a summary of results, and its numbers
    return result


def _needs_source(sentence) -> bool:
    return not sentence.cited and bool(NUMBER.search(sentence.text))


def _body_line(trial, path: str) -> int:
    return next((s.body_line for s in trial.sections if s.path == path), 1)


def _check_sentences(sentences, path: str, report: Report) -> None:
    for s in sentences:
        if _needs_source(s):
            report.say("plain.uncited", WARNING, path, s.line, '"%(sentence)s" gives a number or a fact but has no '
                       "source. Add [@key] at the end of the sentence or of its paragraph.", sentence=short(s.text))
        if s.words > LONG_SENTENCE:
            report.say("plain.long", WARNING, path, s.line, 'this sentence has %(words)s words ("%(sentence)s"). '
                       "Split it into sentences of %(limit)s words or fewer: one idea each.", words=s.words,
                       sentence=short(s.text, 50), limit=LONG_SENTENCE)
        repeated = REPEATED.search(s.text)
        if repeated and repeated.group(1).lower() not in REPEATS_ON_PURPOSE:
            report.say("plain.repeated", WARNING, path, s.line, '"%(words)s": the same word twice in a row. Delete '
                       "one. If a fact from trial.yaml is just before it, the fact may already say that word.",
                       words=repeated.group(0))
        passive = PASSIVE.search(s.text)
        if passive and passive.group(1).lower() not in NOT_PARTICIPLES:
            report.say("plain.passive", INFO, path, s.line, '"%(words)s" may be passive. Saying who does it is often '
                       'clearer ("the nurse gives you", not "you are given").', words=passive.group(0))


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
        report.say("plain.unmentioned", INFO, trial.path, trial.yaml.line(*path), "no section mentions %(fact)s "
                   "(%(value)s). Readers see it under Key facts; if it matters to them, say it in a section with "
                   "{{ trial.%(fact)s }}.", fact=dotted, value=str(value))


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
    counts = {severity: report.count(severity) for severity in ("error", "warning", "info")}
    return {"version": 1, "target_grade": target, "counts": counts,
            "files": [files[p] for p in sorted(files)], "trials": trials}


def _reading_dict(score) -> dict:
    return {"grade": score.grade, "words": score.words, "sentences": score.sentences,
            "words_per_sentence": score.words_per_sentence}


def preview_findings(page, report: Report, rules: Rules, notes: tuple = (), lang: str = "en") -> dict:
    """What the preview's panel shows on a trial page: grades, this trial's findings, and those
    about the site's shared texts (site.yaml, glossary.yaml), which the page shows too; in the
    site's language where trialsite has the words."""
    gettext = i18n.translations(lang).gettext
    folder = page.trial.path.rsplit("/", 1)[0] + "/"
    items = [dict(severity=d.severity, path=d.path.removeprefix(folder), line=d.line, message=d.in_language(gettext))
             for d in report.sorted() if d.path.startswith(folder)]
    items += [dict(severity=d.severity, path=d.path, line=d.line, message=d.in_language(gettext))
              for d in Report(list(notes)).sorted()]
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
                report.say("plain.uncited", WARNING, section.path, s.line, '"%(sentence)s" gives a number but has no '
                           "source. Add [@key] at the end of the sentence or of its paragraph.", sentence=short(s.text))
            if s.words > LONG_SENTENCE:
                report.say("plain.long", WARNING, section.path, s.line, "this sentence has %(words)s words. Split it "
                           "into sentences of %(limit)s words or fewer.", words=s.words, limit=LONG_SENTENCE)
        level = reading.level_in(lang, reading.as_text(sentences))
        if level is None:
            continue
        kind, value = level
        if kind == "grade" and value > rules.target:
            report.say("plain.grade", WARNING, section.path, first_line, "this section reads at school grade "
                       "%(grade)s (Wiener Sachtextformel), above the target of %(target)s. Use shorter sentences and "
                       "simpler words.", grade=f"{value:g}", target=f"{rules.target:g}")
        elif kind == "ease" and value < PLAIN_EASE:
            report.say("plain.grade", WARNING, section.path, first_line, "this section has a reading ease of "
                       "%(ease)s (Flesch, adapted to this language): aim for %(target)s or more with shorter sentences "
                       "and simpler words.", ease=f"{value:g}", target=PLAIN_EASE)
