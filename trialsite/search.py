"""Search: a Pagefind index of the finished pages, made in the staging folder before it
replaces site/ (so a failure here leaves the last good site as it was).

Pagefind comes from PyPI with its binary (pagefind[bin]); it runs offline. Only trial pages
are indexed: they mark their text with data-pagefind-body.
"""
from __future__ import annotations

import subprocess
import sys
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
