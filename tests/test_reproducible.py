"""Reproducible builds (issue 7): the same content gives byte-identical files, whatever the folder
it is built in, the time, the time zone, the number of processes or a warm cache."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from linkcheck_helpers import broken_links
from project import ROOT, snapshot

sys.path.insert(0, str(ROOT / "bench"))
import generate  # noqa: E402  (bench/generate.py: N realistic trials)


def build(project: Path, *args: str, **env: str) -> dict[str, bytes]:
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=project, capture_output=True,
                            text=True, timeout=300, env={**os.environ, **env})
    assert result.returncode == 0, result.stderr
    return snapshot(project / "site")


def test_multi_trial_site_is_byte_identical_from_another_folder_and_time(tmp_path):
    generate.main(30, tmp_path / "corpus")
    first = tmp_path / "a" / "project"
    second = tmp_path / "somewhere" / "much" / "deeper" / "other name"  # longer path, a space in it
    for project in (first, second):
        shutil.copytree(tmp_path / "corpus" / "content", project / "content")

    one = build(first, "--no-cache", TZ="UTC", LC_ALL="C.UTF-8")
    time.sleep(1.1)  # another second on the clock
    two = build(second, "--jobs", "1", TZ="Pacific/Kiritimati", LC_ALL="C.UTF-8", SOURCE_DATE_EPOCH="1")
    warm = build(first, TZ="America/Los_Angeles")  # from the cache this time

    assert len(one) > 30 and any(name.startswith("conditions/") for name in one)
    for name in one:
        assert one[name] == two[name] == warm[name], f"{name} differs between builds"
    assert one.keys() == two.keys() == warm.keys()
    for data in one.values():  # no absolute path of the build folder leaks into a page
        assert str(tmp_path).encode() not in data
    assert broken_links(first / "site") == []
