"""Nothing lost (issue 7): a build killed at any moment (SIGKILL, no chance to clean up) leaves
the previous site/ complete and byte-identical, and the next build works; two builds started
at once never mix their files."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from project import ROOT, snapshot

sys.path.insert(0, str(ROOT / "bench"))
import generate  # noqa: E402  (bench/generate.py: N realistic trials)

TRIALS = 120


@pytest.fixture(scope="module")
def big_project(tmp_path_factory):
    project = tmp_path_factory.mktemp("kill")
    generate.main(TRIALS, project / "corpus")
    (project / "corpus" / "content").rename(project / "content")
    build = start(project)
    assert build.wait(timeout=300) == 0, build.stderr.read()
    return project


def start(project, *args) -> subprocess.Popen:
    # Own process group, so the kill reaches the worker processes too.
    return subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--no-cache", *args], cwd=project,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def test_sigkill_at_random_moments_keeps_the_last_good_site(big_project):
    good = snapshot(big_project / "site")
    assert len(good) > TRIALS and "pagefind/pagefind-ui.js" in good
    started = time.monotonic()
    timed = start(big_project)
    assert timed.wait(timeout=300) == 0
    duration = time.monotonic() - started
    moments = random.Random(7).sample(range(5, 95), 6)  # percent of a whole build
    for percent in moments:
        build = start(big_project)
        time.sleep(duration * percent / 100)
        os.killpg(build.pid, signal.SIGKILL)
        build.wait(timeout=30)
        assert snapshot(big_project / "site") == good, f"site/ changed after a kill at {percent}% of a build"
    after = start(big_project)
    assert after.wait(timeout=300) == 0, after.stderr.read()
    assert snapshot(big_project / "site") == good, "a build after the kills gives the same site"
    leftovers = [p.name for p in big_project.iterdir() if p.name.startswith(".site")]
    assert all(name.endswith(".lock") for name in leftovers), leftovers


def test_two_builds_at_once_do_not_mix(big_project):
    good = snapshot(big_project / "site")
    first, second = start(big_project), start(big_project)
    results = [(p.wait(timeout=300), p.stderr.read()) for p in (first, second)]
    codes = sorted(code for code, _ in results)
    assert codes in ([0, 0], [0, 1]), results
    for code, err in results:
        assert "Traceback" not in err
        if code == 1:
            assert "another build is writing to" in err
    assert snapshot(big_project / "site") == good
