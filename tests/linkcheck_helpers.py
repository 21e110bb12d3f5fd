"""Scan a built site: every relative href/src on every page leads to a file, and every #anchor
to an id on the target page."""
from __future__ import annotations

import re
from pathlib import Path

from trialsite.linkcheck import target

LINK = re.compile(r'\s(?:href|src)="([^"]*)"')
ID = re.compile(r'\sid="([^"]+)"')


def broken_links(site: Path) -> list[str]:
    ids: dict[str, set] = {}
    problems = []
    for page in sorted(site.rglob("*.html")):
        name = page.relative_to(site).as_posix()
        if name.startswith("pagefind/") or name == "404.html":  # 404 links from the root: it is shown anywhere
            continue
        for href in LINK.findall(page.read_text()):
            if re.match(r"[a-z][a-z0-9+.-]*:|//", href):
                continue
            path, anchor = target(name, href)
            file = site / path
            if file.is_dir():
                file, path = file / "index.html", path + "/index.html"
            if not file.is_file():
                problems.append(f"{name}: {href} (no {path})")
            elif anchor:
                if path not in ids:
                    ids[path] = set(ID.findall(file.read_text()))
                if anchor not in ids[path]:
                    problems.append(f"{name}: {href} (no #{anchor} in {path})")
    return problems
