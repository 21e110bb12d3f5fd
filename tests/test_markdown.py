"""How section Markdown becomes HTML where Python-Markdown and what editors expect differ:
headings under the section title, lists written right under a line of text, nested lists."""
from __future__ import annotations

import re

import pytest

from project import make_project, run_build
from trialsite.citations import PageCitations
from trialsite.resolve import Converter


def html_of(markdown: str) -> str:
    return Converter().convert(markdown, PageCitations({}), "s").replace("\n", "")


@pytest.mark.parametrize("markdown, levels", [
    ("# Top\n\nText.\n\n## Under\n\nText.", ["h3", "h4"]),
    ("## Top\n\nText.\n\n### Under\n\nText.", ["h3", "h4"]),  # "##" out of habit: still right under the h2
    ("# Top\n\nText.\n\n### Skipped one\n\n# Top again", ["h3", "h4", "h3"]),  # no level skipped
    ("Top\n===\n\nUnder\n-----\n\n#### Deep\n\n##### Deeper\n\n###### Deepest", ["h3", "h4", "h5", "h6", "h6"]),
])
def test_headings_in_a_section_sit_right_under_its_title_without_gaps(markdown, levels):
    assert re.findall(r"<(h\d) id=", html_of(markdown)) == levels


@pytest.mark.parametrize("markdown, expected", [
    ("You can join if:\n- you are 18\n- you have RA", "<p>You can join if:</p><ul><li>you are 18</li><li>you have RA</li></ul>"),
    ("Steps:\n1. First\n2. Second", "<p>Steps:</p><ol><li>First</li><li>Second</li></ol>"),
    ("Steps:\n* First\n+ Second", "<p>Steps:</p><ul><li>First</li><li>Second</li></ul>"),
    # Not lists: a year at the start of a line, emphasis, a rule, a lazy line inside a list item.
    ("It started in\n2024. Then it grew.", "<p>It started in2024. Then it grew.</p>"),
    ("Some\n*bold* text", "<p>Some<em>bold</em> text</p>"),
    ("Some text\n- - -", "<p>Some text</p><hr>"),
    ("- one\n- two\nmore of two", "<ul><li>one</li><li>twomore of two</li></ul>"),
])
def test_a_list_right_under_a_line_of_text_is_a_list(markdown, expected):
    assert html_of(markdown) == expected


def test_a_list_item_indented_too_little_to_nest_is_a_warning_with_its_line(tmp_path):
    body = "Who can join:\n- adults\n  - aged 18 to 65\n    - and in good health\n"
    project = make_project(tmp_path, {"content/trials/small-trial/sections/03-more.md": f"---\ntitle: More\n---\n{body}"})
    result = run_build(project)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "list item is indented" in line]
    assert warnings == ["content/trials/small-trial/sections/03-more.md:6: warning: this list item is indented by 2 "
                        "spaces, so it shows at the same level as the item above, not under it. To put it under that "
                        "item, indent it by 4 spaces."]
