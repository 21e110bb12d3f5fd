"""Validate: turn raw YAML and sections into frozen model objects, once schemas.py finds them sound.

Site info, glossary terms, trials with their sections and translations; dates, section ids and
front matter checked here. Hands on a Site (trials sorted by title) for the later stages.
"""
from __future__ import annotations

import dataclasses
import datetime
import hashlib
import re
from dataclasses import dataclass, field


from . import annexv, i18n, resultsfacts, wording
from .diagnostics import Report, did_you_mean, dotted
from .load import RawContent, SectionFile, TrialFolder
from .schemas import schema_diagnostics
from .yamlfile import YamlFile

SECTION_KEYS = {"title", "source_hash", "annex_v"}
# "01-overview.fr.md" is the French translation of "01-overview.md".
TRANSLATION_NAME = re.compile(r"^(?P<base>.+)\.(?P<lang>[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\.md$")
# Ids the page templates use themselves; a section may not take them.
RESERVED_IDS = {"main", "top", "summary", "key-facts", "contents", "sources", "about-page", "site-footer"}


@dataclass(frozen=True)
class Publisher:
    name: str
    url: str | None
    contact_email: str | None


@dataclass(frozen=True)
class SiteInfo:
    """site.yaml, checked."""

    path: str
    title: str
    description: str
    language: str
    base_url: str | None
    publisher: Publisher
    disclaimer: str
    reading_grade_target: float
    languages: tuple[str, ...] = ("en",)  # the first is the default
    translations: dict = field(default_factory=dict)  # lang -> {title, description, disclaimer}

    def text(self, lang: str) -> dict:
        """title, description and disclaimer in a language, each falling back to the default."""
        own = self.translations.get(lang, {})
        return {key: own.get(key, getattr(self, key)) for key in ("title", "description", "disclaimer")}


@dataclass(frozen=True)
class Source:
    """One entry of a trial's sources:, with the line where it is defined."""

    key: str
    title: str
    publisher: str | None
    url: str
    accessed: datetime.date | None
    line: int
    language: str | None = None  # the language it is written in; None: the site's default language


@dataclass(frozen=True)
class Section:
    """One Markdown section of a trial, still as Markdown."""

    id: str  # anchor on the page, from the file name: 02-who.md -> "who"
    title: str
    path: str
    body: str
    body_line: int
    lang: str | None = None  # None: the site's default language
    source_hash: str | None = None  # translations: source_hash() of the text it was made from
    title_line: int = 0  # where the title is written, in the front matter
    covers: tuple[int, ...] = ()  # annex_v: the parts of a summary of results it holds (annexv.py)


def source_hash(text: str) -> str:
    """A short fingerprint of a section's text: a translation records the one it was made from."""
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()[:12]


@dataclass(frozen=True, slots=True)
class Trial:
    slug: str
    path: str  # display path of trial.yaml
    facts: dict  # trial.yaml data, checked; phase always text
    yaml: YamlFile  # for line numbers
    sources: dict  # key -> Source, in the order written
    sections: tuple[Section, ...]
    last_reviewed: datetime.date
    translations: dict = field(default_factory=dict)  # lang -> {section id: translated Section}
    shown_in: dict = field(default_factory=dict)  # "title"/"summary" -> language, when not the page's own
    registry_checked: datetime.date | None = None  # facts last compared with the registry (load.load_checked)

    @property
    def title(self) -> str:
        title = self.facts.get("title")
        return title if isinstance(title, str) else self.slug


@dataclass(frozen=True)
class Term:
    """A glossary entry."""

    term: str
    definition: str
    stands_for: str | None
    aliases: tuple[str, ...]
    line: int
    translations: tuple = ()  # ((lang, Term), ...): the word in other languages
    abbreviations: tuple[str, ...] = ()  # short forms of the same idea ("MTD"), matched as written

    @property
    def forms(self) -> tuple[str, ...]:
        """Every other way the idea is written: aliases, abbreviations, what an abbreviation stands for."""
        return (*self.aliases, *self.abbreviations, *([self.stands_for] if self.stands_for else []))

    @property
    def anchor(self) -> str:
        return "term-" + (re.sub(r"[^a-z0-9]+", "-", self.term.lower()).strip("-") or "x")


@dataclass(frozen=True)
class Site:
    info: SiteInfo | None  # None only when site.yaml has errors (then nothing is rendered)
    trials: tuple[Trial, ...]
    glossary: tuple[Term, ...]
    glossary_path: str | None


def validate_shared(raw: RawContent, report: Report) -> tuple[SiteInfo | None, tuple[Term, ...]]:
    """site.yaml and glossary.yaml, checked."""
    info = _site_info(raw.site, report) if raw.site else None
    terms = _glossary(raw.glossary, report) if raw.glossary else ()
    return info, terms


