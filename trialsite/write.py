"""Write: put an Output on disk without ever damaging the last good site.

Everything goes into a new folder beside the target (".<name>.new-*"); only when all files
are written is it swapped with the old folder in one step, and the old one is deleted.
A lock beside the target keeps two builds from writing at the same time.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

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
    parts = PurePosixPath(name).parts
    if not parts or PurePosixPath(name).is_absolute() or ".." in parts:
        raise WriteError(f'refusing to write "{name}": it would land outside the output folder.')
    return root.joinpath(*parts)


def _swap(new: Path, out: Path) -> Path | None:
    """Put new in place of out in one step; return where the old site now is (to delete)."""
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


@contextmanager
def staged(out: Path):
    """A fresh folder beside out to write into; swapped in only if the block ends without error."""
    if out.exists() and not out.is_dir():
        raise WriteError(f"{out} exists but is not a folder. Move it away or choose another --out.")
    out.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(out)
    new = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        yield new
        new.chmod(0o755)
        old = _swap(new, out)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_file(root: Path, name: str, data: bytes) -> None:
    """One file of the site, under root only."""
    target = safe_target(root, name)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def write_output(output: dict[str, bytes], out: Path) -> int:
    """Write every file into a fresh folder and swap it in; return the number of files."""
    with staged(out) as new:
        for name in sorted(output):
            write_file(new, name, output[name])
    return len(output)
