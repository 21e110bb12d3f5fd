"""The floor: the least any Python generator must do for these pages — read each Markdown page,
convert it with python-markdown, put it in one Jinja template, write it. No checks, no
citations, no glossary, no search.

    python bench/floor.py DOCS OUT [PROCESSES]
"""
from __future__ import annotations

import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import jinja2
import markdown

PAGE = jinja2.Template("<!DOCTYPE html><html lang=en><head><title>{{ title }}</title></head>"
                       "<body><main>{{ body }}</main></body></html>")
_md = None


def render(job: tuple[str, str]) -> None:
    global _md
    source, target = job
    if _md is None:
        _md = markdown.Markdown(extensions=["tables"])
    _md.reset()
    text = Path(source).read_text()
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    Path(target).write_text(PAGE.render(title=text.split("\n", 1)[0], body=_md.convert(text)))


def main(docs: Path, out: Path, processes: int) -> None:
    jobs = [(str(p), str(out / p.relative_to(docs).with_suffix(".html"))) for p in sorted(docs.rglob("*.md"))]
    if processes == 1:
        for job in jobs:
            render(job)
    else:
        with ProcessPoolExecutor(processes) as pool:
            list(pool.map(render, jobs, chunksize=16))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 1)
