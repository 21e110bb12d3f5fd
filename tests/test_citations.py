"""citations.py: numbering by first citation, groups ascending, back-link ids, errors at their line."""
from __future__ import annotations

import re

from trialsite.citations import PageCitations, check_citations
from trialsite.diagnostics import Report
from trialsite.resolve import Converter

SOURCES = {"a": object(), "b": object(), "c": object()}


def numbers(html):
    return [tuple(int(n) for n in re.findall(r'href="#source-(\d+)"', sup))
            for sup in re.findall(r'<sup class="cite"[^>]*>(.*?)</sup>', html)]


def test_numbered_in_order_of_first_citation_and_repeats_keep_their_number():
    page = PageCitations(SOURCES)
    conv = Converter()
    first = conv.convert("One [@b]. Two [@a]. Three [@b].", page, "s1")
    second = conv.convert("Four [@c; @a].", page, "s2")
    assert numbers(first) == [(1,), (2,), (1,)]
    assert numbers(second) == [(2, 3)]  # ascending inside a group
    assert page.places == {"b": ["cite-1-1", "cite-1-2"], "a": ["cite-2-1", "cite-2-2"], "c": ["cite-3-1"]}


def test_document_order_even_inside_emphasis():
    page = PageCitations(SOURCES)
    html = Converter().convert("First [@a] and **bold [@b]** then [@c].", page, "s")
    assert numbers(html) == [(1,), (2,), (3,)]


def test_link_text_reads_source_n_for_screen_readers():
    html = Converter().convert("Fact [@a].", PageCitations(SOURCES), "s")
    assert '<span class="visually-hidden">source </span>1</a>' in html
    assert 'id="cite-1-1"' in html


def test_citations_in_code_are_left_alone():
    page = PageCitations(SOURCES)
    html = Converter().convert("Use `[@a]` like this.", page, "s")
    assert "<code>[@a]</code>" in html and not page.numbers


def test_unknown_and_malformed_citations_are_errors_at_their_line():
    report = Report()
    check_citations("ok [@a]\n\nbad [@zz]\nworse [@a, @b]\n", SOURCES, "s.md", 5, report)
    assert [(d.line, d.code) for d in report.items] == [(7, "cite.unknown"), (8, "cite.syntax")]

