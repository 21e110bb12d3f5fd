"""Benchmark: the live preview as a reader's browser sees it, trialsite against MkDocs.

    python bench/preview_browser.py [--saves K] [--mkdocs-all] [N ...]   (default: 5 saves; 100 and 1000 trials)

For each N it generates N trials (bench/make_corpus.py), starts each tool's preview server
(`python build.py serve`, `mkdocs serve`), opens the middle trial's page in headless Chromium and
saves that trial's Markdown K times, each time with a new sentence. It times the start (launch to
first page served), save -> sentence visible in the browser (the page reloads by itself, nothing
is clicked), save -> the server's "rebuilt" line on stderr, and the rebuild time the server reports.
MkDocs rebuilds the whole site on each save, so above 1,000 trials it is skipped unless --mkdocs-all.
Needs bench/requirements.txt, Playwright and Chromium at /usr/bin/chromium (never downloaded).
Results also go to bench/results/preview-browser.json.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from run import save_results  # bench/run.py, beside this file

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TIMEOUT_S = 180  # per save: MkDocs takes ~20 s to rebuild 1,000 pages on a slow machine
# What each server prints on stderr (trialsite | MkDocs) when a rebuild is done and the browsers told to
# reload, and the build time it reports. MkDocs prints no build time that it has printed before (its
# log drops repeated messages), so that one is missing now and then.
DONE = re.compile(r"Rebuilt in \d+ ms|Reloading browsers")
REPORTED = re.compile(r"Rebuilt in (\d+) ms|Documentation built in ([\d.]+) seconds")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def server(command: list[str], cwd: Path, url: str):
    """Runs a preview server until the block ends; yields (seconds to first page served, stderr).

    stderr fills up, from a thread, with (perf_counter when read, line)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    stderr: list[tuple[float, str]] = []

    def read_stderr():
        for line in process.stderr:
            stderr.append((time.perf_counter(), line))

    threading.Thread(target=read_stderr, daemon=True).start()
    try:
        while True:
            if process.poll() is not None:
                raise SystemExit(f"{' '.join(command)} stopped:\n{''.join(line for _, line in stderr[-20:])}")
            with contextlib.suppress(OSError):
                urllib.request.urlopen(url, timeout=5).close()
                break
            time.sleep(0.05)
        yield time.perf_counter() - start, stderr
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for_text(page, text: str) -> bool:
    """True once text is on the page; the page may reload meanwhile. False after TIMEOUT_S.
    Asks every 5 ms: Playwright's own wait_for_function must be set up again after each
    reload, which added ~100 ms to what was measured."""
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            if page.evaluate("t => !!document.body && document.body.innerText.includes(t)", text):
                return True
        except PlaywrightError:  # "Execution context was destroyed": the page is reloading
            pass
        time.sleep(0.005)
    return False


def measure(tool: str, n: int, saves: int, browser, command: list[str], cwd: Path, url: str, source: Path,
            citation: str) -> dict:
    """Start the server, open url, append a sentence to source `saves` times and time each one."""
    visible, rebuilt, reported = [], [], []
    with server(command, cwd, url) as (start_s, stderr):
        page = browser.new_page()
        page.goto(url)
        for i in range(saves):
            marker = f"This is marker {i} of the benchmark"
            with source.open("a") as f:
                f.write(f"\n{marker}{citation}.\n")
            saved = time.perf_counter()
            if wait_for_text(page, marker):
                visible.append((time.perf_counter() - saved) * 1000)
            time.sleep(1.2)
            after = [(at, line) for at, line in stderr if at > saved]
            rebuilt += [(at - saved) * 1000 for at, line in after if DONE.search(line)][:1]
            for match in (REPORTED.search(line) for _, line in after):
                if match:
                    reported.append(float(match[1]) if match[1] else float(match[2]) * 1000)
                    break
        page.close()

    def ms(values, how):
        return round(how(values), 1) if values else None

    return {"tool": tool, "trials": n, "saves": saves, "shown": len(visible), "start_s": round(start_s, 2),
            "save_to_visible_ms_median": ms(visible, statistics.median), "save_to_visible_ms_max": ms(visible, max),
            "save_to_rebuilt_ms_median": ms(rebuilt, statistics.median),
            "rebuild_ms_reported_median": ms(reported, statistics.median)}


def run(n: int, saves: int, browser, mkdocs: bool) -> list[dict]:
    slug = f"trial-{n // 2:05d}"
    with tempfile.TemporaryDirectory(prefix=f"trialsite-preview-browser-{n}-") as tmp:
        work = Path(tmp)
        subprocess.run([sys.executable, str(ROOT / "bench" / "make_corpus.py"), str(n), str(work)], check=True)
        port = free_port()
        rows = [measure("trialsite", n, saves, browser,
                        [sys.executable, str(ROOT / "build.py"), "serve", "--content", str(work / "content"),
                         "--port", str(port)], ROOT, f"http://127.0.0.1:{port}/trials/{slug}/",
                        work / "content" / "trials" / slug / "sections" / "02-who.md", " [@ctis]")]
        print(json.dumps(rows[-1]), flush=True)
        if mkdocs:
            port = free_port()
            rows.append(measure("mkdocs", n, saves, browser,
                                [str(BIN / "mkdocs"), "serve", "-a", f"127.0.0.1:{port}"], work / "mkdocs",
                                f"http://127.0.0.1:{port}/{slug}/", work / "mkdocs" / "docs" / f"{slug}.md", ""))
            print(json.dumps(rows[-1]), flush=True)
        else:
            print(f"MkDocs skipped at {n} trials (above 1,000; use --mkdocs-all to include it)", flush=True)
        return rows


def table(rows: list[dict]) -> str:
    lines = ["| trials | tool | start s | save→visible median ms | save→visible max ms | save→rebuilt median ms "
             "| rebuild ms (reported) | shown / saves | trialsite / MkDocs |", "|---|---|---|---|---|---|---|---|---|"]
    medians = {(r["tool"], r["trials"]): r["save_to_visible_ms_median"] for r in rows}
    for r in rows:
        ours, theirs = medians.get(("trialsite", r["trials"])), medians.get(("mkdocs", r["trials"]))
        ratio = f"{ours / theirs:.3f}" if r["tool"] == "trialsite" and ours and theirs else ""
        lines.append(f"| {r['trials']} | {r['tool']} | {r['start_s']} | {r['save_to_visible_ms_median']} "
                     f"| {r['save_to_visible_ms_max']} | {r['save_to_rebuilt_ms_median']} "
                     f"| {r['rebuild_ms_reported_median']} | {r['shown']} / {r['saves']} | {ratio} |")
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    p = argparse.ArgumentParser(description="Live-preview latency in a browser: trialsite against MkDocs.")
    p.add_argument("--saves", type=int, default=5, help="saves per tool and size (default: 5)")
    p.add_argument("--mkdocs-all", action="store_true", help="also run MkDocs above 1,000 trials")
    p.add_argument("sizes", nargs="*", type=int, default=[100, 1000], help="numbers of trials (default: 100 1000)")
    args = p.parse_args(argv)
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            for n in args.sizes:
                rows += run(n, args.saves, browser, args.mkdocs_all or n <= 1000)
        finally:
            browser.close()
    print(table(rows))
    save_results(rows, "preview-browser.json")


if __name__ == "__main__":
    main(sys.argv[1:])
