"""Benchmark: importing and re-importing a huge ClinicalTrials.gov record (issue 8).

    python bench/import_record.py [COPIES]     (default: 300)

Takes the real record tests/fixtures/ctgov/nct07062965-phase3-partial-many-sites.json (39 sites),
repeats its sites COPIES times and adds a 3 MB results section (which the importer skips), then
times the first import and two re-imports (the re-import also reads the existing trial.yaml and
compares every fact).
"""
from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trialsite.importer import import_record  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "ctgov" / "nct07062965-phase3-partial-many-sites.json"


def main(copies: int) -> None:
    study = json.loads(FIXTURE.read_text(encoding="utf-8"))
    module = study["protocolSection"]["contactsLocationsModule"]
    module["locations"] = module["locations"] * copies
    study["resultsSection"] = {"padding": ["x" * 1000] * 3000}
    with tempfile.TemporaryDirectory() as folder:
        record, content = Path(folder) / "record.json", Path(folder) / "content"
        record.write_text(json.dumps(study), encoding="utf-8")
        times = []
        for _ in range(3):
            start = time.perf_counter()
            result = import_record(record, content, accessed="2026-11-28")
            times.append(time.perf_counter() - start)
            assert not result.report.has_errors
        size = record.stat().st_size / 1e6
    print(f"record {size:.1f} MB, {len(module['locations'])} sites: first import {times[0]:.2f} s, "
          f"re-import {statistics.median(times[1:]):.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
