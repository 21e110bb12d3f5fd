"""Glossary: mark the first use of each glossary word on a page, with its plain definition.

The word becomes <dfn> (with <abbr> for abbreviations) inside a button that opens a popover
holding the definition and a link to the word list. Popovers need no script and work by
touch, keyboard and mouse; a browser without them shows the definition inline instead.
Matching follows CONTENT.md: whole words, any case, except entries with stands_for, which
match exactly as written; never inside links, headings, code or citation marks.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown.treeprocessors import Treeprocessor

# Elements whose text is never marked: links and buttons cannot hold a button, headings and
# code must stay as written, and <sup> holds citation marks.
SKIP = {"a", "abbr", "button", "code", "dfn", "h1", "h2", "h3", "h4", "h5", "h6", "kbd", "pre", "summary", "sup"}


class Phrases:
    """Finds any of many words and phrases in text: whole words, longest first.

    One regex of every name is slow to scan with (Python tries each name at every position),
    so it is only tried where a word starts that begins some name.
    """

    WORD = re.compile(r"\w+")

    def __init__(self, exact=(), folded=()) -> None:
        names = [(n, False) for n in exact] + [(n, True) for n in folded]
        # Longest first: "clinical trial" wins over "trial" at the same place.
        names.sort(key=lambda item: (-len(item[0]), item[0]))
        self.first_words = {m.group(0).lower() for n, _ in names for m in [self.WORD.search(n)] if m}
        choices = "|".join(f"(?i:{re.escape(n)})" if folded else re.escape(n) for n, folded in names)
        self.pattern = re.compile(rf"(?<![\w-])(?:{choices})(?![\w-])") if names else None

    def find(self, text: str):
        """(start, end) of every name in text, left to right, never overlapping."""
        if self.pattern is None or self.first_words.isdisjoint(self.WORD.findall(text.lower())):
            return  # the common case, checked in C
        end = 0
        for word in self.WORD.finditer(text):
            if word.start() < end or word.group(0).lower() not in self.first_words:
                continue
            match = self.pattern.match(text, word.start())
            if match:
                end = match.end()
                yield match.start(), end


class Glossary:
    """Finds glossary words (terms and aliases) in plain text."""

    def __init__(self, terms) -> None:
        self.exact: dict = {}  # entries with stands_for: as written
        self.folded: dict = {}  # everything else: lower case
        for term in terms:
            for name in (term.term, *term.aliases):
                if term.stands_for:
                    self.exact.setdefault(name, term)
                else:
                    self.folded.setdefault(name.lower(), term)
        self.phrases = Phrases(self.exact, self.folded)
        self.pattern = self.phrases.pattern

    def find(self, text: str):
        """(start, end, term) for every glossary word in text, left to right."""
        for start, end in self.phrases.find(text):
            word = text[start:end]
            term = self.exact.get(word) or self.folded.get(word.lower())
            if term is not None:
                yield start, end, term

    def knows(self, word: str) -> bool:
        return word in self.exact or word.lower() in self.folded


def term_elements(word: str, term, glossary_page: str, labels: dict) -> tuple[etree.Element, etree.Element]:
    """The marked word and its definition box, as two sibling elements."""
    box_id = "gl-" + term.anchor.removeprefix("term-")
    dfn = etree.Element("dfn", {"class": "term"})
    button = etree.SubElement(dfn, "button", {"type": "button", "class": "term-button", "popovertarget": box_id})
    if term.stands_for:
        abbr = etree.SubElement(button, "abbr", {"title": term.stands_for})
        abbr.text = word
    else:
        button.text = word
    # Not indexed for search: the same definitions on many pages would only add noise.
    box = etree.Element("span", {"class": "term-def", "id": box_id, "popover": "auto", "data-pagefind-ignore": "all"})
    name = etree.SubElement(box, "strong")
    name.text = term.term
    name.tail = f" ({term.stands_for}): {term.definition} " if term.stands_for else f": {term.definition} "
    more = etree.SubElement(box, "a", {"href": f"{glossary_page}#{term.anchor}"})
    more.text = labels["more"]
    close = etree.SubElement(box, "button", {"type": "button", "class": "term-close", "popovertarget": box_id,
                                             "popovertargetaction": "hide"})
    close.text = labels["close"]
    return dfn, box


class MarkTerms(Treeprocessor):
    """Runs after the inline patterns, so it sees finished text and never touches citations."""

    def __init__(self, md, converter) -> None:
        super().__init__(md)
        self.converter = converter

    def run(self, root):
        if self.converter.glossary.pattern is not None:
            self._walk(root)

    def _walk(self, element) -> None:
        if element.tag in SKIP:
            return
        children = list(element)  # before inserting: new definition boxes are not walked again
        if element.text:
            element.text, new = self._split(element.text)
            element[0:0] = new
        for child in children:
            self._walk(child)
            if child.tail:
                child.tail, new = self._split(child.tail)
                at = list(element).index(child) + 1
                element[at:at] = new

    def _split(self, text: str) -> tuple[str, list]:
        """The text before the first new glossary word, and the elements that replace the rest."""
        seen = self.converter.terms_used
        new: list = []
        lead, last = text, 0
        for start, end, term in self.converter.glossary.find(text):
            if term.term in seen:
                continue
            seen[term.term] = None
            if new:
                new[-1].tail = text[last:start]
            else:
                lead = text[:start]
            new.extend(term_elements(text[start:end], term, self.converter.glossary_page, self.converter.labels))
            last = end
        if new:
            new[-1].tail = text[last:]
        return lead, new