def assemble(info, terms, glossary_path, trials) -> Site:
    """The Site, with trials in reading order (by title)."""
    return Site(info, tuple(sorted(trials, key=lambda t: (t.title.casefold(), t.slug))), terms, glossary_path)


def _site_info(doc: YamlFile, report: Report) -> SiteInfo | None:
    if not isinstance(doc.data, dict):
        report.error(doc.path, 1, "site.yaml must be a group of keys (title:, description:, ...). See the README.",
                     code="schema.type")
        return None
    before = len(report.of("error"))
    schema_diagnostics(doc, "site", report)
    if len(report.of("error")) > before:
        return None
    data = doc.data
    pub = data["publisher"]
    base = data.get("base_url")
    languages = tuple(data.get("languages") or [data["language"]])
    if languages[0] != data["language"]:
        report.error(doc.path, doc.line("languages"), f'languages: starts with "{languages[0]}", but language: is '
                     f'"{data["language"]}". The first language in the list is the default: make them the same.',
                     code="i18n.default")
        return None
    for lang in languages[1:]:
        if not i18n.has_catalog(lang):
            report.warning(doc.path, doc.line("languages"), f'trialsite has no translation of its own words (menus, '
                           f'headings) into "{lang}" yet, so they show in English. See "Languages" in the README.',
                           code="i18n.catalog")
    return SiteInfo(doc.path, data["title"], data["description"], data["language"],
                    base if not base or base.endswith("/") else base + "/",
                    Publisher(pub["name"], pub.get("url"), pub.get("contact_email")),
                    data["disclaimer"], float(data.get("reading_grade_target", 8)), languages,
                    dict(data.get("translations") or {}))


def _glossary(doc: YamlFile, report: Report) -> tuple[Term, ...]:
    if doc.data is None:
        return ()
    if not isinstance(doc.data, dict):
        report.error(doc.path, 1, "glossary.yaml must list words as keys, each with a definition:. See the README.",
                     code="schema.type")
        return ()
    before = len(report.of("error"))
    schema_diagnostics(doc, "glossary", report)
    if len(report.of("error")) > before:
        return ()
    terms = []
    seen: dict[str, str] = {}
    meanings: dict[str, str] = {}  # definition, in a standard form -> the first entry with it
    for word, entry in doc.data.items():
        other = tuple((lang, _term(t["term"], t, doc.line(word, "translations", lang)))
                      for lang, t in sorted((entry.get("translations") or {}).items()))
        term = dataclasses.replace(_term(word, entry, doc.line(word)), translations=other)
        exact = bool(term.stands_for)
        for form, as_written in [(word, exact), *((a, exact) for a in term.aliases),
                                 *((a, True) for a in term.abbreviations)]:
            key = form if as_written else form.casefold()
            if key in seen and seen[key] != word:
                report.warning(doc.path, doc.line(word), f'"{form}" is listed under both "{seen[key]}" and "{word}". '
                               "Keep it in one entry only.", code="glossary.duplicate")
            seen.setdefault(key, word)
        meaning = " ".join(term.definition.casefold().split()).rstrip(".")
        if meaning in meanings:
            first = meanings[meaning]
            form = "abbreviations" if term.stands_for or doc.data[first].get("stands_for") else "aliases"
            report.warning(doc.path, doc.line(word), f'"{word}" has the same definition as "{first}" (line '
                           f'{doc.line(first)}). One entry per idea: if they mean the same, keep one entry and list the '
                           f'other word under its {form}: (for example {form}: [{word if form == "aliases" or term.stands_for else first}]); '
                           "if they differ, say how in each definition.", code="glossary.same-definition")
        meanings.setdefault(meaning, word)
        terms.append(term)
    return tuple(sorted(terms, key=lambda t: (t.term.casefold(), t.term)))


def _term(word: str, entry: dict, line: int) -> Term:
    return Term(word, entry["definition"], entry.get("stands_for"), tuple(entry.get("aliases") or ()), line,
                abbreviations=tuple(entry.get("abbreviations") or ()))


