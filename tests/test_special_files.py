"""Files a hostile test cannot keep in git (issue 7): a section that is a pipe must not hang the
build, and a 50 MB section is refused by its size before it is read."""
from __future__ import annotations

import os
import resource

from project import make_project, run_build, snapshot

SECTIONS = "content/trials/small-trial/sections"


def test_a_pipe_as_a_section_is_skipped_with_a_warning_not_read(tmp_path):
    project = make_project(tmp_path)
    os.mkfifo(project / SECTIONS / "03-pipe.md")  # opening it would wait for a writer for ever
    result = run_build(project)  # run_build times out after 120 s if the build hangs
    assert result.returncode == 0, result.stderr
    assert f"{SECTIONS}/03-pipe.md: warning: this is not an ordinary file" in result.stderr


def test_a_50_mb_section_is_refused_by_size_and_site_is_kept(tmp_path):
    project = make_project(tmp_path)
    assert run_build(project).returncode == 0
    before = snapshot(project / "site")
    with open(project / SECTIONS / "03-huge.md", "wb") as f:
        f.truncate(50 * 1024 * 1024)  # sparse: 50 MB of NUL bytes without writing them
    result = run_build(project)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{SECTIONS}/03-huge.md: this file is too big (52,428,800 bytes" in result.stderr
    assert snapshot(project / "site") == before


def test_a_3_gb_section_is_never_read_into_memory(tmp_path):
    """Not by the loader, and not by the cache's hashing either: the build runs with 1 GB of
    address space, so reading the file whole would fail with MemoryError."""
    project = make_project(tmp_path)
    with open(project / SECTIONS / "03-huge.md", "wb") as f:
        f.truncate(3 * 1024 ** 3)

    def limit_memory():
        resource.setrlimit(resource.RLIMIT_AS, (1024 ** 3, 1024 ** 3))

    result = run_build(project, preexec_fn=limit_memory)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert f"{SECTIONS}/03-huge.md: this file is too big (3,221,225,472 bytes" in result.stderr
