"""Benchmark: how long the preview takes to show one saved section, at different site sizes.

    python bench/preview.py [N ...]      (default: 100 1000)

Builds the preview model once, then saves one section ten times and times each update
(the work between "file saved" and "browser told to reload"). The browser's own reload adds
about 100-200 ms on top (measured by tests/test_serve_live.py). The goal is that the cost does
not grow with N.
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trialsite.incremental import SiteModel  # noqa: E402


def run(n: int) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"trialsite-preview-{n}-") as tmp:
        work = Path(tmp)
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), str(n), str(work)], check=True)
        model = SiteModel(work / "content", ROOT / "templates")
        start = time.perf_counter()
        first = model.full()
        assert not first.report.has_errors, first.report.sorted()[:3]
        initial = time.perf_counter() - start
        section = work / "content" / "trials" / f"trial-{n // 2:05d}" / "sections" / "02-who.md"
        text = section.read_text()
        times = []
        for i in range(10):
            section.write_text(text + f"\nSaved {i} times [@ctis].\n")
            start = time.perf_counter()
            result = model.update({section})
            times.append(time.perf_counter() - start)
            assert f"Saved {i} times".encode() in result.output[f"trials/trial-{n // 2:05d}/index.html"]
        return {"trials": n, "first_build_s": round(initial, 2),
                "save_to_ready_ms_median": round(statistics.median(times) * 1000, 1),
                "save_to_ready_ms_max": round(max(times) * 1000, 1), "pages_rendered": model.rendered}


if __name__ == "__main__":
    for size in [int(a) for a in sys.argv[1:]] or [100, 1000]:
        print(run(size), flush=True)
