"""Resolve: turn each validated Trial into a TrialPage with finished HTML for its texts.

For every trial, in page order: summary, then sections in file-name order. Facts are filled
in, citations checked and numbered, Markdown converted and the HTML cleaned. One Markdown
converter is reused (reset between texts) because building one is slow.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import xml.etree.ElementTree as etree

import markdown
from markdown.treeprocessors import Treeprocessor

from . import i18n, links, rewrite, sanitize
from .glossary import Glossary, MarkTerms
from .citations import CITATION_RE, CitationExtension, PageCitations, check_citations
from .diagnostics import Report
from .facts import render_facts
from .validate import Source, Trial


@dataclass(frozen=True)
class RenderedSection:
    id: str
    title: str
    html: str
    path: str
    markdown: str  # the section's Markdown with facts filled in: what checks.py reads
    lang: str | None = None  # set when the section is shown in another language than its page


@dataclass(frozen=True)
class CitedSource:
    number: int
    source: Source
    places: tuple[str, ...]  # ids of every place it is cited, in page order


@dataclass(frozen=True, slots=True)  # slots: 10,000 of them are kept
class TrialPage:
    trial: Trial
    summary_html: str
    summary_text: str  # without citations: for cards, page descriptions and sharing
    sections: tuple[RenderedSection, ...]
    sources: tuple[CitedSource, ...]  # cited, by number
    uncited: tuple[Source, ...]  # defined but never cited (a warning)
    terms_used: tuple[str, ...] = ()  # glossary words marked on the page, in order of first use
    # checks.PageReading, filled in by the check stage. Not compared: no site-wide page shows it,
    # so a new reading grade alone does not re-render them in the preview (incremental.py).
    reading: object = field(default=None, compare=False)
    # (address, file, line) of every link in the texts: internal ones are checked once all pages
    # exist (linkcheck.py), external ones are listed by `check --links`.
    links: tuple = field(default=(), compare=False)
    external_links: tuple = field(default=(), compare=False)
    others: tuple = ()  # ((lang, light TrialPage), ...): the same trial in the site's other languages


class _SectionHeadings(Treeprocessor):
    """Headings inside a section sit below its h2 (# -> h3) and get ids unique on the page;
    tables get a scrolling box of their own.

    Replaces the "toc" extension, which cost a third of all Markdown time and did more than this.
    """

    def __init__(self, md, converter):
        super().__init__(md)
        self.converter = converter

    def run(self, root):
        used: set[str] = set()
        for parent in list(root.iter()):
            for i, child in enumerate(list(parent)):
                if child.tag == "table":  # a wide table scrolls on its own; keyboard users can scroll it too
                    wrapper = etree.Element("div", {"class": "table-scroll", "role": "region", "tabindex": "0",
                                                    "aria-label": self.converter.labels.get("table", "Table")})
                    wrapper.tail, child.tail = child.tail, None
                    parent.remove(child)
                    wrapper.append(child)
                    parent.insert(i, wrapper)
        for element in root.iter():
            if len(element.tag) == 2 and element.tag[0] == "h" and element.tag[1] in "123456":
                element.tag = f"h{min(int(element.tag[1]) + 2, 6)}"
                words = re.sub(r"[^\w\s-]", "", "".join(element.itertext()).lower()).strip()
                base = f"{self.converter.prefix}-" + (re.sub(r"[\s_-]+", "-", words) or "part")
                anchor, n = base, 2
                while anchor in used:
                    anchor, n = f"{base}-{n}", n + 1
                used.add(anchor)
                element.set("id", anchor)


class Converter:
    """A reusable Markdown converter: citations, glossary words and heading ids, page by page."""

    glossary_page = "../../glossary/index.html"  # from a trial page, trials/<slug>/index.html

    def __init__(self, terms=()) -> None:
        self.citations = CitationExtension()
        self.prefix = ""
        self.terms: tuple = ()
        self.glossary = Glossary(())
        self.terms_used: dict = {}  # glossary words already marked on this page (first use only)
        self.labels = {"more": "More in the word list", "close": "Close", "table": "Table"}
        self.use_glossary(terms)
        self.md = markdown.Markdown(extensions=[self.citations, "tables", "sane_lists"], output_format="html")
        # After the inline patterns (20), so the text is final; before citation numbering (5).
        self.md.treeprocessors.register(MarkTerms(self.md, self), "trialsite-glossary", 6)
        self.md.treeprocessors.register(_SectionHeadings(self.md, self), "trialsite-headings", 4)

    def use_glossary(self, terms) -> None:
        if terms != self.terms:
            self.terms, self.glossary = terms, Glossary(terms)

    def use_language(self, lang: str, terms) -> None:
        """The glossary of that language, and the few words trialsite adds to the text itself."""
        self.use_glossary(terms)
        gettext = i18n.translations(lang).gettext
        self.citations.label = gettext("source") + " "
        self.labels = {"more": gettext("More in the word list"), "close": gettext("Close"), "table": gettext("Table")}

    def begin_page(self) -> None:
        self.terms_used = {}

    def convert(self, text: str, page: PageCitations, prefix: str) -> str:
        self.citations.page = page
        self.prefix = prefix
        self.md.reset()
        html = self.md.convert(text)
        # Without a "<" the text has no raw HTML, and what Markdown itself makes is safe once
        # links.py has refused unsafe link schemes; cleaning is then a third of the work.
        return sanitize.clean(html) if "<" in text else html


def _check_markup(text: str, path: str, line: int, report: Report) -> None:
    """Unsafe link schemes are errors; raw HTML the sanitizer will drop is a warning (file:line)."""
    links.check_markdown(text, path, line, report)
    sanitize.report_removed(text, path, line, report)


def resolve_trial(trial: Trial, report: Report, converter: Converter, preview: bool = False) -> TrialPage:
    """preview=True (serve) shows official text marked "to rewrite", highlighted, instead of refusing it."""
    page = PageCitations(trial.sources)
    converter.begin_page()
    rewrite.check_values(trial.facts, trial.yaml, report, preview)
    summary_source = trial.facts.get("summary") if isinstance(trial.facts.get("summary"), str) else ""
    if links.too_slow(summary_source, trial.path, trial.yaml.line("summary"), report):
        summary_source = ""
    check_citations(summary_source, trial.sources, trial.path, trial.yaml.line("summary"), report)
    _check_markup(summary_source, trial.path, trial.yaml.line("summary"), report)
    summary = converter.convert(summary_source, page, "summary")
    found = links.written(summary, summary_source, trial.path, trial.yaml.line("summary"))
    summary = re.sub(r"^<p>(.*)</p>$", r"\1", summary, flags=re.S)
    sections = []
    for section in trial.sections:
        body = section.body
        if rewrite.check_section(body, section.path, section.body_line, report, preview):
            if not preview:
                continue
            body = rewrite.for_preview(body)
        text = render_facts(body, trial.facts, section.path, section.body_line, report)
        if text is None or links.too_slow(text, section.path, section.body_line, report):
            continue
        check_citations(text, trial.sources, section.path, section.body_line, report)
        _check_markup(body, section.path, section.body_line, report)
        html = converter.convert(text, page, section.id)
        found += links.written(html, text, section.path, section.body_line)
        sections.append(RenderedSection(section.id, section.title, rewrite.highlight(html) if preview else html,
                                        section.path, text, section.lang))
    cited = tuple(CitedSource(page.numbers[key], trial.sources[key], tuple(page.places[key]))
                  for key in sorted(page.numbers, key=page.numbers.get))
    uncited = tuple(s for key, s in trial.sources.items() if key not in page.numbers)
    for source in uncited:
        report.warning(trial.path, source.line, f'the source "{source.key}" is never cited. Cite it in a section '
                       f"with [@{source.key}], or remove it from sources:.", code="cite.unused")
    summary_text = " ".join(CITATION_RE.sub("", summary_source).split())
    internal = tuple(item for item in found if not links.is_external(item[0]))
    external = tuple(item for item in found if links.is_external(item[0]))
    external += tuple((source.url, trial.path, trial.yaml.line("sources", key, "url"))
                      for key, source in trial.sources.items())
    registrations = trial.facts.get("registrations") if isinstance(trial.facts.get("registrations"), list) else []
    external += tuple((str(r["url"]), trial.path, trial.yaml.line("registrations", i, "url"))
                      for i, r in enumerate(registrations) if isinstance(r, dict) and r.get("url"))
    return TrialPage(trial, summary, summary_text, tuple(sections), cited, uncited, tuple(converter.terms_used),
                     links=internal, external_links=external)
