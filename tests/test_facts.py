"""facts.py: {{ trial.… }} fills in facts; anything else is refused at its line."""
from __future__ import annotations

import pytest

from trialsite.diagnostics import Report
from trialsite.facts import render_facts

FACTS = {"enrollment": {"count": 92, "kind": "planned"}, "phase": "2", "healthy": False,
         "interventions": [{"name": "AB-101"}, {"name": "rituximab"}], "title": "<b>x</b> *y*"}


def render(text, first_line=10):
    report = Report()
    return render_facts(text, FACTS, "s.md", first_line, report), report


def test_values_are_filled_in():
    out, report = render("{{ trial.enrollment.count }} people, {{trial.interventions[1].name}}, "
                         "phase {{ trial.phase }}, healthy: {{ trial.healthy }}")
    assert out == "92 people, rituximab, phase 2, healthy: no"
    assert not report.items


def test_values_cannot_inject_html_or_markdown():
    out, _ = render("{{ trial.title }}")
    assert "<b>" not in out and out == "&lt;b&gt;x&lt;/b&gt; \\*y\\*"


@pytest.mark.parametrize("text, line, says", [
    ("a\n{{ trial.enrolment.count }}", 11, 'Did you mean "enrollment"'),
    ("{{ trial.enrollment }}", 10, "names a group"),
    ("{{ trial.interventions }}", 10, "names a group"),
    ("\n\n{{ trial.interventions[5].name }}", 12, "numbered from 0"),
    ("{{ trial.interventions.name }}", 10, "is a list"),
    ("{{ trial.title | upper }}", 10, "only fact names"),
    ("{{ ''.__class__.__mro__ }}", 10, "only fact names"),
    ("{{ cycler.__init__.__globals__ }}", 10, "only fact names"),
    ("x\n{% include 'base.html' %}", 11, "is not allowed"),
    ("{% import 'x' as y %}", 10, "is not allowed"),
    ("{{ trial.phase", 10, "is not closed"),
])
def test_mistakes_are_reported_at_their_line(text, line, says):
    out, report = render(text)
    assert out is None
    assert report.items[0].line == line
    assert says in report.items[0].message


def test_text_without_braces_is_untouched_and_comment_marks_are_text():
    assert render("Plain {# not a comment")[0] == "Plain {# not a comment"
