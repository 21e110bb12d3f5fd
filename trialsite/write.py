"""Write: put the site on disk without ever damaging the last good site.

Everything goes into a folder beside the target; only when all files are written is it
swapped with the old folder in one step. A lock beside the target keeps two builds from
writing at the same time.

The folder written into is the site before last (".<name>.spare"), kept from the previous
swap: a file whose bytes are unchanged is left alone, so a warm build writes only what
changed instead of thousands of pages. A manifest (".<name>.manifests") remembers each file's
hash with its inode, size and mtime, like git's index; a file that does not match it exactly
(a killed build, a hand edit) is simply written again, so a wrong manifest costs time, never
correctness. Without reuse (--no-cache) a fresh folder is written instead.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import hashlib
import os
import pickle
import shutil
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

RENAME_EXCHANGE = 2  # linux/fs.h
_libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
_renameat2 = getattr(_libc, "renameat2", None)
AT_FDCWD = -100


class WriteError(Exception):
    """The output could not be written; the message says why in plain words."""


@contextmanager
def build_lock(out: Path):
    """Hold an exclusive lock for the target folder, or raise WriteError at once."""
    out.parent.mkdir(parents=True, exist_ok=True)
    lock_path = out.parent / f".{out.name}.lock"
    with open(lock_path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise WriteError(f"another build is writing to {out} right now. Wait for it to finish, "
                             "then try again.") from None
        yield


def safe_target(root: Path, name: str) -> Path:
    """root/name, refusing names that would land outside root."""
    parts = [part for part in name.split("/") if part not in ("", ".")]  # as PurePosixPath, 5x faster
    if not parts or name.startswith("/") or ".." in parts:
        raise WriteError(f'refusing to write "{name}": it would land outside the output folder.')
    return root.joinpath(*parts)


class Stage:
    """The folder a build writes into, and what it holds: name -> (inode, size, mtime, sha256)."""

    def __init__(self, root: Path, known: dict | None = None):
        self.root = root
        self.known = known or {}
        self.manifest: dict[str, tuple] = {}
        self.changed = 0

    def write(self, name: str, data: bytes, digest: bytes | None = None) -> None:
        """digest: the data's sha256, when the caller has it already."""
        digest = digest or hashlib.sha256(data).digest()
        if self.unchanged(name, digest):
            return
        target = safe_target(self.root, name)
        if name in self.known or target.exists() or target.is_symlink():
            _clear_way(self.root, target)
            temporary = target.with_name(f".{target.name}.tmp")
            temporary.write_bytes(data)
            os.replace(temporary, target)  # never a half-written file under a name a server may read
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        self.manifest[name] = (*_stamp(target), digest)
        self.changed += 1

    def unchanged(self, name: str, digest: bytes) -> bool:
        """True (and kept as it is) if the file there already has these bytes, by the manifest:
        lets a caller that knows the hash skip reading the new bytes at all."""
        entry = self.known.get(name)
        if entry is not None and entry[3] == digest and _stamp(safe_target(self.root, name)) == entry[:3]:
            self.manifest[name] = entry
            return True
        return False

    def prune(self, matching=None) -> None:
        """Delete what this build did not write: files of the build before last (only those
        whose names match, if matching is given)."""
        _prune(str(self.root), "", self.manifest, matching)


def _prune(folder: str, prefix: str, keep: dict, matching=None) -> bool:
    """Delete files under folder not in keep, and folders left empty; True if folder is empty."""
    empty = True
    with os.scandir(folder) as entries:
        for entry in entries:
            name = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                if _prune(entry.path, name + "/", keep, matching):
                    os.rmdir(entry.path)
                else:
                    empty = False
            elif name in keep or (matching is not None and not matching(name)):
                empty = False
            else:
                os.unlink(entry.path)
    return empty


def _stamp(path: Path) -> tuple | None:
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return info.st_ino, info.st_size, info.st_mtime_ns


def _clear_way(root: Path, target: Path) -> None:
    """Make room for a file at target: an old folder there, or an old file where a folder on the
    way must be, is removed (a theme can turn an asset into a folder between builds)."""
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    parent = target.parent
    while parent != root and not parent.is_dir():
        if parent.exists() or parent.is_symlink():
            parent.unlink()
            break
        parent = parent.parent
    target.parent.mkdir(parents=True, exist_ok=True)


