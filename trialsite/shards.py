"""Shards: which part of the search index each trial's pages go to (issue 22).

Pagefind cannot update an index: it reads every page again. So the index is split into
shards, each a Pagefind bundle of its own made from its own trials' pages (in every
language), and the search page merges them in the browser (Pagefind's mergeIndex). An edit
then re-indexes one shard, and no Pagefind process holds the whole site in memory.

A trial's shard comes from a hash of its slug, so adding or removing a trial leaves the
others where they were. The number of shards grows with the site (more shards: faster
re-indexing, but more small files for the browser to fetch per search); when it changes,
every shard is made again once. The first shard that has trials is the main one, at
pagefind/, with Pagefind's scripts and styles; the others are at pagefind/<number>/ and hold
only their index files.

Merging must not change what readers find. Pagefind's own mergeIndex answers each shard on
its own, and a shard with no word starting with a search word leaves that word out (or falls
back to a shorter word it has): "trial 00123" listed every trial of the shards without
"00123". So the search page searches through templates/assets/shards/pagefind.js, which keeps
a shard's results only if the shard matched every search word as one index would (it reads
which words each shard matched from Pagefind's playground mode: it relies on the pinned
Pagefind version). The same pages as one index, ranked by each shard's own statistics.
"""
from __future__ import annotations

import hashlib
import math
import re

MIN_TRIALS = 64  # a shard of fewer trials: the browser fetches more files for too little gain
# The trial pages Pagefind indexes, in every language: they mark their text with data-pagefind-body.
INDEXED_GLOB = "{trials,*/trials}/*/index.html"
INDEXED_PATH = re.compile(r"(?:[A-Za-z0-9-]+/)?trials/([^/]+)/index\.html")  # languages as in schema/site


def count(trials: int) -> int:
    """How many shards a site of this many trials has: a power of two, each shard of about
    max(64, 2 * sqrt(trials)) trials: 1 shard up to ~90 trials, 16 at 1,000, 64 at 10,000."""
    if trials <= 0:
        return 1
    size = max(MIN_TRIALS, 2 * math.sqrt(trials))
    return 2 ** max(0, round(math.log2(trials / size)))


def shard_of(slug: str, shards: int) -> int:
    return int.from_bytes(hashlib.sha256(slug.encode()).digest()[:8], "big") % shards


def by_shard(slugs, shards: int | None = None) -> dict[int, list[str]]:
    """shard number -> its slugs (sorted), for the shards that have any."""
    slugs = sorted(set(slugs))
    shards = shards or count(len(slugs))
    found: dict[int, list[str]] = {}
    for slug in slugs:
        found.setdefault(shard_of(slug, shards), []).append(slug)
    return dict(sorted(found.items()))


def folder(shard: int, main: bool) -> str:
    """Where a shard's files go in the site."""
    return "pagefind/" if main else f"pagefind/{shard}/"


def merged(slugs) -> list[str]:
    """The folders of every shard but the main one, for the search page to merge."""
    return [folder(shard, False) for shard in list(by_shard(slugs))[1:]]


def slug_of(path: str) -> str | None:
    """The trial of an indexed page ("fr/trials/x/index.html" -> "x"); None for other files."""
    match = INDEXED_PATH.fullmatch(path)
    return match.group(1) if match else None


def index_only(name: str) -> bool:
    """The files a merged shard needs: its entry, metadata and index folders (the main
    shard's scripts, styles and WebAssembly serve all of them)."""
    return "/" in name or name == "pagefind-entry.json" or name.endswith(".pf_meta")
