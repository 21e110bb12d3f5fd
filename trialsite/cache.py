"""Cache: finished trial results, keyed by a hash of every input that can change them.

The key of a trial covers its own folder (every file's name and bytes) and the shared inputs
(site.yaml, glossary.yaml, any other file at the top of content/, the templates, the schemas
and trialsite's own code). So an entry can never be stale: a changed input is a new key.
On disk (.trialsite-cache/), for builds; the preview keeps its own model (incremental.py). Deleting the folder,
or --no-cache, is always safe: everything is simply computed again.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import shutil
import stat
from functools import lru_cache
from pathlib import Path

from . import __version__
from .load import SECTION_LIMIT
from .yamlfile import YAML_LIMIT

MAX_DEPTH = 8
# A content file bigger than this is refused by load.py before it is read, so hashing does not
# read it either: a 3 GB file must not be read into memory.
READ_LIMIT = max(SECTION_LIMIT, YAML_LIMIT)
PACKAGE = Path(__file__).resolve().parent
SCHEMAS = PACKAGE.parent / "schema"


def files_under(folder: Path | str, prefix: str = ""):
    """(relative name, path) of every file under folder, in a fixed order. os.scandir with
    plain strings: a warm build walks every trial folder, and pathlib costs 20x more here."""
    found = []
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return found
    for entry in entries:
        if entry.is_dir():  # follows links, as the loader does (load.py refuses those leading out)
            if prefix.count("/") < MAX_DEPTH:  # a link to a folder above would never end
                found.extend(files_under(entry.path, f"{prefix}{entry.name}/"))
        else:
            found.append((prefix + entry.name, entry.path))
    return found


class FileHashes:
    """sha256 of files, remembered by (size, mtime, inode) like git's index, so a warm build
    stats files instead of reading them. Any change to a file changes its stat, so a new hash."""

    def __init__(self, memo: dict | None = None):
        self.memo = memo if memo is not None else {}
        self.used: dict = {}

    def of(self, path: str, read: bool = True, keep: dict | None = None) -> bytes | None:
        """The file's hash. A new or changed file is read: unless read=False (then None), and
        its bytes go into keep, so that the loader parses them without reading it again."""
        try:
            info = os.stat(path)
        except OSError:
            return b"unreadable"
        if not stat.S_ISREG(info.st_mode):  # a pipe would block the build for ever (load.py skips it)
            return b"not a file"
        stamp = (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)
        known = self.memo.get(path)
        if known is None or known[0] != stamp:
            if not read:
                return None
            if info.st_size > READ_LIMIT:  # refused by its size (load.py), so never read: its stamp will do
                known = (stamp, hashlib.sha256(f"too big {stamp}".encode()).digest())
            else:
                try:
                    with open(path, "rb") as handle:
                        data = handle.read(READ_LIMIT + 1)
                except OSError:
                    return b"unreadable"
                known = (stamp, hashlib.sha256(data).digest())
                if keep is not None:
                    keep[path] = data
        self.used[path] = known
        return known[1]


def hash_files(digest, folder: Path | None, label: str, hash_of=None) -> bool:
    """Every file's name and hash (hash_of(path), _file_hash by default) into digest; False,
    and stopped there, if hash_of gives None for a file."""
    if folder is None or not folder.is_dir():
        digest.update(f"\0{label}:none".encode())
        return True
    for name, path in files_under(folder):
        file_hash = (hash_of or _file_hash)(path)
        if file_hash is None:
            return False
        digest.update(f"\0{label}/{name}\0".encode())
        digest.update(file_hash)
    return True


def _file_hash(path: str) -> bytes:
    """sha256 of a file, read in pieces (a theme may hold large files), or why there is none."""
    if not os.path.isfile(path):  # a pipe would block the build for ever (load.py skips it)
        return b"\0not a file"
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").digest()
    except OSError:
        return b"\0unreadable"


def shared_key(content: Path, templates: Path | None, theme: Path) -> str:
    """Hash of everything every trial page depends on besides its own folder."""
    digest = hashlib.sha256(code_key().encode())
    for name, path in sorted(_top_files(content)):
        digest.update(f"\0content/{name}\0".encode())
        digest.update(_file_hash(str(path)))
    hash_files(digest, templates, "templates")
    hash_files(digest, theme, "theme")
    hash_files(digest, SCHEMAS, "schema")
    return digest.hexdigest()


@lru_cache(maxsize=1)
def code_key() -> str:
    """Hash of trialsite's own code and data: a new version never reuses an old result."""
    digest = hashlib.sha256(f"trialsite {__version__}".encode())
    for name, path in files_under(PACKAGE):
        if name.endswith((".py", ".yaml", ".json", ".po")):
            digest.update(f"\0code/{name}\0".encode())
            digest.update(_file_hash(path))
    return digest.hexdigest()


