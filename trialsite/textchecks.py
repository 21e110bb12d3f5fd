"""Text checks: the plain-language checks for every short text a reader sees outside the
sections: a trial's title, section titles, key facts and "who wrote this page"; the word list's
definitions; site.yaml's title, description and disclaimer.

Each text is checked where it is written (file:line): hard words and abbreviations the word list
does not explain, and sentences that are too long. A few words have no reliable reading grade of
their own, so each group of texts (one trial's key facts, the word list, the site's texts) is
graded as a whole, naming its hardest texts when it is above the target.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import reading, words
from .diagnostics import INFO, WARNING, Report, dotted
from .glossary import Glossary
from .keyfacts import fixed_sentences
from .plainwords import LONG_SENTENCE, Rules, check_words, hardest, own_names, short
from .validate import source_hash
from .wording import Wording, all_in

@dataclass(frozen=True)
class Text:
    text: str
    path: str
    line: int


def check_texts(texts: list[Text], glossary: Glossary, rules: Rules, report: Report, exempt=frozenset(),
                group: str | None = None) -> None:
    """The checks for each text at its file and line and, for a named group, its reading grade."""
    blocks: dict[str, list[reading.Block]] = {}
    for text in texts:
        lines = ((text.line, text.text),)
        block = reading.Block(lines, lines, False)
        blocks.setdefault(text.path, []).append(block)
        for sentence in reading.sentences(block):
            if sentence.words > LONG_SENTENCE:
                report.say("plain.long", WARNING, text.path, text.line, 'this text has a sentence of %(words)s words '
                           '("%(sentence)s"). Split it into sentences of %(limit)s words or fewer.',
                           words=sentence.words, sentence=short(sentence.text, 50), limit=LONG_SENTENCE)
    for path, found in blocks.items():
        check_words(found, path, glossary, rules, exempt, report)
    if group:
        grade_texts(texts, rules, report, group)


def grade_texts(texts: list[Text], rules: Rules, report: Report, message: str) -> None:
    """A group of texts graded as one, with a warning at its hardest text when above the target.
    message: one of GROUP_MESSAGES."""
    sentences = [s for t in texts for s in reading.sentences(reading.Block(((t.line, t.text),), (), False))]
    grade = reading.counts(reading.as_text(sentences)).grade if sentences else 0.0
    if grade > rules.target:
        worst = max(sentences, key=lambda s: reading.grade(reading.as_text([s])))
        report.say("plain.grade", WARNING, texts[0].path, worst.line, message, grade=f"{grade:g}",
                   target=f"{rules.target:g}", hardest=hardest(sentences, rules.target))


KEY_FACTS_MESSAGE = ("the key facts (conditions, treatments, what is measured) read at school grade %(grade)s, above "
                     "the target of %(target)s. Give each hard fact plain words (plain:), and keep the registry's "
                     "words under official:. Hardest: %(hardest)s.")
SITE_MESSAGE = ("site.yaml's title, description and disclaimer read at school grade %(grade)s, above the target of "
                "%(target)s. Use shorter sentences and everyday words. Hardest: %(hardest)s.")
GLOSSARY_MESSAGE = ("the word list's definitions read at school grade %(grade)s, above the target of %(target)s. "
                    "Explain each word with shorter, everyday words. Hardest: %(hardest)s.")


def _fixed_words(facts: dict):
    """(fact path, English text) of the fixed words the key facts box shows (words.py)."""
    for name, pieces in fixed_sentences(facts).items():
        yield (name,), ". ".join(pieces)
    population = facts.get("population") if isinstance(facts.get("population"), dict) else {}
    if isinstance(population.get("sexes"), str) and population["sexes"] in words.SEXES:
        yield ("population", "sexes"), words.SEXES[population["sexes"]]
    for w in all_in(facts):
        if w.catalog is not None:
            yield w.path, str(w)


def in_key_facts(w: Wording) -> bool:
    """Shown in the key facts box (keyfacts.py and trial.html), and written by an editor: the
    conditions, each treatment's part and way of giving, the main things measured and when."""
    if w.catalog is not None:
        return False
    return (w.path[0] == "conditions" or w.path[0] == "interventions" and w.path[-1] in ("role", "route")
            or w.path[:2] == ("outcomes", "primary") and w.path[-1] in ("measure", "time_frame"))


