"""write.py: the site is swapped in whole, or not at all; a warm build writes only what changed."""
from __future__ import annotations

import os

import pytest

from trialsite.write import WriteError, build_lock, staged

from project import snapshot

KEPT = [".site.manifests", ".site.spare", "site"]  # the site, the one before it (reused), its manifest


def test_new_site_replaces_old_completely(tmp_path):
    out = tmp_path / "site"
    build(out, {"index.html": b"old", "old-only.html": b"x"})
    build(out, {"index.html": b"new", "trials/a/index.html": b"a"})
    assert snapshot(out) == {"index.html": b"new", "trials/a/index.html": b"a"}
    assert sorted(p.name for p in tmp_path.iterdir()) == KEPT, "no temporary folders left"
    assert snapshot(tmp_path / ".site.spare") == {"index.html": b"old", "old-only.html": b"x"}


def test_a_failure_while_writing_keeps_the_old_site(tmp_path):
    out = tmp_path / "site"
    build(out, {"index.html": b"good"})
    with pytest.raises(WriteError):
        build(out, {"a.html": b"x", "../escape.html": b"bad"})
    assert snapshot(out) == {"index.html": b"good"}
    assert not (tmp_path / "escape.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.manifests", "site"]


def test_leftovers_of_a_killed_build_are_cleaned(tmp_path):
    out = tmp_path / "site"
    (tmp_path / ".site.new-abc123").mkdir()
    (tmp_path / ".site.new-abc123" / "half.html").write_text("half")
    build(out, {"index.html": b"x"})
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.manifests", "site"]


def test_two_builds_at_once_are_refused_plainly(tmp_path):
    out = tmp_path / "site"
    with build_lock(out):
        with pytest.raises(WriteError, match="another build"):
            with build_lock(out):
                pass


def build(out, files: dict[str, bytes], reuse: bool = True) -> int:
    """Write files as a build does; return how many were actually written."""
    with staged(out, reuse) as stage:
        for name in sorted(files):
            stage.write(name, files[name])
    return stage.changed


def inode(path) -> int:
    return os.stat(path).st_ino


def test_a_warm_build_writes_only_the_files_that_changed(tmp_path):
    out = tmp_path / "site"
    pages = {f"trials/t{i}/index.html": f"page {i}".encode() for i in range(50)}
    assert build(out, pages) == 50
    assert build(out, pages) == 50, "the second build has no earlier folder to reuse yet"
    kept = inode(tmp_path / ".site.spare" / "trials/t1/index.html")
    changed = {**pages, "trials/t0/index.html": b"edited", "new.html": b"n"}
    del changed["trials/t49/index.html"]
    assert build(out, changed) == 2, "one page edited, one added: only those written"
    assert snapshot(out) == changed, "the removed page is gone, the rest is exactly this build"
    assert inode(out / "trials/t1/index.html") == kept, "an unchanged page was not written again"
    assert build(out, changed) == 2, "the folder reused now is the one from before the edit"
    assert snapshot(out) == changed


def test_reuse_never_trusts_a_file_that_was_changed_behind_its_back(tmp_path):
    out = tmp_path / "site"
    pages = {"a.html": b"aaaa", "b.html": b"bbbb", "sub/c.html": b"cccc"}
    build(out, pages)
    build(out, pages)
    spare = tmp_path / ".site.spare"
    (spare / "a.html").write_bytes(b"AAAA")  # same size, edited by hand or a killed build
    (spare / "stray.html").write_bytes(b"left by a killed build")
    (spare / "sub").rename(spare / "moved")
    (spare / "b.html").unlink()
    (spare / "b.html").mkdir()  # a folder where a file belongs
    build(out, pages)
    assert snapshot(out) == pages
    assert not (out / "moved").exists()


def test_a_damaged_manifest_only_costs_time(tmp_path):
    out = tmp_path / "site"
    pages = {"a.html": b"a", "b/c.html": b"c"}
    build(out, pages)
    build(out, pages)
    (tmp_path / ".site.manifests").write_bytes(b"not a pickle")
    assert build(out, {**pages, "a.html": b"A"}) == 2, "nothing known: every file written"
    assert snapshot(out) == {**pages, "a.html": b"A"}


def test_without_reuse_a_fresh_folder_is_written(tmp_path):
    out = tmp_path / "site"
    pages = {"a.html": b"a"}
    build(out, pages)
    build(out, pages)
    assert build(out, pages, reuse=False) == 1
    assert snapshot(out) == pages
    assert sorted(p.name for p in tmp_path.iterdir()) == KEPT


def test_something_else_where_the_spare_folder_goes_does_not_fail_the_build(tmp_path):
    out = tmp_path / "site"
    build(out, {"a.html": b"a"})
    (tmp_path / ".site.spare").write_text("a file someone put here")
    build(out, {"a.html": b"b"})
    assert snapshot(out) == {"a.html": b"b"}
    assert snapshot(tmp_path / ".site.spare") == {"a.html": b"a"}, "the file made room for the spare folder"
    build(out, {"a.html": b"c"})
    assert snapshot(out) == {"a.html": b"c"}
