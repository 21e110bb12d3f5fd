"""write.py: the site is swapped in whole, or not at all."""
from __future__ import annotations

import pytest

from trialsite.write import WriteError, build_lock, write_output

from project import snapshot


def test_new_site_replaces_old_completely(tmp_path):
    out = tmp_path / "site"
    write_output({"index.html": b"old", "old-only.html": b"x"}, out)
    write_output({"index.html": b"new", "trials/a/index.html": b"a"}, out)
    assert snapshot(out) == {"index.html": b"new", "trials/a/index.html": b"a"}
    assert [p.name for p in tmp_path.iterdir()] == ["site"], "no temporary folders left"


def test_a_failure_while_writing_keeps_the_old_site(tmp_path):
    out = tmp_path / "site"
    write_output({"index.html": b"good"}, out)
    with pytest.raises(WriteError):
        write_output({"a.html": b"x", "../escape.html": b"bad"}, out)
    assert snapshot(out) == {"index.html": b"good"}
    assert not (tmp_path / "escape.html").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_leftovers_of_a_killed_build_are_cleaned(tmp_path):
    out = tmp_path / "site"
    (tmp_path / ".site.new-abc123").mkdir()
    (tmp_path / ".site.new-abc123" / "half.html").write_text("half")
    write_output({"index.html": b"x"}, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_two_builds_at_once_are_refused_plainly(tmp_path):
    out = tmp_path / "site"
    with build_lock(out):
        with pytest.raises(WriteError, match="another build"):
            with build_lock(out):
                pass
