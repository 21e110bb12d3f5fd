"""Search: a Pagefind index of the finished pages, made in the staging folder before it
replaces site/ (so a failure here leaves the last good site as it was).

Pagefind comes from PyPI with its binary (pagefind[bin]); it runs offline. Only trial pages
are indexed: they mark their text with data-pagefind-body.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from .cache import files_under
from .diagnostics import Report
from .write import Stage

# Only trial pages (in every language) have text to find: they mark it with data-pagefind-body.
INDEXED = "{trials,*/trials}/*/index.html"
INDEXED_PATH = re.compile(r"([a-z-]+/)?trials/[^/]+/index\.html")


class SiteIndex:
    """The search index of one build: Pagefind starts as soon as the trial pages are in the
    stage and runs while the site-wide pages are made; finish() adds pagefind/ to the stage.

    Its files go to the stage like any page: their names are hashes of their contents, so most
    are unchanged after a small edit and are not written again. When no indexed page changed,
    the last index is reused from the cache (a folder: at 10,000 trials the index is ~45 MB,
    so it is read a file at a time, never held in memory as a whole): Pagefind has no incremental mode,
    and re-indexing 1,000 trials takes seconds."""

    def __init__(self, stage: Stage, cache=None):
        self.stage, self.cache = stage, cache
        key = hashlib.sha256(f"{_pagefind_version()}\0{INDEXED}".encode())
        for name in sorted(stage.manifest):
            if INDEXED_PATH.fullmatch(name):
                key.update(f"\0{name}\0".encode() + stage.manifest[name][3])
        self.key = key.hexdigest()
        self.saved, self.saved_files = _saved_index(cache.folder, self.key) if cache is not None else (None, {})
        self.folder = stage.root / ".pagefind-new"  # inside the stage: a killed build's is pruned by the next
        self.process = None
        if self.saved is None:
            shutil.rmtree(self.folder, ignore_errors=True)
            stage.prune(INDEXED_PATH.fullmatch)  # a trial deleted or renamed since the folder was last used
            self.process = start_pagefind(stage.root, self.folder)

    def finish(self, report: Report) -> None:
        try:
            if self.saved is not None:  # hashes known: files the stage already has are not even read
                for name, (_, digest) in self.saved_files.items():
                    if not self.stage.unchanged(f"pagefind/{name}", bytes.fromhex(digest)):
                        self.stage.write(f"pagefind/{name}", (self.saved / name).read_bytes())
                return
            if not wait_for_pagefind(self.process, self.folder, report):
                return
            files = {}
            for name, path in files_under(self.folder):  # each file read once: staged and listed
                data = Path(path).read_bytes()
                digest = hashlib.sha256(data).digest()
                files[name] = (len(data), digest.hex())
                self.stage.write(f"pagefind/{name}", data, digest)
            if self.cache is not None:
                _save_index(self.cache.folder, self.key, self.folder, files)
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def abandon(self) -> None:
        """The build failed: stop Pagefind and throw its work away."""
        if stop_pagefind(self.process):
            self.process.communicate()
        shutil.rmtree(self.folder, ignore_errors=True)


KEY_FILE = ".trialsite-key"  # in the cached index folder: the key of its pages; its files' sizes and hashes


def _saved_index(cache: Path, key: str) -> tuple[Path | None, dict]:
    """The cached index folder and its files ({name: (size, sha256)}), if it was made from
    exactly these pages and is all there; else (None, {})."""
    folder = cache / "search-index"
    try:
        saved = json.loads((folder / KEY_FILE).read_text())
        files = {name: (int(size), str(digest)) for name, (size, digest) in saved["files"].items()}
        if saved["key"] == key and all((folder / name).stat().st_size == size for name, (size, _) in files.items()):
            return folder, files
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    return None, {}


def _save_index(cache: Path, key: str, index: Path, files: dict) -> None:
    """Keep a new index in the cache for the next build: the folder Pagefind wrote is moved
    there (copying ~1,000 small files took 1.2 s at 1,000 trials), or copied if the cache is
    on another disk. Only a help: if it fails, the next build runs Pagefind again."""
    saved = cache / "search-index"
    temporary = cache / f".search-index-new.{os.getpid()}"
    try:
        cache.mkdir(exist_ok=True)
        for stale in cache.glob(".search-index-new.*"):  # from builds that were killed
            shutil.rmtree(stale, ignore_errors=True)
        (index / KEY_FILE).write_text(json.dumps({"key": key, "files": files}))  # last: none, not used
        try:
            os.rename(index, temporary)
        except OSError:  # another disk
            shutil.copytree(index, temporary)
        shutil.rmtree(saved, ignore_errors=True)
        os.rename(temporary, saved)
    except OSError:
        shutil.rmtree(temporary, ignore_errors=True)


def pagefind_command(site: Path, index: Path, background: bool = False) -> list[str]:
    """Pagefind over the trial pages under site, writing into the folder index. In the
    background (preview), at low priority: the editor's next save must not wait for the CPU."""
    command = [sys.executable, "-m", "pagefind", "--site", str(site), "--output-path", str(index), "--silent",
               "--keep-index-url", "--glob", INDEXED]
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


