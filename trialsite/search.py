"""Search: the Pagefind index of the finished trial pages, in shards (shards.py), made in the
staging folder before it replaces site/ (so a failure here leaves the last good site as it was).

Each shard is indexed by its own Pagefind run (indexer.py) and kept in the cache under a
key made from its pages, so a build re-indexes only the shards whose pages changed: after
editing one section, one shard. The preview does the same in the background.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

from . import shards
from .cache import code_key, files_under
from .diagnostics import Report
from .indexer import Runs, pagefind_version, parallel_runs, report_failure
from .write import Stage

KIND = "search"  # the cache's folder of saved shards
ENTRY = "pagefind-entry.json"


class Shard:
    """One shard of one build: where it goes in the site, its pages, and its cache key."""

    def __init__(self, number: int, main: bool, pages: list[str], digest_of, version: str):
        self.number, self.main, self.pages = number, main, pages
        self.where = shards.folder(number, main)
        key = hashlib.sha256(f"{version}\0{self.where}".encode())
        for name in pages:
            key.update(f"\0{name}\0".encode() + digest_of(name))
        self.key = key.hexdigest()

    def wanted(self, name: str) -> bool:
        """A file of Pagefind's output this shard keeps (the main one keeps the scripts too)."""
        return self.main or shards.index_only(name)


def plan(pages: dict[str, list[str]], digest_of) -> list[Shard]:
    """The shards of these trial pages (slug -> its pages' site paths), keyed by digest_of(path)."""
    version = f"{pagefind_version()}:{code_key()}"  # what Pagefind and this module make of the pages
    return [Shard(number, i == 0, sorted(name for slug in slugs for name in pages[slug]), digest_of, version)
            for i, (number, slugs) in enumerate(shards.by_shard(pages).items())]


def pages_by_trial(names) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name in names:
        slug = shards.slug_of(name)
        if slug is not None:
            found.setdefault(slug, []).append(name)
    return found


def collect(shard: Shard, index: Path):
    """(name, bytes, sha256) of each file a shard keeps from Pagefind's output in index; the
    others are deleted, so that the folder can be kept in the cache as it is."""
    for name, path in files_under(index):
        if not shard.wanted(name):
            os.unlink(path)
            continue
        data = Path(path).read_bytes()
        if name == ENTRY:
            data = _in_order(data)
            Path(path).write_bytes(data)  # as the cache keeps it
        yield name, data, hashlib.sha256(data).digest()


def _in_order(entry: bytes) -> bytes:
    """Pagefind lists a site's languages in no fixed order: sorted, the same pages always give
    the same bytes (a warm build's index is byte-identical to a cold build's)."""
    try:
        data = json.loads(entry)
        data["languages"] = dict(sorted(data["languages"].items()))
    except (ValueError, KeyError, AttributeError, TypeError):
        return entry
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


class SiteIndex:
    """The search index of one build: the shards whose pages changed are indexed as soon as
    the trial pages are in the stage, while the site-wide pages are made; finish() adds every
    shard's files to the stage. A shard's files are named by hashes of their contents, so
    most are unchanged after a small edit and are not written again; a shard the cache has
    is staged from there, and files the stage already holds are not even read."""

    def __init__(self, stage: Stage, cache=None, jobs: int | None = None):
        self.stage, self.cache = stage, cache
        self.work = stage.root / ".pagefind-new"  # inside the stage: a killed build's is pruned by the next
        shutil.rmtree(self.work, ignore_errors=True)
        self.shards = plan(pages_by_trial(stage.manifest), lambda name: stage.manifest[name][3])
        self.saved = {s.key: cache.saved_folder(KIND, s.key) for s in self.shards} if cache is not None else {}
        todo = [s for s in self.shards if self.saved.get(s.key) is None]
        for shard in todo:
            _link_pages(stage.root, shard.pages, self.work / str(shard.number) / "site")
        self.runs = Runs({s.number: (self.work / str(s.number) / "site", self.work / str(s.number) / "index")
                          for s in todo}, parallel_runs(max((len(s.pages) for s in todo), default=0), jobs))

    def finish(self, report: Report, progress=None) -> None:
        """progress(stage, done, total) hears of each shard staged (stage "search")."""
        try:
            for done, shard in enumerate(self.shards, 1):
                if not self._stage(shard, report):
                    return
                if progress:
                    progress("search", done, len(self.shards))
            if self.cache is not None:
                self.cache.keep_folders(KIND, {s.key for s in self.shards})
        finally:
            self.abandon()

    def _stage(self, shard: Shard, report: Report) -> bool:
        saved = self.saved.get(shard.key)
        if saved is not None:  # hashes known: files the stage already has are not even read
            folder, files = saved
            for name, (_, digest) in files.items():
                if not self.stage.unchanged(shard.where + name, bytes.fromhex(digest)):
                    self.stage.write(shard.where + name, (folder / name).read_bytes())
            return True
        failure = self.runs.wait(shard.number)
        if failure is not None:
            report_failure(report, failure)
            return False
        index = self.work / str(shard.number) / "index"
        files = {}
        for name, data, digest in collect(shard, index):  # each file read once: staged and listed
            files[name] = (len(data), digest.hex())
            self.stage.write(shard.where + name, data, digest)
        if self.cache is not None:
            self.cache.save_folder(KIND, shard.key, index, files)
        return True

    def abandon(self) -> None:
        """Done, or the build failed: stop Pagefind and throw its work away."""
        self.runs.stop()
        shutil.rmtree(self.work, ignore_errors=True)


