"""Search: a Pagefind index of the finished pages, made in the staging folder before it
replaces site/ (so a failure here leaves the last good site as it was).

Pagefind comes from PyPI with its binary (pagefind[bin]); it runs offline. Only trial pages
are indexed: they mark their text with data-pagefind-body.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from .diagnostics import Report


def build_index(folder: Path, report: Report) -> None:
    """Write folder/pagefind/ for the pages in folder; a problem is one plain error."""
    command = [sys.executable, "-m", "pagefind", "--site", str(folder), "--silent", "--keep-index-url"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        done = subprocess.CompletedProcess(command, 1, "", str(exc))
    if done.returncode != 0 or not (folder / "pagefind" / "pagefind-ui.js").is_file():
        detail = " ".join((done.stderr or done.stdout or "no message").split())[:300]
        report.error("site search", 0, f"the search index could not be made ({detail}). Install everything again "
                     "with: pip install -r requirements.txt. Your site/ folder was not changed.", code="search.index")


class BackgroundIndex:
    """The preview's search index, remade in a background thread once saves settle.

    Never on the way from a save to the reloaded page: a site of 1,000 trials takes Pagefind
    several seconds. Saves that come while it works are folded into one more run.
    """

    def __init__(self, delay: float = 1.0) -> None:
        self.files: dict[str, bytes] = {}  # "pagefind/..." -> bytes, served by the preview
        self.delay = delay
        self.runs = 0
        self._wanted: dict | None = None
        self._due = 0.0
        self._changed = threading.Condition()
        threading.Thread(target=self._work, daemon=True, name="search-index").start()

    def request(self, output: dict) -> None:
        """Index these pages (the preview's latest output) a moment from now."""
        with self._changed:
            self._wanted, self._due = output, time.monotonic() + self.delay
            self._changed.notify()

    def _work(self) -> None:
        while True:
            with self._changed:
                while self._wanted is None or time.monotonic() < self._due:
                    self._changed.wait(timeout=None if self._wanted is None else self._due - time.monotonic())
                output, self._wanted = self._wanted, None
            with tempfile.TemporaryDirectory(prefix="trialsite-search-") as folder:
                root = Path(folder)
                for path, data in output.items():
                    if path.startswith("trials/") and path.endswith(".html"):
                        (root / path).parent.mkdir(parents=True, exist_ok=True)
                        (root / path).write_bytes(data)
                report = Report()
                build_index(root, report)
                if not report.has_errors:
                    index = root / "pagefind"
                    self.files = {f"pagefind/{p.relative_to(index).as_posix()}": p.read_bytes()
                                  for p in sorted(index.rglob("*")) if p.is_file()}
                    self.runs += 1
