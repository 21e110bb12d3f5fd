"""Resolve: turn each validated Trial into a TrialPage with finished HTML for its texts.

For every trial, in page order: summary, then sections in file-name order. Facts are filled
in, citations checked and numbered, Markdown converted and the HTML cleaned. One Markdown
converter is reused (reset between texts) because building one is slow.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import markdown

from . import sanitize
from .citations import CITATION_RE, CitationExtension, PageCitations, check_citations
from .diagnostics import Report
from .facts import render_facts
from .validate import Site, Source, Trial


@dataclass(frozen=True)
class RenderedSection:
    id: str
    title: str
    html: str
    path: str


@dataclass(frozen=True)
class CitedSource:
    number: int
    source: Source
    places: tuple[str, ...]  # ids of every place it is cited, in page order


@dataclass(frozen=True)
class TrialPage:
    trial: Trial
    summary_html: str
    summary_text: str  # without citations: for cards, page descriptions and sharing
    sections: tuple[RenderedSection, ...]
    sources: tuple[CitedSource, ...]  # cited, by number
    uncited: tuple[Source, ...]  # defined but never cited (a warning)


class Converter:
    """A reusable Markdown converter with the citation extension and heading ids per section."""

    def __init__(self) -> None:
        self.citations = CitationExtension()
        self.prefix = ""
        self.md = markdown.Markdown(
            extensions=[self.citations, "tables", "sane_lists",
                        "toc"],
            extension_configs={"toc": {"baselevel": 3, "slugify": self._slug, "permalink": False}},
            output_format="html",
        )

    def _slug(self, value: str, separator: str) -> str:
        # Heading ids are unique on the whole page: prefixed with the section's id.
        words = re.sub(r"[^\w\s-]", "", value.lower()).strip()
        return f"{self.prefix}-" + (re.sub(r"[\s_-]+", separator, words) or "part")

    def convert(self, text: str, page: PageCitations, prefix: str) -> str:
        self.citations.page = page
        self.prefix = prefix
        self.md.reset()
        return sanitize.clean(self.md.convert(text))


def resolve(site: Site, report: Report, converter: Converter | None = None) -> list[TrialPage]:
    """Pages for all trials; problems go to the report (pages with errors are still returned)."""
    converter = converter or Converter()
    return [resolve_trial(trial, report, converter) for trial in site.trials]


def resolve_trial(trial: Trial, report: Report, converter: Converter) -> TrialPage:
    page = PageCitations(trial.sources)
    summary_source = trial.facts.get("summary") if isinstance(trial.facts.get("summary"), str) else ""
    check_citations(summary_source, trial.sources, trial.path, trial.yaml.line("summary"), report)
    summary = converter.convert(summary_source, page, "summary")
    summary = re.sub(r"^<p>(.*)</p>$", r"\1", summary, flags=re.S)
    sections = []
    for section in trial.sections:
        text = render_facts(section.body, trial.facts, section.path, section.body_line, report)
        if text is None:
            continue
        check_citations(text, trial.sources, section.path, section.body_line, report)
        sections.append(RenderedSection(section.id, section.title, converter.convert(text, page, section.id),
                                        section.path))
    cited = tuple(CitedSource(page.numbers[key], trial.sources[key], tuple(page.places[key]))
                  for key in sorted(page.numbers, key=page.numbers.get))
    uncited = tuple(s for key, s in trial.sources.items() if key not in page.numbers)
    for source in uncited:
        report.warning(trial.path, source.line, f'the source "{source.key}" is never cited. Cite it in a section '
                       f"with [@{source.key}], or remove it from sources:.", code="cite.unused")
    summary_text = " ".join(CITATION_RE.sub("", summary_source).split())
    return TrialPage(trial, summary, summary_text, tuple(sections), cited, uncited)
