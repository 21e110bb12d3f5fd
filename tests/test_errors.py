"""Every malformed content folder under tests/bad_content/ is refused the way an editor needs:
exit code 1, the file:line in the message, no traceback, and the previous site/ untouched."""
from __future__ import annotations

from pathlib import Path

import pytest

from project import case_project, run_build, snapshot

CASES = sorted(p for p in (Path(__file__).parent / "bad_content").iterdir() if p.is_dir())


def test_there_are_enough_cases():
    assert len(CASES) >= 15


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_content_is_refused_clearly(case: Path, good_site: Path, tmp_path: Path):
    expected = [line for line in (case / "expect.txt").read_text().splitlines() if line.strip()]
    project, site, before = case_project(case, good_site, tmp_path)

    result = run_build(project)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    for fragment in expected:
        assert fragment in result.stderr, f"{fragment!r} not in:\n{result.stderr}"
    first = result.stderr.splitlines()[0]
    assert first.startswith("content/"), "messages start with the path the editor opens"
    assert snapshot(site) == before, "a failed build must not change the last good site"
    assert not list(project.glob(".site.new-*")), "no half-written folder left behind"