def check_trial_texts(trial, glossary: Glossary, rules: Rules, report: Report) -> None:
    """A trial's texts outside its sections: title, section titles, every wording."""
    exempt = own_names(trial.facts)
    if isinstance(trial.facts.get("title"), str):
        check_texts([Text(trial.facts["title"], trial.path, trial.yaml.line("title"))], glossary, rules, report, exempt)
    titles = [Text(s.title, s.path, s.title_line) for s in trial.sections]
    check_texts(titles, glossary, rules, report, exempt)
    wordings = all_in(trial.facts)
    for w in wordings:
        if w.official and not w.plain and not w.rewrite:
            report.say("plain.official-only", WARNING, trial.path, w.line, '%(fact)s has only official words '
                       '("%(official)s"), so readers see them as they are. Add plain: with the words a patient would '
                       "use, and keep the official ones under official:.", fact=dotted(w.path),
                       official=short(w.official, 50))
    others = [Text(str(w), trial.path, w.line) for w in wordings if w.catalog is None and not in_key_facts(w)]
    check_texts(others, glossary, rules, report, exempt)
    shown = [Text(str(w), trial.path, w.line) for w in wordings if in_key_facts(w)]
    check_texts(shown, glossary, rules, report, exempt)
    # Graded as readers read the box: with the fixed words it shows around the editor's.
    box = shown + [Text(text, trial.path, trial.yaml.line(*path)) for path, text in _fixed_words(trial.facts)]
    grade_texts(box, rules, report, KEY_FACTS_MESSAGE)


def check_translated_facts(facts: dict, lang: str, path: str, report: Report) -> None:
    """Facts shown in another language than the page's, listed each at its line (a suggestion,
    like sections not translated yet); long translations."""
    for w in all_in(facts):
        if w.catalog is not None:
            continue  # the catalogs' words: a missing catalog is a warning about site.yaml
        if w.lang != lang:
            report.say("i18n.missing", INFO, path, w.line, '%(fact)s ("%(words)s") is not translated into '
                       '"%(lang)s" yet, so readers of that language see it in "%(shown)s". Add the words in that '
                       "language under %(lang)s:, like  {plain: %(words)s, %(lang)s: ...}", fact=dotted(w.path),
                       words=short(str(w), 40), lang=lang, shown=w.lang)
        elif len(str(w).split()) > LONG_SENTENCE:
            report.say("plain.long", WARNING, path, w.line, "%(fact)s: the %(lang)s words are over %(limit)s words "
                       "long. Make them shorter.", fact=dotted(w.path), lang=lang, limit=LONG_SENTENCE)


def fingerprint(trial) -> str:
    """What the translations of a trial's facts are made from: its title, summary and the plain
    words of its facts, in the default language."""
    texts = [str(trial.facts.get(key)) for key in ("title", "summary")]
    texts += [str(w) for w in all_in(trial.facts) if w.plain and w.catalog is None]
    return source_hash("\n".join(texts))


def check_fingerprint(trial, lang: str, report: Report) -> None:
    """A warning when the facts changed after they were translated into lang (source_hash under
    translations: lang:, like a translated section's)."""
    own = (trial.facts.get("translations") or {}).get(lang)
    own = own if isinstance(own, dict) else {}
    translated = [w for w in all_in(trial.facts) if lang in w.translations]
    if not translated and not any(key in own for key in ("title", "summary")):
        return  # nothing translated yet: the suggestions above list it all
    current = fingerprint(trial)
    if str(own.get("source_hash")) == current:
        return
    line = trial.yaml.line("translations", lang) if own else translated[0].line
    report.say("i18n.outdated", WARNING, trial.path, line, 'the "%(lang)s" translations of the title, summary and '
               "facts may be out of date: the words they were made from have changed since (or trial.yaml does not "
               "say which version they are from). Check them, then put source_hash: %(hash)s under translations: "
               "%(lang)s:.", lang=lang, hash=current)


def check_shared_texts(site_doc, info, glossary_doc, terms, glossary: Glossary, rules: Rules, report: Report) -> None:
    """site.yaml's texts and the word list's definitions, in the default language: once a build."""
    if info is not None and site_doc is not None:
        texts = [Text(str(getattr(info, key)), site_doc.path, site_doc.line(key))
                 for key in ("title", "description", "disclaimer")]
        check_texts(texts, glossary, rules, report, group=SITE_MESSAGE)
    if terms and glossary_doc is not None:
        texts = sorted((Text(term.definition, glossary_doc.path, glossary_doc.line(term.term, "definition"))
                        for term in terms), key=lambda t: t.line)
        # Words the list itself explains are fine in other definitions: the list sits on one page.
        check_texts(texts, glossary, rules, report, group=GLOSSARY_MESSAGE)
