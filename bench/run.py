"""Benchmark: trialsite against MkDocs and Hugo on the same generated pages, in one run.

    python bench/run.py [--runs R] [N ...]        (default: 3 runs of 100 and 1000 trials)

For each N it generates N trials (bench/make_corpus.py), then times: trialsite cold build (no
cache, Pagefind included), Pagefind alone on that site, trialsite warm build after editing one
section and with nothing edited, the floor (bench/floor.py: bare markdown + jinja2 loop, 1 and 2 processes), MkDocs and
Hugo on the same pages (up to 5,000 trials). Medians of R runs (1 run above 1,000 trials). Each is a separate process; peak memory is that process tree's largest resident set.
These machines are noisy, so compare the ratios printed at the end, not the seconds.
Needs bench/requirements.txt installed. Results also go to bench/results/latest.json.
"""
from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def measure(command: list[str], cwd: Path) -> dict:
    """Seconds and peak memory (MB) of one command, run to completion."""
    probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
             "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE); "
             "e = time.perf_counter() - t; "
             "m = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024; "
             "print(f'{e} {m} {r.returncode}'); sys.stderr.write(r.stderr.decode()[-2000:])")
    done = subprocess.run([sys.executable, "-c", probe, *command], cwd=cwd, capture_output=True, text=True)
    seconds, megabytes, code = done.stdout.split()
    if code != "0":
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    return {"seconds": round(float(seconds), 3), "peak_mb": round(float(megabytes), 1)}


def median_of(runs: int, command: list[str], cwd: Path, before=None) -> dict:
    """Median seconds (and the largest peak memory) of several runs; before() runs untimed first."""
    samples = []
    for _ in range(runs):
        if before:
            before()
        samples.append(measure(command, cwd))
    return {"seconds": statistics.median(s["seconds"] for s in samples),
            "peak_mb": max(s["peak_mb"] for s in samples), "runs": runs}


def run(n: int, work: Path, runs: int, peers: bool) -> dict:
    subprocess.run([sys.executable, str(ROOT / "bench" / "make_corpus.py"), str(n), str(work)], check=True)
    build = [sys.executable, str(ROOT / "build.py"), "--content", "content", "--out", "site"]
    results: dict = {"trials": n}
    results["trialsite_cold"] = median_of(runs, build + ["--no-cache"], work)
    results["pagefind_alone"] = median_of(runs, [sys.executable, "-m", "pagefind", "--site", "site", "--silent"],
                                          work, before=lambda: shutil.rmtree(work / "site" / "pagefind"))
    section = work / "content" / "trials" / "trial-00000" / "sections" / "01-overview.md"
    original = section.read_text()
    subprocess.run(build, cwd=work, capture_output=True)  # fills the cache
    edits = iter(range(1000))

    def edit_one_section():
        section.write_text(original + f"\nEdit number {next(edits)} for the warm build [@ctis].\n")

    results["trialsite_warm"] = median_of(runs, build, work, before=edit_one_section)
    results["trialsite_unchanged"] = median_of(runs, build, work)  # nothing edited: the search index is reused
    floor = [sys.executable, str(ROOT / "bench" / "floor.py"), "mkdocs/docs", "floor-site"]
    results["floor_1_process"] = median_of(runs, floor + ["1"], work)
    results["floor_2_processes"] = median_of(runs, floor + ["2"], work)
    if peers:
        results["mkdocs"] = median_of(runs, [str(BIN / "mkdocs"), "build", "-q", "-d", str(work / "mkdocs-site")],
                                      work / "mkdocs")
        hugo = shutil.which("hugo", path=str(BIN)) or shutil.which("hugo")
        if hugo:
            results["hugo"] = median_of(runs, [hugo, "--quiet", "-d", str(work / "hugo-site")], work / "hugo")
    cold = results["trialsite_cold"]["seconds"]
    for peer in ("mkdocs", "hugo", "floor_2_processes"):
        if peer in results:
            results[f"cold_vs_{peer}"] = round(cold / results[peer]["seconds"], 2)
    results["ms_per_trial_cold"] = round(cold / n * 1000, 2)
    return results


def table(rows: list[dict]) -> str:
    def cell(row, key):
        return f"{row[key]['seconds']:.2f}" if key in row else "-"

    lines = ["| trials | trialsite cold | of which Pagefind | warm (1 section edited) | warm (nothing edited) "
             "| floor 1 proc | floor 2 proc | MkDocs | Hugo | cold / MkDocs | cold / Hugo | ms per trial "
             "| peak MB (trialsite, incl. Pagefind) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['trials']} | {cell(r, 'trialsite_cold')} | {cell(r, 'pagefind_alone')} "
                     f"| {cell(r, 'trialsite_warm')} | {cell(r, 'trialsite_unchanged')} "
                     f"| {cell(r, 'floor_1_process')} | {cell(r, 'floor_2_processes')} "
                     f"| {cell(r, 'mkdocs')} | {cell(r, 'hugo')} | {r.get('cold_vs_mkdocs', '-')} "
                     f"| {r.get('cold_vs_hugo', '-')} | {r['ms_per_trial_cold']} | {r['trialsite_cold']['peak_mb']} |")
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    runs = 3
    if argv[:1] == ["--runs"]:
        runs, argv = int(argv[1]), argv[2:]
    sizes = [int(a) for a in argv] or [100, 1000]
    rows = []
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix=f"trialsite-bench-{n}-") as tmp:
            rows.append(run(n, Path(tmp), runs if n <= 1000 else 1, peers=n <= 5000))
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
