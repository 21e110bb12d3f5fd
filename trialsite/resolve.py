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
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from . import i18n, links, rewrite, sanitize, wording
from .glossary import Glossary, MarkTerms
from .citations import CITATION_RE, CitationExtension, PageCitations, check_citations, parse_group
from .diagnostics import Report
from .facts import render_facts, without_facts
from .keyfacts import KeyFacts, resolve_key_facts
from .takepart import TakePart, cite_places, resolve_take_part
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
    key_facts: KeyFacts | None = None  # the Key facts box's marked words and citations (keyfacts.py)
    take_part: TakePart | None = None  # the "Can I take part?" block (takepart.py)


class _SectionHeadings(Treeprocessor):
    """Headings inside a section sit below its h2, without gaps (see run), and get ids unique on the page;
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
        headings = [e for e in root.iter() if len(e.tag) == 2 and e.tag[0] == "h" and e.tag[1] in "123456"]
        # The biggest level used sits right under the section's h2 ("#" and "##" both give h3), and
        # no level is skipped: screen-reader users move through a page by its heading levels.
        levels = {tag: f"h{min(3 + i, 6)}" for i, tag in enumerate(sorted({e.tag for e in headings}))}
        for element in headings:
            element.tag = levels[element.tag]
            words = re.sub(r"[^\w\s-]", "", "".join(element.itertext()).lower()).strip()
            base = f"{self.converter.prefix}-" + (re.sub(r"[\s_-]+", "-", words) or "part")
            anchor, n = base, 2
            while anchor in used:
                anchor, n = f"{base}-{n}", n + 1
            used.add(anchor)
            element.set("id", anchor)


class _ListsUnderParagraphs(Preprocessor):
    """A list written right under a line of text is a list, as in CommonMark (GitHub and most
    Markdown editors show it so): Python-Markdown would run "You can join if:" and the items
    below it together into one paragraph. A blank line is put in before the first item."""

    ANY_ITEM = re.compile(r"( {0,3})(?:[-*+]|\d{1,9}\.)[ \t]")
    # What may interrupt a paragraph in CommonMark: a bullet, or a numbered list starting at 1.
    ITEM = re.compile(r" {0,3}(?:[-*+]|1\.)[ \t]+\S")
    RULE = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
    OTHER = re.compile(r" {4}|\t| {0,3}(?:#|>|\|)")  # code, headings, quotes, tables

    def run(self, lines):
        out, block = [], None  # block: how the current block began ("text", "list" or "other")
        for line in lines:
            if not line.strip():
                block = None
            elif block is None:
                block = "list" if self.ANY_ITEM.match(line) else "other" if self.OTHER.match(line) else "text"
            elif block == "text" and self.ITEM.match(line) and not self.RULE.match(line):
                out.append("")
                block = "list"
            out.append(line)
        return out


class Converter:
    """A reusable Markdown converter: citations, glossary words and heading ids, page by page."""

    glossary_page = "../../glossary/index.html"  # from a trial page, trials/<slug>/index.html

    def __init__(self, terms=()) -> None:
        self.citations = CitationExtension()
        self.prefix = ""
        self.terms: tuple = ()
        self.glossary = Glossary(())
        self.terms_used: dict = {}  # glossary entries marked on this page, in order of first use
        self.forms_marked: set = set()  # (entry, abbreviation or not): each form is marked once a page
        self.labels = {"more": "More in the word list", "close": "Close", "table": "Table"}
        self.lang = "en"
        self.use_glossary(terms)
        self.md = markdown.Markdown(extensions=[self.citations, "tables", "sane_lists"], output_format="html")
        # After the inline patterns (20), so the text is final; before citation numbering (5).
        self.md.treeprocessors.register(MarkTerms(self.md, self), "trialsite-glossary", 6)
        self.md.treeprocessors.register(_SectionHeadings(self.md, self), "trialsite-headings", 4)
        self.md.preprocessors.register(_ListsUnderParagraphs(self.md), "trialsite-lists", 15)  # after raw HTML is set aside

    def use_glossary(self, terms) -> None:
        if terms != self.terms:
            self.terms, self.glossary = terms, Glossary(terms)

    def use_language(self, lang: str, terms) -> None:
        """The glossary of that language, and the few words trialsite adds to the text itself."""
        self.use_glossary(terms)
        self.lang = lang
        gettext = i18n.translations(lang).gettext
        self.citations.label = gettext("source") + " "
        self.labels = {"more": gettext("More in the word list"), "close": gettext("Close"), "table": gettext("Table")}

    def begin_page(self) -> None:
        self.terms_used, self.forms_marked = {}, set()

    def convert(self, text: str, page: PageCitations, prefix: str) -> str:
        self.citations.page = page
        self.prefix = prefix
        self.md.reset()
        html = self.md.convert(text)
        # Without a "<" the text has no raw HTML, and what Markdown itself makes is safe once
        # links.py has refused unsafe link schemes; cleaning is then a third of the work.
        return sanitize.clean(html) if "<" in text else html


def _check_markup(text: str, path: str, line: int, report: Report) -> None:
    """Unsafe link schemes are errors; raw HTML the sanitizer will drop, and list items that
    will not show where they seem to be, are warnings (file:line)."""
    links.check_markdown(text, path, line, report)
    sanitize.report_removed(text, path, line, report)
    _check_list_nesting(text, path, line, report)


def _check_list_nesting(text: str, path: str, first_line: int, report: Report) -> None:
    """Python-Markdown puts an item under the one above only when it is indented by 4 spaces;
    2 (enough on GitHub) shows it at the same level, and the editor would never know."""
    start = None  # indent of the first item of the list being read
    for offset, line in enumerate(text.split("\n")):
        if not line.strip():
            continue
        item = _ListsUnderParagraphs.ANY_ITEM.match(line)
        if item is None:
            start = None if not line.startswith(" ") else start
            continue
        indent = len(item.group(1))
        if start is None:
            start = indent
        elif start < indent < start + 4:
            report.warning(path, first_line + offset, f"this list item is indented by {indent - start} "
                           f"space{'s' * (indent - start > 1)}, so it shows at the same level as the item above, "
                           "not under it. To put it under that item, indent it by 4 spaces.", code="markdown.list-indent")


def resolve_trial(trial: Trial, report: Report, converter: Converter, preview: bool = False) -> TrialPage:
    """preview=True (serve) shows official text marked "to rewrite", highlighted, instead of refusing it."""
    page = PageCitations(trial.sources)
    converter.begin_page()
    rewrite.check_values(trial.facts, trial.yaml, report, preview)
    rewrite.check_wordings(wording.all_in(trial.facts), trial.path, report, preview)
    summary_source = trial.facts.get("summary") if isinstance(trial.facts.get("summary"), str) else ""
    if links.too_slow(summary_source, trial.path, trial.yaml.line("summary"), report):
        summary_source = ""
    check_citations(summary_source, trial.sources, trial.path, trial.yaml.line("summary"), report)
    _check_markup(summary_source, trial.path, trial.yaml.line("summary"), report)
    summary = converter.convert(summary_source, page, "summary")
    found = links.written(summary, summary_source, trial.path, trial.yaml.line("summary"))
    summary = re.sub(r"^<p>(.*)</p>$", r"\1", summary, flags=re.S)
    take_part = resolve_take_part(trial, page, converter, report)  # shown right after the main message
    key_facts = resolve_key_facts(trial, page, converter, report)
    take_part = cite_places(trial, take_part, page, converter)  # the list of places follows the key facts
    sections = []
    cited_in_failed = set()  # sources cited by sections left out for errors: not "never cited"
    for section in trial.sections:
        body = section.body
        if rewrite.check_section(body, section.path, section.body_line, report, preview):
            if not preview:
                continue
            body = rewrite.for_preview(body)
        text = render_facts(body, trial.facts, section.path, section.body_line, report)
        # A section whose facts failed is still checked (without them), so one rebuild lists all its slips.
        checked = text if text is not None else without_facts(body)
        if links.too_slow(checked, section.path, section.body_line, report):
            continue
        check_citations(checked, trial.sources, section.path, section.body_line, report)
        _check_markup(body if text is not None else checked, section.path, section.body_line, report)
        if text is None:
            cited_in_failed.update(key for match in CITATION_RE.finditer(checked)
                                   for key in (parse_group(match.group(1)) or ()))
            continue
        html = converter.convert(text, page, section.id)
        found += links.written(html, text, section.path, section.body_line)
        sections.append(RenderedSection(section.id, section.title, rewrite.highlight(html) if preview else html,
                                        section.path, text, section.lang))
    cited = tuple(CitedSource(page.numbers[key], trial.sources[key], tuple(page.places[key]))
                  for key in sorted(page.numbers, key=page.numbers.get))
    uncited = tuple(s for key, s in trial.sources.items() if key not in page.numbers)
    for source in (s for s in uncited if s.key not in cited_in_failed):
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
                     links=internal, external_links=external, key_facts=key_facts,
                     take_part=take_part)
