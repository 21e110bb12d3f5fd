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


def start(project, *args, cache: bool = False) -> subprocess.Popen:
    # Own process group, so the kill reaches the worker processes too.
    flags = [] if cache else ["--no-cache"]
    return subprocess.Popen([sys.executable, str(ROOT / "build.py"), *flags, *args], cwd=project,
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
    assert all(name.endswith((".lock", ".spare", ".manifests")) for name in leftovers), leftovers


def test_sigkill_while_a_warm_build_reuses_the_older_folder(big_project):
    """A warm build writes into the folder of the build before last (write.py): killed while
    doing that, it must still leave site/ alone, and the next build must not trust what the
    killed one half-changed."""
    section = big_project / "content" / "trials" / "trial-00003" / "sections" / "01-overview.md"
    original = section.read_text()
    for _ in range(3):  # cache and spare folder filled; the last one timed
        started = time.monotonic()
        build = start(big_project, cache=True)
        assert build.wait(timeout=300) == 0, build.stderr.read()
    warm_duration = max(0.5, time.monotonic() - started)
    good = snapshot(big_project / "site")
    try:
        for step, percent in enumerate(random.Random(11).sample(range(5, 95), 3)):
            section.write_text(original + f"\nEdit {step} [@ctis].\n")
            reference = start(big_project, "--out", f"reference-{step}")  # the edited site, built cleanly
            assert reference.wait(timeout=300) == 0, reference.stderr.read()
            edited = snapshot(big_project / f"reference-{step}")
            started = time.monotonic()
            build = start(big_project, cache=True)
            time.sleep(warm_duration * percent / 100)
            os.killpg(build.pid, signal.SIGKILL)
            build.wait(timeout=30)
            now = snapshot(big_project / "site")
            assert now == good or now == edited, f"site/ is neither the last good site nor the new one ({percent}%)"
            good = now
        section.write_text(original)
        after = start(big_project, cache=True)
        assert after.wait(timeout=300) == 0, after.stderr.read()
        fresh = start(big_project)  # --no-cache: every file written from nothing
        site_after_warm = snapshot(big_project / "site")
        assert fresh.wait(timeout=300) == 0, fresh.stderr.read()
        assert snapshot(big_project / "site") == site_after_warm, "a warm build after kills == a clean build"
    finally:
        section.write_text(original)


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
