"""Benchmark: peak memory of a trialsite build, per kind of process, at one site size.

    python bench/memory.py N [--no-cache]      (e.g. python bench/memory.py 10000)

Generates N trials (bench/make_corpus.py), runs `build.py` and samples every process of the
build 20 times a second from /proc: the peak resident memory of the main process, of the
largest render worker, of Pagefind, and of all of them together. ru_maxrss (bench/run.py)
only gives the largest single process, which at this size is Pagefind.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE_KB = 4  # /proc/<pid>/statm counts pages


def tree(pid: int) -> list[int]:
    """pid and all its descendants."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except OSError:
            pass
    return found


def rss_mb(pid: int) -> tuple[str, float] | None:
    try:
        name = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return name, pages * PAGE_KB / 1024


def measure(command: list[str], cwd: Path, env: dict | None = None) -> dict:
    build = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    peaks = {"main": 0.0, "worker": 0.0, "pagefind": 0.0, "all": 0.0}
    start = time.perf_counter()
    before: dict[int, str] = {}
    while build.poll() is None:
        total = 0.0
        now: dict[int, str] = {}
        for pid in tree(build.pid):
            seen = rss_mb(pid)
            if seen is None:
                continue
            name, mb = seen
            now[pid] = name
            kind = "main" if pid == build.pid else "pagefind" if "pagefind" in name else "worker"
            # A child caught between fork and exec (Pagefind about to start) still shows the main
            # process's memory: a worker counts only once it was seen twice as the same program.
            if kind == "worker" and before.get(pid) != name:
                continue
            peaks[kind] = max(peaks[kind], mb)
            total += mb
        before = now
        peaks["all"] = max(peaks["all"], total)
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    if build.returncode != 0:
        raise SystemExit(build.stderr.read().decode()[-2000:])
    return {"seconds": round(seconds, 2), **{f"peak_mb_{k}": round(v, 1) for k, v in peaks.items()}}


def main(argv: list[str]) -> None:
    n = int(argv[0])
    flags = argv[1:]
    with tempfile.TemporaryDirectory(prefix=f"trialsite-memory-{n}-") as tmp:
        work = Path(tmp)
        subprocess.run([sys.executable, str(ROOT / "bench" / "make_corpus.py"), str(n), str(work)], check=True)
        result = {"trials": n, "flags": flags,
                  **measure([sys.executable, str(ROOT / "build.py"), "--content", "content", "--out", "site", *flags],
                            work)}
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
