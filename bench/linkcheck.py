"""What the link-integrity check costs in a build: N generated trials, each with five links an
editor might write (same page, another trial, its #sources, a glossary #term, the word list).

.venv/bin/python bench/linkcheck.py [N]   (default 1000; the aim is under 5% of the build)
"""
from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402
from trialsite import pipeline  # noqa: E402


def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        generate.main(n, Path(tmp))
        content = Path(tmp) / "content"
        slugs = sorted(p.name for p in (content / "trials").iterdir())
        term = re.findall(r"(?m)^([A-Za-z][^:\n]*):\s*$", (content / "glossary.yaml").read_text())[0]
        anchor = "term-" + re.sub(r"[^a-z0-9]+", "-", term.lower()).strip("-")
        for i, slug in enumerate(slugs):
            other = slugs[(i + 1) % len(slugs)]
            section = sorted((content / "trials" / slug / "sections").glob("*.md"))[-1]
            section.write_text(section.read_text() + f"\nSee [the sources](#sources), [another trial](../{other}/index.html), "
                               f"[its sources](../{other}/#sources), [a word](../../glossary/index.html#{anchor}) "
                               "and [the word list](../../glossary/).\n")
        spent, original = [0.0], pipeline.check_links

        def timed(*args):
            started = time.perf_counter()
            original(*args)
            spent[0] += time.perf_counter() - started

        pipeline.check_links = timed
        started = time.perf_counter()
        result = pipeline.build(content, None, Path(tmp) / "site", use_cache=False)
        total = time.perf_counter() - started
        assert not result.report.items, [d.format() for d in result.report.items[:5]]
        print(f"{n} trials, {5 * n} links: build {total:.2f} s, link check {spent[0] * 1000:.0f} ms "
              f"({spent[0] / total:.1%} of the build)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