def _swap(new: Path, out: Path) -> Path | None:
    """Put new in place of out in one step; return where the old site now is."""
    if out.exists() and _renameat2 is not None:
        if _renameat2(AT_FDCWD, os.fsencode(new), AT_FDCWD, os.fsencode(out), RENAME_EXCHANGE) == 0:
            return new  # new now holds the old site
        if ctypes.get_errno() not in (errno.EINVAL, errno.ENOSYS):
            raise WriteError(f"could not replace {out}: {os.strerror(ctypes.get_errno())}.")
    if out.exists():  # no atomic exchange here: two renames, the gap between them is tiny
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.rename(out, old)
        os.rename(new, out)
        return old
    os.rename(new, out)
    return None


def clean_leftovers(out: Path) -> None:
    """Delete half-written folders left by builds that were killed."""
    for stale in out.parent.glob(f".{out.name}.new-*"):
        shutil.rmtree(stale, ignore_errors=True)
    for stale in out.parent.glob(f".{out.name}.old-*"):
        shutil.rmtree(stale, ignore_errors=True)


def _delete_in_background(folder: Path, out: Path) -> threading.Thread | None:
    """Move folder out of the way (to a name clean_leftovers knows, should the build be killed)
    and delete it in a thread; the caller joins it."""
    if not folder.is_dir() or folder.is_symlink():
        return None
    doomed = out.with_name(f".{out.name}.old-{os.getpid()}-spare")
    try:
        os.rename(folder, doomed)
    except OSError:
        return None
    thread = threading.Thread(target=shutil.rmtree, args=(doomed,), kwargs={"ignore_errors": True}, name="old-site")
    thread.start()
    return thread


def _load_manifests(path: Path) -> dict:
    try:
        manifests = pickle.loads(path.read_bytes())
    except Exception:  # missing, half-written or from another Python: rewrite every file once
        return {}
    return manifests if isinstance(manifests, dict) else {}


@contextmanager
def staged(out: Path, reuse: bool = True):
    """A Stage beside out to write into; swapped in only if the block ends without error."""
    if out.exists() and not out.is_dir():
        raise WriteError(f"{out} exists but is not a folder. Move it away or choose another --out.")
    out.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(out)
    spare = out.with_name(f".{out.name}.spare")
    manifests_path = out.with_name(f".{out.name}.manifests")
    manifests = _load_manifests(manifests_path)
    if reuse and spare.is_dir() and not spare.is_symlink():
        root = spare
        stage = Stage(root, manifests.get(os.stat(root).st_ino))
    else:
        root = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
        stage = Stage(root)
    # Without reuse, the folder kept for it is replaced at the end: its thousands of files are
    # deleted while the build works, not after it (at 1,000 trials, a second or so).
    clearing = None if root == spare else _delete_in_background(spare, out)
    try:
        yield stage
        if root == spare:  # a fresh folder holds only what this build wrote
            stage.prune()
        root.chmod(0o755)
        old = _swap(root, out)
    except BaseException:
        if root != spare:
            shutil.rmtree(root, ignore_errors=True)
        raise
    finally:
        if clearing is not None:
            clearing.join()
    # The new site is in place. What follows only keeps the old one for the next build to
    # reuse: if that fails, the next build simply writes every file.
    kept = {os.stat(out).st_ino: stage.manifest}
    try:
        if old is not None and old != spare:
            if spare.is_dir() and not spare.is_symlink():
                shutil.rmtree(spare)
            elif spare.exists() or spare.is_symlink():
                spare.unlink()
            os.rename(old, spare)
        if old is not None:
            spare_inode = os.stat(spare).st_ino
            if spare_inode in manifests:
                kept[spare_inode] = manifests[spare_inode]
    except OSError:
        shutil.rmtree(old, ignore_errors=True)
    temporary = manifests_path.with_name(f"{manifests_path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(temporary, manifests_path)
    except OSError:
        pass  # without a manifest the next build writes every file: slower, still right