def _top_files(content: Path):
    if not content.is_dir():
        return []
    return [(p.name, p) for p in content.iterdir() if p.is_file()]


def trial_key(folder: Path, shared: str, hash_of) -> str | None:
    """The key of a trial folder: shared inputs, its name, and every file's name and hash
    (hash_of(path), e.g. FileHashes.of); None if hash_of gives None for a file."""
    digest = hashlib.sha256(shared.encode())
    digest.update(folder.name.encode())
    return digest.hexdigest() if hash_files(digest, folder, "trial", hash_of) else None


FOLDER_KINDS = {"search"}  # folders of kept folders (save_folder)
FOLDER_LIST = ".trialsite-files"  # in a kept folder: its files' names, sizes and hashes
KEPT = {"file-hashes"}  # entries with fixed names, replaced rather than added
END = "end"  # the last item of a saved stream: a stream without it was cut short


class Damaged(Exception):
    """A saved stream could not be read to its end: compute it again."""


class DiskCache:
    """For builds: one pickle per trial in .trialsite-cache/; unreadable entries are misses.
    Also holds the compiled templates, so a warm build does not compile them again, the
    site-wide pages as one stream (site-pages.stream) and the shards of the search index (a
    folder each, under search/, keyed by their pages: search.py)."""

    def __init__(self, folder: Path):
        self.folder = folder
        compiled = folder / f"compiled-{code_key()[:16]}"
        try:
            compiled.mkdir(parents=True, exist_ok=True)
        except OSError:
            compiled = None  # a cache that cannot be written only makes the next build slower
        self.compiled = compiled
        memo = self._load("file-hashes")
        self.hashes = FileHashes(memo if isinstance(memo, dict) else None)

    def _load(self, name: str, suffix: str = ".pickle"):
        try:
            return pickle.loads((self.folder / f"{name}{suffix}").read_bytes())
        except Exception:  # missing, half-written or from another Python: compute it again
            return None

    def get(self, key: str, suffix: str = ".pickle"):
        """The entry saved under key (".pages": a trial's finished pages, kept apart from its
        light result so that a warm build reads them only for pages the output lacks)."""
        return self._load(key, suffix)

    def put(self, key: str, value, suffix: str = ".pickle") -> None:
        try:
            self.folder.mkdir(exist_ok=True)
            temporary = self.folder / f".{key}{suffix}.{os.getpid()}.tmp"
            temporary.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
            os.replace(temporary, self.folder / f"{key}{suffix}")
        except OSError:
            pass  # a cache that cannot be written only makes the next build slower

    def read_stream(self, name: str, key: str):
        """The items save_stream() saved under this key, one at a time (raising Damaged if the
        file turns out to be damaged part way); None if there are none for this key."""
        try:
            handle = open(self.folder / f"{name}.stream", "rb")
        except OSError:
            return None
        unpickler = pickle.Unpickler(handle)
        try:
            saved = unpickler.load()
        except Exception:  # half-written or from another Python: compute it again
            saved = None
        if saved != key:
            handle.close()
            return None

        def items():
            with handle:
                while True:
                    try:
                        item = unpickler.load()
                    except Exception as exc:
                        raise Damaged(name) from exc
                    if item == END:
                        return
                    yield item

        return items()

    def save_stream(self, name: str, key: str, items, keep=lambda: True):
        """Pass items through while saving them one by one (never all in memory). The file is
        kept under key only if every item was saved and keep() then says so. A cache that
        cannot be written only makes the next build slower: the items still all go through."""
        temporary = self.folder / f".{name}.{os.getpid()}.tmp"
        try:
            self.folder.mkdir(exist_ok=True)
            handle = open(temporary, "wb")
        except OSError:
            yield from items
            return
        pickler: pickle.Pickler | None = pickle.Pickler(handle, protocol=pickle.HIGHEST_PROTOCOL)

        def save(one) -> None:
            nonlocal pickler
            if pickler is not None:
                try:
                    pickler.dump(one)
                    pickler.clear_memo()  # the items are independent: remembering them only costs memory
                except OSError:
                    pickler = None

        try:
            save(key)
            for item in items:
                save(item)
                yield item
            save(END)
            if pickler is not None and keep():
                try:
                    handle.close()
                    os.replace(temporary, self.folder / f"{name}.stream")
                except OSError:
                    pass
        finally:
            try:
                handle.close()
            except OSError:
                pass
            temporary.unlink(missing_ok=True)

    def saved_folder(self, kind: str, key: str) -> tuple[Path, dict] | None:
        """A folder kept under key (save_folder) and its files {name: (size, sha256 hex)}, if it
        is all there; else None."""
        folder = self.folder / kind / key
        try:
            files = json.loads((folder / FOLDER_LIST).read_text())
            files = {name: (int(size), str(digest)) for name, (size, digest) in files.items()}
            if all(os.stat(os.path.join(folder, name)).st_size == size for name, (size, _) in files.items()):
                return folder, files
        except (OSError, ValueError, TypeError, AttributeError):
            pass
        return None

    def save_folder(self, kind: str, key: str, made: Path, files: dict) -> None:
        """Keep a folder made by this build (a search shard) under key, with the list of its
        files: moved there (copying thousands of small files took seconds), or copied if the
        cache is on another disk. made is gone afterwards. Only a help: if it fails, the next
        build makes it again."""
        target = self.folder / kind / key
        temporary = self.folder / kind / f".{key}.{os.getpid()}.tmp"
        try:
            temporary.parent.mkdir(parents=True, exist_ok=True)
            (made / FOLDER_LIST).write_text(json.dumps(files))  # last: without it the folder is never used
            try:
                os.rename(made, temporary)
            except OSError:  # another disk
                shutil.copytree(made, temporary)
            shutil.rmtree(target, ignore_errors=True)
            os.rename(temporary, target)
        except OSError:
            shutil.rmtree(temporary, ignore_errors=True)

    def keep_folders(self, kind: str, keys: set[str]) -> None:
        """Drop the folders of this kind that this build did not use (and any half-saved one)."""
        try:
            entries = list(os.scandir(self.folder / kind))
        except OSError:
            return
        for entry in entries:
            if entry.name not in keys:
                shutil.rmtree(entry.path, ignore_errors=True)

    def keep_only(self, keys: set[str]) -> None:
        """Drop entries this build did not use, so the folder does not grow forever."""
        if not self.folder.is_dir():
            return
        keep = keys | KEPT  # once: per entry it made a warm build of 10,000 trials take 2 s longer
        with os.scandir(self.folder) as entries:
            for entry in entries:
                name, suffix = os.path.splitext(entry.name)
                if suffix in (".pickle", ".pages") and name not in keep or suffix == ".tmp":
                    with contextlib.suppress(OSError):  # another build may have removed it first
                        os.unlink(entry.path)
                elif entry.is_dir() and entry.name not in FOLDER_KINDS and entry.path != str(self.compiled):
                    shutil.rmtree(entry.path, ignore_errors=True)  # made by another version of trialsite
        self.put("file-hashes", self.hashes.used)
