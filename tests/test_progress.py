"""Progress of a long build (issue 22): a live line on a terminal, plain lines in a log (CI),
nothing with --quiet. build.py runs on a real pseudo-terminal (pty) and in a pipe."""
from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
import threading

import pytest

from project import ROOT, SECTION_1, TRIAL, make_project, run_build

TRIALS = 3


@pytest.fixture
def project(tmp_path):
    extra = {}
    for i in range(1, TRIALS):
        extra[f"content/trials/trial-{i}/trial.yaml"] = TRIAL.replace("A small test trial", f"Test trial {i}")
        extra[f"content/trials/trial-{i}/sections/01-who.md"] = SECTION_1
    return make_project(tmp_path / "p", extra)


def build_on_a_terminal(project, *args) -> str:
    """build.py with its output on a pseudo-terminal: everything it wrote there."""
    main, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 100 columns, as a terminal tells
    chunks = []

    def read():
        while True:
            try:
                data = os.read(main, 4096)
            except OSError:  # EIO: the terminal closed
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=read)
    reader.start()
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=project, stdout=terminal,
                          stderr=terminal, stdin=subprocess.DEVNULL, timeout=120)
    os.close(terminal)
    reader.join(timeout=10)
    os.close(main)
    assert done.returncode == 0, b"".join(chunks).decode(errors="replace")
    return b"".join(chunks).decode(errors="replace")


def test_a_terminal_shows_a_live_progress_line(project):
    shown = build_on_a_terminal(project)
    live = [part for part in shown.split("\r") if "Trial pages:" in part]
    assert live, f"no progress line:\n{shown!r}"
    assert all(f"/{TRIALS} trials [" in line and "so far, about" in line and "left]" in line for line in live), live
    assert "\n" not in shown.split("Built ")[0], "drawn in place (carriage returns), then cleared: no line left over"
    assert "Built 3 trial pages" in shown


def test_a_log_gets_plain_lines_and_no_redrawn_line(project):
    result = run_build(project)
    assert result.returncode == 0, result.stderr
    assert "\r" not in result.stdout + result.stderr, "a log (CI) has no line redrawn in place"
    assert f"Trial pages: {TRIALS}/{TRIALS} trials in " in result.stdout
    assert "Search index: 1/1 shards in " in result.stdout
    assert "Trial pages" not in result.stderr, "stderr is for problems"


@pytest.mark.parametrize("where", ["terminal", "log"])
def test_quiet_prints_no_progress_and_no_summary(project, where):
    shown = build_on_a_terminal(project, "--quiet") if where == "terminal" else run_build(project, "--quiet").stdout
    assert "Trial pages" not in shown and "Search index" not in shown and "Built" not in shown
    assert (project / "site" / "index.html").is_file(), "the site is built all the same"


def test_quiet_still_shows_errors(project):
    (project / "content" / "trials" / "trial-1" / "trial.yaml").write_text("status: [\n")
    result = run_build(project, "--quiet")
    assert result.returncode == 1 and "trial-1/trial.yaml" in result.stderr
    assert "Trial pages" not in result.stdout
