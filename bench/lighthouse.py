"""Lighthouse scores of the built example site (performance, accessibility, best practices, SEO).

    python bench/lighthouse.py            (needs `npm ci` and Debian's chromium)

Builds content/ into a temporary folder, serves it on 127.0.0.1 and runs npm's lighthouse
(pinned in package.json) on the home page, the trial page, an illness page and the word list,
as a phone (Lighthouse's default). Scores go to bench/results/lighthouse.json and the screen.
Works with no network at all: the site makes no third-party requests.
"""
from __future__ import annotations

import functools
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
PAGES = ["index.html", "trials/allonk-rituximab-rheumatic/index.html", "conditions/systemic-sclerosis/index.html",
         "glossary/index.html"]
FLAGS = ("--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking "
         "--disable-component-update --disable-sync")


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        subprocess.run([sys.executable, str(ROOT / "build.py"), "--out", str(site), "--no-cache"], cwd=ROOT,
                       check=True, capture_output=True)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        results = {}
        try:
            for page in PAGES:
                report = Path(tmp) / "lh.json"
                url = f"http://127.0.0.1:{server.server_address[1]}/{page}"
                subprocess.run([str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report}",
                                "--only-categories=performance,accessibility,best-practices,seo",
                                f"--chrome-flags={FLAGS}"], check=True,
                               env={**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")})
                data = json.loads(report.read_text())
                results[page] = {name: round(cat["score"] * 100) for name, cat in data["categories"].items()}
                weight = sum(item.get("transferSize", 0) for item in
                             data["audits"]["network-requests"]["details"]["items"])
                results[page]["transfer_kb"] = round(weight / 1024, 1)
                print(page, results[page], flush=True)
        finally:
            server.shutdown()
    out = ROOT / "bench" / "results" / "lighthouse.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
