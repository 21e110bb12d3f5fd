"""Hostile or malformed content (tests/hostile_content/<case>/) is refused or neutralised.

expect.txt: the first line is "ok" (the build succeeds and nothing dangerous reaches site/) or a
file:line fragment of the first error; further lines are fragments the messages must contain.
Every case: no traceback, and on refusal the previous site/ is byte-for-byte unchanged.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from project import case_project, run_build, snapshot

CASES = sorted(p for p in (Path(__file__).parent / "hostile_content").iterdir() if p.is_dir())
# JSON-LD is data, not a script (tests/test_browser_pages.py checks nothing can break out of it).
DANGEROUS = re.compile(r"<script(?![^>]*\b(?:src=|type=\"application/ld\+json\"))|\son\w+\s*=|javascript:|vbscript:|data:text|<iframe|<form|<object|"
                       r"<embed|<base\b|http-equiv=\"?refresh|url\(", re.I)


def test_there_are_enough_cases():
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_content(case: Path, good_site: Path, tmp_path: Path):
    first, *fragments = [line for line in (case / "expect.txt").read_text().splitlines() if line.strip()]
    project, site, before = case_project(case, good_site, tmp_path)

    result = run_build(project)

    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert not list(project.glob(".site.new-*")), "no half-written folder left behind"
    for fragment in fragments:
        assert fragment in result.stderr, f"{fragment!r} not in:\n{result.stderr}"
    if first == "ok":
        assert result.returncode == 0, output
        for name, data in snapshot(site).items():
            if name.endswith(".html"):
                text = data.decode()
                found = DANGEROUS.search(text)
                assert not found, f"{name}: {text[max(found.start() - 80, 0):found.end() + 80]}"
        return
    assert result.returncode == 1, output
    assert first in result.stderr, f"{first!r} not in:\n{result.stderr}"
    assert str(project) not in result.stderr, "messages show paths inside the project, not absolute ones"
    assert snapshot(site) == before, "a refused build must not change the last good site"
