"""load.py: bytes, YAML with line numbers, front matter, folder layout."""
from __future__ import annotations

import os

from trialsite.diagnostics import Report
from trialsite.load import load_content
from trialsite.yamlfile import parse_yaml, read_text, split_front_matter

from project import make_project


def parse(text):
    report = Report()
    return parse_yaml(text, "x.yaml", report), report


def test_every_key_and_item_has_its_line():
    doc, report = parse("a: 1\nb:\n  c: 2\nl:\n  - x\n  - y: 3\n")
    assert not report.items
    assert doc.line("b", "c") == 3
    assert doc.line("l", 1, "y") == 6
    assert doc.line("l", 1, "missing") == 6  # falls back to the closest parent


def test_duplicate_keys_are_errors_not_silently_overwritten():
    doc, report = parse("title: one\nsummary: s\ntitle: two\n")
    assert doc is None
    assert [(d.line, d.code) for d in report.items] == [(3, "yaml.duplicate")]
    assert "first on line 1" in report.items[0].message


def test_only_true_and_false_are_booleans():
    doc, _ = parse("country: NO\nanswer: yes\nflag: true\n")
    assert doc.data == {"country": "NO", "answer": "yes", "flag": True}


def test_dates_become_iso_text():
    doc, _ = parse("d: 2026-11-01\n")
    assert doc.data == {"d": "2026-11-01"}


def test_alias_bomb_is_refused():
    rows = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i, name in enumerate("bcdefg"):
        prev = "abcdefg"[i]
        rows.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    doc, report = parse("\n".join(rows) + "\n")
    assert doc is None
    assert report.items[0].code == "yaml.aliases"


def test_syntax_error_names_the_line():
    doc, report = parse("a: 1\nb: [1, 2\nc: 3\n")
    assert doc is None
    assert report.items[0].line == 2


def test_bom_and_windows_line_endings_are_fine(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_bytes(b"\xef\xbb\xbftitle: x\r\nsummary: y\r\n")
    report = Report()
    assert read_text(path, report, 1000) == "title: x\nsummary: y\n"
    assert not report.items


def test_binary_and_oversized_files_are_refused(tmp_path):
    path = tmp_path / "x.md"
    path.write_bytes(b"line one\nline two \x00 here\n")
    report = Report()
    assert read_text(path, report, 1000) is None
    assert (report.items[0].line, report.items[0].code) == (2, "file.binary")
    report = Report()
    assert read_text(path, report, 10) is None
    assert report.items[0].code == "file.size"


def test_front_matter_keeps_the_body_line():
    report = Report()
    meta, body, line = split_front_matter("---\ntitle: T\n---\nfirst\nsecond\n", "s.md", report)
    assert meta.data == {"title": "T"} and meta.line("title") == 2
    assert body.startswith("first") and line == 4


def test_hidden_files_are_ignored_and_sections_sorted(tmp_path):
    project = make_project(tmp_path, {
        "content/trials/small-trial/sections/.DS_Store": b"\x00\x01",
        "content/trials/small-trial/sections/.#01-who.md": "junk",
        "content/trials/.hidden/trial.yaml": "junk: [",
    })
    report = Report()
    raw = load_content(project / "content", report)
    assert not report.items
    assert [s.name for s in raw.trials[0].sections] == ["01-who.md", "02-plan.md"]


def test_symlink_out_of_content_is_refused(tmp_path):
    project = make_project(tmp_path / "p")
    outside = tmp_path / "outside.md"
    outside.write_text("---\ntitle: X\n---\nSecret.\n")
    os.symlink(outside, project / "content/trials/small-trial/sections/03-link.md")
    report = Report()
    load_content(project / "content", report)
    assert [d.code for d in report.items] == ["file.symlink"]


def test_section_numbers_that_sort_out_of_order_are_a_warning(tmp_path):
    """File-name order puts "10-..." before "3-...": the editor is told how to name them."""
    section = "---\ntitle: More\n---\nText.\n"
    folder = "content/trials/small-trial/sections"
    good = make_project(tmp_path / "good", {f"{folder}/03-more.md": section, f"{folder}/10-last.md": section})
    report = Report()
    load_content(good / "content", report)
    assert not [d for d in report.items if d.code == "section.order"]
    bad = make_project(tmp_path / "bad", {f"{folder}/3-more.md": section, f"{folder}/10-last.md": section})
    report = Report()
    load_content(bad / "content", report)
    [warning] = [d for d in report.items if d.code == "section.order"]
    assert warning.path.endswith("sections/10-last.md") and warning.severity == "warning"
    assert 'so "10-last.md" comes before "3-more.md". Start every name with 2 digits (01-, 02-, ...)' in warning.message