def wait_for_pagefind(process: subprocess.Popen | OSError, index: Path, report: Report) -> bool:
    """True once Pagefind has written its index; otherwise one plain error."""
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
    if returncode != 0 or not (index / "pagefind-ui.js").is_file():
        detail = " ".join((err or out or "no message").split())[:300]
        report.error("site search", 0, f"the search index could not be made ({detail}). Install everything again "
                     "with: pip install -r requirements.txt. Your site/ folder was not changed.", code="search.index")
        return False
    return True


def _read_index(index: Path) -> dict[str, bytes]:
    return {f"pagefind/{name}": Path(path).read_bytes() for name, path in files_under(index)}


def _pagefind_version() -> str:
    """What identifies the Pagefind program, for the cache key: its binary's size and time
    (asking the package metadata for its version takes ~50 ms of every build; this, microseconds)."""
    try:
        spec = importlib.util.find_spec("pagefind_bin")
        info = os.stat(Path(spec.origin).parent / "pagefind") if spec and spec.origin else None
    except (ImportError, ValueError, OSError):
        info = None
    return f"{info.st_size}:{info.st_mtime_ns}" if info else "unknown"


class BackgroundIndex:
    """The preview's search index, remade in a background thread once saves settle.

    Never on the way from a save to the reloaded page: a site of 1,000 trials takes Pagefind
    several seconds. Saves that come while it works are folded into one more run; a save that
    changed no trial page (a home page template, say) changes no search result and runs
    nothing; and the pause before a run grows with how long the last one took, so on a very
    big site Pagefind never takes more than about a third of the computer's time.
    """

    def __init__(self, delay: float = 1.0) -> None:
        self.files: dict[str, bytes] = {}  # "pagefind/..." -> bytes, served by the preview
        self.delay = delay
        self.runs = 0
        self._pause = delay
        self._indexed: dict[str, bytes] = {}
        self._wanted: dict | None = None
        self._due = 0.0
        self._changed = threading.Condition()
        self._process = None  # the Pagefind run in progress, if any
        self._stopped = False
        threading.Thread(target=self._work, daemon=True, name="search-index").start()

    def stop(self) -> None:
        """The preview is closing: stop a Pagefind run still going. It is a process of its own:
        on a site of 10,000 trials it would go on for a minute, with gigabytes of memory."""
        self._stopped = True
        stop_pagefind(self._process)  # its own thread is waiting for it, and collects it

    def request(self, output: dict) -> None:
        """Index these pages (the preview's latest output) a moment from now."""
        with self._changed:
            self._wanted, self._due = output, time.monotonic() + self._pause
            self._changed.notify()

    def _work(self) -> None:
        while True:
            with self._changed:
                while self._wanted is None or time.monotonic() < self._due:
                    self._changed.wait(timeout=None if self._wanted is None else self._due - time.monotonic())
                output, self._wanted = self._wanted, None
            pages = {path: data for path, data in output.items() if INDEXED_PATH.fullmatch(path)}
            if pages == self._indexed:  # unchanged pages are the same objects: a quick comparison
                continue
            started = time.monotonic()
            with tempfile.TemporaryDirectory(prefix="trialsite-search-") as folder:
                root, index = Path(folder) / "site", Path(folder) / "index"
                for path, data in pages.items():
                    (root / path).parent.mkdir(parents=True, exist_ok=True)
                    (root / path).write_bytes(data)
                if self._stopped:
                    return
                self._process = start_pagefind(root, index, background=True)
                if wait_for_pagefind(self._process, index, Report()) and not self._stopped:
                    self.files, self._indexed = _read_index(index), pages
                    self.runs += 1
            self._pause = max(self.delay, 2 * (time.monotonic() - started))