def _link_pages(root: Path, names: list[str], folder: Path) -> None:
    """A folder with just these pages of the stage, for one shard's Pagefind run: hard links
    (no copying), or copies where the disk has none."""
    for name in names:
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(root / name, target)
        except OSError:
            shutil.copyfile(root / name, target)


class BackgroundIndex:
    """The preview's search index, remade in a background thread once saves settle.

    Never on the way from a save to the reloaded page. Only the shards whose pages changed
    are indexed again (a section save: one shard); saves that come while it works are folded
    into one more run; a save that changed no trial page (a home page template, say) changes
    no search result and runs nothing; and the pause before a run grows with how long the
    last one took, so Pagefind never takes more than about a third of the computer's time.
    """

    def __init__(self, delay: float = 1.0) -> None:
        self.files: dict[str, bytes] = {}  # "pagefind/..." -> bytes, served by the preview
        self.delay = delay
        self.runs = 0
        self._pause = delay
        self._indexed: dict[str, tuple] = {}  # shard key -> its files, as staged
        self._digests: dict[str, tuple] = {}  # page -> (its bytes, their sha256): unchanged pages are the same objects
        self._wanted: dict | None = None
        self._due = 0.0
        self._changed = threading.Condition()
        self._process: Runs | None = None  # the Pagefind runs in progress, if any
        self._stopped = False
        threading.Thread(target=self._work, daemon=True, name="search-index").start()

    def stop(self) -> None:
        """The preview is closing: stop Pagefind runs still going. They are processes of their
        own: on a big site they would go on for a while."""
        self._stopped = True
        if self._process is not None:
            self._process.stop()

    def request(self, output: dict) -> None:
        """Index these pages (the preview's latest output) a moment from now."""
        with self._changed:
            self._wanted, self._due = output, time.monotonic() + self._pause
            self._changed.notify()

    def _work(self) -> None:
        while not self._stopped:
            with self._changed:
                while self._wanted is None or time.monotonic() < self._due:
                    self._changed.wait(timeout=None if self._wanted is None else self._due - time.monotonic())
                output, self._wanted = self._wanted, None
            pages = {path: data for path, data in output.items() if shards.slug_of(path) is not None}
            planned = plan(pages_by_trial(pages), lambda name: self._digest(name, pages[name]))
            self._digests = {path: self._digests[path] for path in pages}
            if {s.key for s in planned} == set(self._indexed):
                continue
            started = time.monotonic()
            made = self._index([s for s in planned if s.key not in self._indexed], pages)
            if made is not None and not self._stopped:
                self._indexed = {s.key: made.get(s.key) or self._indexed[s.key] for s in planned}
                self.files = {f"{shard.where}{name}": data for shard in planned
                              for name, data in self._indexed[shard.key]}
                self.runs += 1
            self._pause = max(self.delay, 2 * (time.monotonic() - started))

    def _digest(self, path: str, data: bytes) -> bytes:
        known = self._digests.get(path)
        if known is None or known[0] is not data:
            known = self._digests[path] = (data, hashlib.sha256(data).digest())
        return known[1]

    def _index(self, todo: list[Shard], pages: dict[str, bytes]) -> dict[str, tuple] | None:
        """The files of each shard to make ({key: ((name, bytes), ...)}), or None if it failed."""
        made = {}
        with tempfile.TemporaryDirectory(prefix="trialsite-search-") as folder:
            for shard in todo:
                for path in shard.pages:
                    target = Path(folder, str(shard.number), "site", path)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(pages[path])
            if self._stopped:
                return None
            self._process = Runs({s.number: (Path(folder, str(s.number), "site"), Path(folder, str(s.number), "index"))
                                  for s in todo}, max(1, (os.cpu_count() or 2) // 2), background=True)
            for shard in todo:
                if self._process.wait(shard.number) is not None:
                    return None
                made[shard.key] = tuple((name, data) for name, data, _ in
                                        collect(shard, Path(folder, str(shard.number), "index")))
        return made


