"""Benchmark: trialsite against MkDocs and Hugo on the same generated pages, in one run.

    python bench/run.py [N ...]        (default: 250 1000)

For each N it generates N trials (bench/generate.py), then times, in this order:
trialsite cold build (no cache), trialsite warm build after editing one section, MkDocs,
Hugo. Each is a separate process; peak memory is that process tree's largest resident set.
These machines are noisy, so compare the ratios printed at the end, not the seconds.
Needs bench/requirements.txt installed. Results also go to bench/results/latest.json.
"""
from __future__ import annotations

import json
import shutil
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


def run(n: int, work: Path) -> dict:
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), str(n), str(work)], check=True)
    build = [sys.executable, str(ROOT / "build.py"), "--content", "content", "--out", "site"]
    results = {"trials": n}
    shutil.rmtree(work / ".trialsite-cache", ignore_errors=True)
    results["trialsite_cold"] = measure(build + ["--no-cache"] if _has_cache_flag() else build, work)
    section = work / "content" / "trials" / "trial-00000" / "sections" / "01-overview.md"
    subprocess.run(build, cwd=work, capture_output=True)  # fills the cache, if there is one
    section.write_text(section.read_text() + "\nOne more sentence for the warm build [@ctis].\n")
    results["trialsite_warm"] = measure(build, work)
    results["mkdocs"] = measure([str(BIN / "mkdocs"), "build", "-q", "-d", str(work / "mkdocs-site")],
                                work / "mkdocs")
    hugo = shutil.which("hugo", path=str(BIN)) or shutil.which("hugo")
    if hugo:
        results["hugo"] = measure([hugo, "--quiet", "-d", str(work / "hugo-site")], work / "hugo")
    cold = results["trialsite_cold"]["seconds"]
    results["cold_vs_mkdocs"] = round(cold / results["mkdocs"]["seconds"], 2)
    if hugo:
        results["cold_vs_hugo"] = round(cold / results["hugo"]["seconds"], 2)
    return results


def _has_cache_flag() -> bool:
    help_text = subprocess.run([sys.executable, str(ROOT / "build.py"), "--help"], capture_output=True,
                               text=True).stdout
    return "--no-cache" in help_text


def main(sizes: list[int]) -> None:
    rows = []
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix=f"trialsite-bench-{n}-") as tmp:
            rows.append(run(n, Path(tmp)))
            print(json.dumps(rows[-1]), flush=True)
    print(f"\n{'trials':>7} {'cold s':>8} {'warm s':>8} {'mkdocs s':>9} {'hugo s':>8} {'cold/mkdocs':>12} "
          f"{'cold/hugo':>10} {'peak MB':>8}")
    for r in rows:
        print(f"{r['trials']:>7} {r['trialsite_cold']['seconds']:>8} {r['trialsite_warm']['seconds']:>8} "
              f"{r['mkdocs']['seconds']:>9} {r.get('hugo', {}).get('seconds', '-'):>8} {r['cold_vs_mkdocs']:>12} "
              f"{r.get('cold_vs_hugo', '-'):>10} {r['trialsite_cold']['peak_mb']:>8}")
    if len(rows) > 1:
        per = [r["trialsite_cold"]["seconds"] / r["trials"] for r in rows]
        print(f"seconds per trial: {', '.join(f'{p * 1000:.1f} ms' for p in per)} (linear if these are close)")
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "latest.json").write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [250, 1000])
