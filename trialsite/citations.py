"""Citations: [@key] and [@a; @b] in Markdown become numbered links to the Sources list.

Numbers follow the order of first citation on the page; a source cited again keeps its
number. The inline pattern only marks where citations are; a tree processor numbers them
afterwards in document order (inline patterns do not run in document order).
Hands on a PageCitations: numbers, and the ids of every place each source is cited.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field

from markdown import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor

from .diagnostics import Report, did_you_mean

KEY = r"[A-Za-z0-9_.:-]+"
CITATION_RE = re.compile(r"\[(@[^\]\n]*)\]")
GROUP_RE = re.compile(rf"^\s*@{KEY}(\s*;\s*@{KEY})*\s*$")
FENCE_RE = re.compile(r"^\s*(```|~~~)")


@dataclass
class PageCitations:
    """Citation numbers for one page; filled while its texts are converted, in page order."""

    sources: dict  # key -> Source
    numbers: dict = field(default_factory=dict)  # key -> number
    places: dict = field(default_factory=dict)  # key -> list of element ids, e.g. ["cite-1-1", "cite-1-2"]

    def cite(self, key: str) -> tuple[int, str]:
        number = self.numbers.setdefault(key, len(self.numbers) + 1)
        ids = self.places.setdefault(key, [])
        ids.append(f"cite-{number}-{len(ids) + 1}")
        return number, ids[-1]


def parse_group(inner: str) -> list[str] | None:
    """"@a; @b" -> ["a", "b"] (duplicates dropped), or None when it is not a citation group."""
    if not GROUP_RE.match(inner):
        return None
    return list(dict.fromkeys(part.strip()[1:] for part in inner.split(";")))


# "[@ctis." with no "]" on its line; "[ctis]", "[ctis, paper]" or "[ctis\n]" without the @.
UNCLOSED_RE = re.compile(r"\[@[^\]\n]*$")
NO_AT_RE = re.compile(rf"(?<![\]!\\])\[\s*({KEY}(?:\s*[,;]\s*@?{KEY})*)\s*\](?![(\[:])")


def check_citations(text: str, sources: dict, path: str, first_line: int, report: Report) -> None:
    """Report malformed citations and unknown source keys, each at its own line; a source's
    name in brackets without its @ is a warning."""
    in_fence = False
    prose = []  # lines outside code blocks, blank inside them: the @-less check may span lines
    for offset, line_text in enumerate(text.split("\n")):
        if FENCE_RE.match(line_text):
            in_fence = not in_fence
        prose.append("" if in_fence else line_text)
        if in_fence:
            continue
        unclosed = UNCLOSED_RE.search(line_text)
        if unclosed:
            shown = unclosed.group(0).strip()[:40]
            key = re.match(rf"\[@\s*({KEY})?", shown).group(1) or "key"
            report.error(path, first_line + offset, f'the citation "{shown}" is not closed. End it with "]" on the same '
                         f'line, like [@{key.rstrip(".:")}].', code="cite.syntax")
        for match in CITATION_RE.finditer(line_text):
            line = first_line + offset
            keys = parse_group(match.group(1))
            if keys is None:
                report.error(path, line, f'"{match.group(0)}" is not a citation that trialsite understands. Write '
                             "[@key] for one source or [@a; @b] for two (a semicolon between them, @ before each "
                             "name, and only letters, digits and _ . : - in names).", code="cite.syntax")
                continue
            for key in keys:
                if key not in sources:
                    known = ", ".join(sources) or "none yet"
                    hint = did_you_mean(key, sources)
                    report.error(path, line, f'the source "{key}" is not in this trial\'s sources: list in trial.yaml.'
                                 f"{hint} Add it under sources:, or use one of: {known}.", code="cite.unknown")
    joined = "\n".join(prose)
    for match in NO_AT_RE.finditer(joined):
        keys = [k.strip().lstrip("@") for k in re.split(r"[,;]", match.group(1))]
        if all(k in sources for k in keys):
            meant = "; ".join(f"@{k}" for k in keys)
            report.warning(path, first_line + joined.count("\n", 0, match.start()), f'"{" ".join(match.group(0).split())}" '
                           f"shows on the page as it is written. Did you mean [{meant}]? A citation needs @ before "
                           "each source's name.", code="cite.no-at")


class _MarkCitations(InlineProcessor):
    def handleMatch(self, m, data):  # noqa: N802 (Markdown's API name)
        keys = parse_group(m.group(1))
        if keys is None:
            return None, None, None
        el = etree.Element("sup")
        el.set("class", "cite")
        el.set("data-pagefind-ignore", "all")  # "source 1" is noise in search results
        el.set("data-keys", ";".join(keys))
        return el, m.start(0), m.end(0)


class _NumberCitations(Treeprocessor):
    def __init__(self, md, extension):
        super().__init__(md)
        self.extension = extension

    def run(self, root):
        page = self.extension.page
        for sup in root.iter("sup"):
            keys = sup.attrib.pop("data-keys", None)
            if keys is None:
                continue
            fill_citation(sup, [page.cite(k) for k in keys.split(";") if k in page.sources], self.extension.label)


def fill_citation(sup, cited: list[tuple[int, str]], label: str = "source ") -> None:
    """Give a <sup class="cite"> its links: [1, 2], ascending, each read as "source N"."""
    cited.sort()
    opening = etree.SubElement(sup, "span", {"aria-hidden": "true"})
    opening.text = "["
    previous = opening
    for i, (number, anchor) in enumerate(cited):
        if i:
            previous.tail = ", "
        link = etree.SubElement(sup, "a", {"class": "cite-ref", "href": f"#source-{number}", "id": anchor})
        hidden = etree.SubElement(link, "span", {"class": "visually-hidden"})
        hidden.text = label
        hidden.tail = str(number)
        previous = link
    closing = etree.SubElement(sup, "span", {"aria-hidden": "true"})
    closing.text = "]"


class CitationExtension(Extension):
    """Register with a Markdown instance; set .page before each conversion."""

    def __init__(self, **kwargs):
        self.page: PageCitations | None = None
        self.label = "source "  # read by screen readers before the number, in the page's language
        super().__init__(**kwargs)

    def extendMarkdown(self, md):  # noqa: N802
        # Priority above links (160) so "[@a]" is never read as a link reference.
        # Leading spaces are taken too, so "approved [@a]." shows as "approved[1]." like a footnote mark.
        md.inlinePatterns.register(_MarkCitations(r"[ \t]*" + CITATION_RE.pattern, md), "trialsite-citation", 175)
        md.treeprocessors.register(_NumberCitations(md, self), "trialsite-citation-numbers", 5)
