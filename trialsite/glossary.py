"""Glossary: mark the first use of each glossary word on a page, with its plain definition.

The word becomes <dfn> (with <abbr> for abbreviations) inside a button that opens a popover
holding the definition and a link to the word list. Popovers need no script and work by
touch, keyboard and mouse; a browser without them shows the definition inline instead.
Matching follows CONTENT.md: whole words, any case, except abbreviations (entries with
stands_for, and an entry's abbreviations:), which match exactly as written; never inside links,
headings, code or citation marks. One entry is one idea: "maximum tolerated dose" and "MTD" are
two forms of it, and the first use of each form is marked.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown.serializers import to_html_string
from markdown.treeprocessors import Treeprocessor

# Elements whose text is never marked: links and buttons cannot hold a button, headings and
# code must stay as written, and <sup> holds citation marks.
SKIP = {"a", "abbr", "button", "code", "dfn", "h1", "h2", "h3", "h4", "h5", "h6", "kbd", "pre", "summary", "sup"}


class Phrases:
    """Finds any of many words and phrases in text: whole words, longest first.

    One regex of every name is slow to scan with (Python tries each name at every position),
    so names are grouped by their first word, and a group is only tried where its word starts.
    A group's regex is made the first time its word is seen: a build that checks one trial
    (after an edit) would otherwise compile hundreds of them (~0.1 s) to use a few.
    """

    WORD = re.compile(r"\w+")

    def __init__(self, exact=(), folded=()) -> None:
        self.groups: dict[str, list] = {}
        for name, fold in [(n, False) for n in exact] + [(n, True) for n in folded]:
            first = self.WORD.search(name)
            if first:
                self.groups.setdefault(first.group(0).lower(), []).append((name, fold))
        self.patterns: dict[str, re.Pattern] = {}
        self.first_words = set(self.groups)

    @staticmethod
    def _pattern(names: list) -> re.Pattern:
        # Longest first: "clinical trial" wins over "clinical" at the same place.
        names = sorted(names, key=lambda item: (-len(item[0]), item[0]))
        choices = "|".join(f"(?i:{re.escape(n)})" if fold else re.escape(n) for n, fold in names)
        return re.compile(rf"(?<![\w-])(?:{choices})(?![\w-])")

    def find(self, text: str):
        """(start, end) of every name in text, left to right, never overlapping."""
        if not self.first_words:
            return
        # Each word lower-cased on its own, as the names' first words were ("İ" grows longer).
        present = self.first_words.intersection(map(str.lower, self.WORD.findall(text)))
        if not present:
            return  # the common case, checked in C
        end = 0
        for start, word in self._starts(text, present):
            if start < end:
                continue
            pattern = self.patterns.get(word)
            if pattern is None:
                pattern = self.patterns[word] = self._pattern(self.groups[word])
            match = pattern.match(text, start)
            if match:
                end = match.end()
                yield match.start(), end

    def _starts(self, text: str, present: set) -> list[tuple[int, str]]:
        """(where, which) of each word that begins some name, in order. Only those words are
        looked for (str.find, in C), not every word of the text one by one in Python."""
        lowered = text.lower()
        if len(lowered) != len(text):  # lower() made some letter longer: positions would not match
            return [(w.start(), w.group(0).lower()) for w in self.WORD.finditer(text) if w.group(0).lower() in present]
        starts = []
        for word in present:
            at = lowered.find(word)
            while at >= 0:
                after = at + len(word)
                if not (at and _word_char(lowered[at - 1]) or after < len(lowered) and _word_char(lowered[after])):
                    starts.append((at, word))
                at = lowered.find(word, after)
        starts.sort()
        return starts


def _word_char(char: str) -> bool:
    return char.isalnum() or char == "_"  # what \w matches


class Glossary:
    """Finds glossary words (every form of every entry) in plain text."""

    def __init__(self, terms) -> None:
        self.exact: dict = {}  # abbreviations: as written
        self.folded: dict = {}  # everything else: lower case
        for term in terms:
            for name in (term.term, *term.aliases):
                if term.stands_for:
                    self.exact.setdefault(name, term)
                else:
                    self.folded.setdefault(name.lower(), term)
            for name in term.abbreviations:
                self.exact.setdefault(name, term)
        for term in terms:  # an abbreviation's long form, unless an entry of its own has it
            if term.stands_for:
                self.folded.setdefault(term.stands_for.lower(), term)
        self.phrases = Phrases(self.exact, self.folded)

    def find(self, text: str):
        """(start, end, term) for every glossary word in text, left to right."""
        for start, end in self.phrases.find(text):
            word = text[start:end]
            term = self.exact.get(word) or self.folded.get(word.lower())
            if term is not None:
                yield start, end, term

    def knows(self, word: str) -> bool:
        return word in self.exact or word.lower() in self.folded

    def is_abbreviation(self, word: str) -> bool:
        return word in self.exact


def term_elements(word: str, term, glossary_page: str, labels: dict,
                  abbreviation: bool | None = None) -> tuple[etree.Element, etree.Element]:
    """The marked word and its definition box, as two sibling elements. abbreviation: the word
    is a short form (then it is read out with what it stands for)."""
    box_id = "gl-" + term.anchor.removeprefix("term-")
    dfn = etree.Element("dfn", {"class": "term"})
    button = etree.SubElement(dfn, "button", {"type": "button", "class": "term-button", "popovertarget": box_id})
    if abbreviation if abbreviation is not None else bool(term.stands_for):
        abbr = etree.SubElement(button, "abbr", {"title": term.stands_for or term.term})
        abbr.text = word
    else:
        button.text = word
    # Not indexed for search: the same definitions on many pages would only add noise.
    box = etree.Element("span", {"class": "term-def", "id": box_id, "popover": "auto", "data-pagefind-ignore": "all"})
    name = etree.SubElement(box, "strong")
    name.text = term.term
    short = term.stands_for or ", ".join(term.abbreviations)
    name.tail = f" ({short}): {term.definition} " if short else f": {term.definition} "
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
        if self.converter.glossary.phrases.first_words:
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
        converter = self.converter
        new: list = []
        lead, last = text, 0
        for start, end, term in converter.glossary.find(text):
            word = text[start:end]
            abbreviation = converter.glossary.is_abbreviation(word)
            form = (term.term, abbreviation)  # "MTD" and "maximum tolerated dose": each marked once
            if form in converter.forms_marked:
                continue
            converter.forms_marked.add(form)
            has_box = term.term in converter.terms_used  # another form opened it already: one box a page
            converter.terms_used[term.term] = None
            if new:
                new[-1].tail = text[last:start]
            else:
                lead = text[:start]
            elements = term_elements(word, term, converter.glossary_page, converter.labels, abbreviation)
            new.extend(elements[:1] if has_box else elements)
            last = end
        if new:
            new[-1].tail = text[last:]
        return lead, new


def mark_text(text: str, converter) -> str:
    """Plain text (a fact from trial.yaml) as HTML, with glossary words marked as in the
    sections: the first use of each form on the page."""
    root = etree.Element("span")
    root.text = text
    MarkTerms(converter.md, converter).run(root)
    html = to_html_string(root)
    return html[len("<span>"):-len("</span>")]
