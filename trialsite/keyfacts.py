"""Key facts: the box of facts near the top of a trial page, made ready for the template.

Made with the page's texts and in page order (after the main message, before the sections),
because both depend on order: the first use of a word-list word is the one marked, and sources
are numbered in the order they are first cited. Every fact group in the box cites its source:
the one fact_sources: names for it, else the trial's registry record.
"""
from __future__ import annotations

import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import markupsafe
from markdown.serializers import to_html_string

from . import i18n, words
from .citations import PageCitations, fill_citation
from .diagnostics import Report, did_you_mean
from .glossary import mark_text
from .wording import Wording

# The groups of the box, in the order the default theme shows them.
GROUPS = ("status", "phase", "study_type", "enrollment", "conditions", "population", "interventions", "outcomes",
          "dates", "sponsor", "collaborators", "locations", "contacts", "registrations", "taking_part")
# The facts each group shows, when they differ from its name.
GROUP_FACTS = {"dates": ("start_date", "completion_date")}


@dataclass(frozen=True)
class KeyFacts:
    marked: dict = field(default_factory=dict)  # wording path -> HTML of its words, word-list words marked
    cites: dict = field(default_factory=dict)  # fact group -> HTML of its citation mark
    explained: dict = field(default_factory=dict)  # "status", "phase", "study_type" -> its sentence, marked


def fixed_sentences(facts: dict) -> dict[str, tuple[str, ...]]:
    """The words the box shows for status, phase and type of study (words.py), in English, as
    the pieces that are translated one by one. (A value of another kind is a schema error.)"""
    status, phase, kind = (facts.get(key) if isinstance(facts.get(key), str) else None
                           for key in ("status", "phase", "study_type"))
    found = {}
    if status in words.STATUS:
        found["status"] = (words.STATUS[status][2],)
    if phase in words.PHASE:
        found["phase"] = words.PHASE[phase]
    if kind in words.STUDY_TYPE:
        found["study_type"] = (kind.capitalize(), words.STUDY_TYPE[kind])
    return found


def sources_of_facts(trial, report: Report) -> dict[str, str]:
    """fact group -> source key, for the groups this trial has. Unknown keys are errors."""
    named = trial.facts.get("fact_sources") if isinstance(trial.facts.get("fact_sources"), dict) else {}
    named = {group: key for group, key in named.items() if isinstance(key, str)}  # others: schema errors
    for group, key in named.items():
        if key not in trial.sources:
            report.error(trial.path, trial.yaml.line("fact_sources", group), f'fact_sources: {group}: "{key}" is not in '
                         f"this trial's sources:.{did_you_mean(key, trial.sources)} Use one of: "
                         f"{', '.join(trial.sources) or 'none yet'}.", code="cite.unknown")
    default = named.get("default") if named.get("default") in trial.sources else registry_source(trial)
    found = {}
    for group in GROUPS:
        if any(trial.facts.get(key) not in (None, [], {}) for key in GROUP_FACTS.get(group, (group,))):
            key = named.get(group) if named.get(group) in trial.sources else default
            if key:
                found[group] = key
    return found


def registry_source(trial) -> str | None:
    """The source that is the trial's registry record: the first on the same web host as one of
    its registrations, else the first source listed."""
    registrations = trial.facts.get("registrations") if isinstance(trial.facts.get("registrations"), list) else []
    hosts = {_host(r.get("url")) for r in registrations if isinstance(r, dict)} - {None}
    for key, source in trial.sources.items():
        if _host(source.url) in hosts:
            return key
    return next(iter(trial.sources), None)


def _host(url) -> str | None:
    try:
        return urlsplit(url).hostname if isinstance(url, str) else None
    except ValueError:  # "https://[" : the schema or the link check explains it
        return None


def resolve_key_facts(trial, citations: PageCitations, converter, report: Report) -> KeyFacts:
    cites = {}
    for group, key in sources_of_facts(trial, report).items():
        sup = etree.Element("sup", {"class": "cite", "data-pagefind-ignore": "all"})
        fill_citation(sup, [citations.cite(key)], converter.citations.label)
        cites[group] = to_html_string(sup)
    gettext = i18n.translations(converter.lang).gettext
    explained = {name: mark_text(". ".join(map(gettext, pieces)), converter)
                 for name, pieces in fixed_sentences(trial.facts).items()}
    marked = {w.path: mark_text(_shown_text(w), converter) for w in _marked_wordings(trial.facts)
              if isinstance(w, Wording)}
    return KeyFacts(marked, cites, explained)


def _marked_wordings(facts: dict):
    """The wordings the box shows that may hold word-list words, in its order. Conditions are
    links to their own pages, and a link cannot hold the word list's button."""
    for item in _listed(facts.get("interventions")):  # another shape is a schema error already: no crash
        yield from (item.get(key) for key in ("name", "role", "route") if isinstance(item, dict))
    outcomes = facts.get("outcomes") if isinstance(facts.get("outcomes"), dict) else {}
    for item in _listed(outcomes.get("primary")):
        yield from (item.get(key) for key in ("measure", "time_frame") if isinstance(item, dict))


def _listed(value) -> list:
    return value if isinstance(value, list) else []


def _shown_text(w: Wording) -> str:
    """A treatment's role starts a line of its own in the box: with a capital letter."""
    return str(w)[:1].upper() + str(w)[1:] if w.path[-1] == "role" else str(w)


def said(value, lang: str, key_facts: KeyFacts | None) -> markupsafe.Markup:
    """A fact's words as the template shows them: marked with the word list (in the key facts
    box), and with lang when they are not in the page's language."""
    if not isinstance(value, Wording):
        return markupsafe.escape(value)
    text = markupsafe.Markup((key_facts.marked.get(value.path) if key_facts else None)
                             or markupsafe.escape(_shown_text(value)))
    if value.lang and value.lang != lang:
        return markupsafe.Markup('<span lang="{}">{}</span>').format(value.lang, text)
    return text


def official(value, lang: str, label: str) -> markupsafe.Markup:
    """The official words of a fact, for its own line below the plain ones (class "official"),
    or nothing when they say the same."""
    if not isinstance(value, Wording) or not value.shows_official:
        return markupsafe.Markup("")
    words = markupsafe.escape(value.official)
    if value.official_lang != lang:
        words = markupsafe.Markup('<span lang="{}">{}</span>').format(value.official_lang, words)
    return markupsafe.Markup(' <span class="official">{} {}</span>').format(label, words)
