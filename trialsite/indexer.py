"""Indexer: Pagefind runs, one per search shard, as many at once as the computer allows.

Pagefind comes from PyPI with its binary (pagefind[bin]); it runs offline. It is started
directly (not through `python -m pagefind`: a Python start-up per shard), and each run
indexes one shard's folder into one output folder (see shards.py).
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from .diagnostics import Report
from .shards import INDEXED_GLOB

# Pagefind's peak memory grows with the pages it indexes (bench/memory.py, Pagefind 1.5.2:
# 28 MB for 50 pages, 87 MB for 250, 323 MB for 1,000).
BASE_MB, MB_PER_PAGE = 12, 0.33


def _binary() -> Path | None:
    try:
        spec = importlib.util.find_spec("pagefind_bin")
    except (ImportError, ValueError):
        return None
    if not spec or not spec.origin:
        return None
    for name in ("pagefind_extended", "pagefind"):
        path = Path(spec.origin).parent / name
        if path.is_file():
            return path
    return None


def pagefind_version() -> str:
    """What identifies the Pagefind program, for cache keys: its binary's size and time
    (asking the package metadata for its version takes ~50 ms of every build; this, microseconds)."""
    binary = _binary()
    try:
        info = os.stat(binary) if binary else None
    except OSError:
        info = None
    return f"{info.st_size}:{info.st_mtime_ns}" if info else "unknown"


def pagefind_command(site: Path, index: Path, background: bool = False) -> list[str]:
    """Pagefind over the trial pages under site, writing into the folder index. In the
    background (preview), at low priority: the editor's next save must not wait for the CPU."""
    binary = _binary()
    program = [str(binary)] if binary else [sys.executable, "-m", "pagefind"]
    command = [*program, "--site", str(site), "--output-path", str(index), "--silent", "--keep-index-url",
               "--glob", INDEXED_GLOB]
    return ["nice", "-n", "15", *command] if background and shutil.which("nice") else command


def start_pagefind(site: Path, index: Path, background: bool = False) -> subprocess.Popen | OSError:
    """Pagefind, running; or why it could not start."""
    try:
        return subprocess.Popen(pagefind_command(site, index, background), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
    except OSError as exc:
        return exc


def stop_pagefind(process) -> bool:
    """Kill a Pagefind run still going (a process of its own: it would not stop with us).
    True if it was running."""
    if isinstance(process, subprocess.Popen) and process.poll() is None:
        process.kill()
        return True
    return False


def wait_for_pagefind(process: subprocess.Popen | OSError, index: Path) -> str | None:
    """None once Pagefind has written its index; otherwise what went wrong, in a few words."""
    if isinstance(process, OSError):
        returncode, out, err = 1, "", str(process)
    else:
        try:
            out, err = process.communicate(timeout=600)
        except subprocess.TimeoutExpired as exc:
            process.kill()
            out, err = process.communicate()
            err = f"{exc} {err}"
        returncode = process.returncode
    if returncode != 0 or not (index / "pagefind-entry.json").is_file():
        return " ".join((err or out or "no message").split())[:300]
    return None


def report_failure(report: Report, detail: str) -> None:
    report.error("site search", 0, f"the search index could not be made ({detail}). Install everything again "
                 "with: pip install -r requirements.txt. Your site/ folder was not changed.", code="search.index")


def available_mb() -> float | None:
    """Memory the system can give without swapping (Linux's MemAvailable), or None if unknown."""
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def parallel_runs(largest_pages: int, jobs: int | None = None) -> int:
    """How many Pagefind runs at once: one per core, but no more than half the free memory holds."""
    cores = jobs or os.cpu_count() or 1
    free = available_mb()
    if free is None:
        return cores
    return max(1, min(cores, int(free / 2 // (BASE_MB + MB_PER_PAGE * largest_pages))))


class Runs:
    """Pagefind runs over (site folder, output folder) pairs, at most `parallel` at once, in
    background threads: the caller goes on with other work and collects each with wait()."""

    def __init__(self, jobs: dict, parallel: int, background: bool = False):
        self.jobs = dict(jobs)  # name -> (site folder, output folder)
        self.background = background
        self.results: dict = {}  # name -> None (done) or what went wrong
        self.done = threading.Condition()
        self.stopped = False
        self.processes: dict = {}
        self.queue = list(self.jobs)
        self.threads = [threading.Thread(target=self._work, daemon=True, name="pagefind")
                        for _ in range(min(parallel, len(self.jobs)))]
        for thread in self.threads:
            thread.start()

    def _work(self) -> None:
        while True:
            with self.done:
                if self.stopped or not self.queue:
                    return
                name = self.queue.pop(0)
                site, index = self.jobs[name]
                process = start_pagefind(site, index, self.background)
                self.processes[name] = process
            failure = wait_for_pagefind(process, index)
            with self.done:
                self.results[name] = "stopped" if self.stopped else failure
                self.done.notify_all()

    def wait(self, name) -> str | None:
        """None once this run has written its index; otherwise what went wrong."""
        with self.done:
            while name not in self.results:
                self.done.wait()
            return self.results[name]

    def stop(self) -> None:
        """Stop every run still going (processes of their own: they would not stop with us)."""
        with self.done:
            self.stopped = True
            self.queue.clear()
            running = list(self.processes.values())
        for process in running:
            stop_pagefind(process)
        for thread in self.threads:
            thread.join()