def validate_trial(folder: TrialFolder, report: Report, language: str = "en") -> Trial | None:
    """One trial, checked against schema/trial.schema.json, with its sections. Its wordings
    (wording.py) become Wordings, in the site's default language."""
    doc = folder.trial
    if not isinstance(doc.data, dict):
        report.error(doc.path, 1, "trial.yaml must be a group of keys (title:, summary:, ...). "
                     "Copy the example trial's trial.yaml and change it.", code="schema.type")
        return None
    schema_diagnostics(doc, "trial", report)
    resultsfacts.check(doc, report)  # numbers under results: that contradict each other
    facts = dict(doc.data)
    reviewed = _date(facts.get("last_reviewed"), doc, ("last_reviewed",), report)
    raw_sources = facts.get("sources") if isinstance(facts.get("sources"), dict) else {}
    for key, source in raw_sources.items():
        if isinstance(source, dict) and source.get("accessed"):
            _date(source["accessed"], doc, ("sources", key, "accessed"), report)
    sections, translations = _sections(folder, report)
    # A trial with errors is still returned, so its sections get checked in the same run;
    # nothing is rendered while the report has errors.
    facts["phase"] = str(facts.get("phase"))
    facts = wording.normalize(facts, doc, language)
    sources = {str(key): Source(str(key), s.get("title", ""), s.get("publisher"), s.get("url", ""),
                                _date(s.get("accessed"), doc, (), Report()), doc.line("sources", key),
                                s.get("language") if isinstance(s.get("language"), str) else language)
               for key, s in raw_sources.items() if isinstance(s, dict)}
    return Trial(folder.slug, doc.path, facts, doc, sources, sections, reviewed, translations,
                 registry_checked=folder.registry_checked)


def _date(value, doc: YamlFile, path: tuple, report: Report) -> datetime.date | None:
    if not isinstance(value, str) or not re.match(r"^\d{4}-\d{2}-\d{2}$", value):
        return None  # the schema reports the wrong shape
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        report.error(doc.path, doc.line(*path), f'{dotted(path)} "{value}" is not a real date. '
                     "Check the month and day (YYYY-MM-DD).", code="schema.date")
        return None


def section_id(filename: str) -> str:
    """01-who-is-studied.md -> "who-is-studied": the anchor used in the table of contents."""
    stem = filename.rsplit(".", 1)[0]
    name = re.sub(r"^[0-9]+[-_ ]*", "", stem)
    name = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "section"
    return name + "-section" if name in RESERVED_IDS else name


def _sections(folder: TrialFolder, report: Report) -> tuple[tuple[Section, ...], dict]:
    """The sections in the default language, and translations: {lang: {section id: Section}}."""
    result = []
    used: set[str] = set()
    ids: dict[str, str] = {}  # file name without .md -> anchor
    translated = []
    for file in folder.sections:
        if TRANSLATION_NAME.match(file.name):
            translated.append(file)
            continue
        section = _section(file, report)
        if section is None:
            continue
        anchor, n = section.id, 2
        while anchor in used:
            anchor, n = f"{section.id}-{n}", n + 1
        used.add(anchor)
        ids[file.name[:-3]] = anchor
        result.append(dataclasses.replace(section, id=anchor))
    translations: dict[str, dict] = {}
    for file in translated:
        match = TRANSLATION_NAME.match(file.name)
        if match["base"] not in ids:
            report.error(file.path, 0, f'this looks like a translation of {match["base"]}.md, but there is no such '
                         f'section. Name it after the section it translates, like {next(iter(ids), "01-overview")}.'
                         f'{match["lang"]}.md.', code="i18n.orphan")
            continue
        section = _section(file, report)
        if section is not None:
            hash_value = file.meta.data.get("source_hash") if isinstance(file.meta.data, dict) else None
            translations.setdefault(match["lang"], {})[ids[match["base"]]] = dataclasses.replace(
                section, id=ids[match["base"]], lang=match["lang"],
                source_hash=str(hash_value) if hash_value is not None else None)
    if not result and not folder.sections:
        report.warning(folder.trial.path, 0, "this trial has no sections yet. Add Markdown files in a sections/ "
                       "folder next to trial.yaml (01-overview.md, 02-who.md, ...).", code="trial.no-sections")
    return tuple(result), translations


def _section(file: SectionFile, report: Report) -> Section | None:
    meta = file.meta.data
    if not isinstance(meta, dict) or not isinstance(meta.get("title"), str) or not meta["title"].strip():
        line = file.meta.line("title")
        report.error(file.path, line, 'this section needs a title in its front matter, like "title: Who is being studied".',
                     code="section.title")
        return None
    for key in meta:
        if key not in SECTION_KEYS:
            report.warning(file.path, file.meta.line(key), f'"{key}" is not a front-matter key trialsite knows, '
                           f"so it is ignored.{did_you_mean(key, SECTION_KEYS)}", code="section.unknown-key")
    if not file.body.strip():
        report.error(file.path, file.body_line - 1, "this section has a title but no text. Write the section below the "
                     "second ---, or delete the file.", code="section.empty")
        return None
    return Section(section_id(file.name), meta["title"].strip(), file.path, file.body, file.body_line,
                   title_line=file.meta.line("title"),
                   covers=annexv.covered(meta.get("annex_v"), file.path, file.meta.line("annex_v"), report))
