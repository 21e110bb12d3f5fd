"""Link integrity: every link an editor writes to a page of this site, and every #anchor,
must lead somewhere. Checked after all pages exist, before the site replaces site/.

Links are collected while sections are resolved (resolve.py), with their file and line, so
the check never re-reads Markdown; a target page is only read when a link names an #anchor.
"""
from __future__ import annotations

import posixpath
import re
from urllib.parse import unquote, urlsplit

from .diagnostics import Report

_ID = re.compile(rb'\sid="([^"]+)"')
GENERATED_LATER = ("pagefind/",)  # the search index is made after this check, in the same folder


def target(page_path: str, href: str) -> tuple[str, str]:
    """The site path and #anchor a relative link on page_path leads to ("" path: the same page)."""
    parts = urlsplit(href)
    path = unquote(parts.path)
    if not path:
        return page_path, unquote(parts.fragment)
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(page_path), path))
    if path.endswith("/") or joined in (".", ""):
        joined = posixpath.join(joined, "index.html") if joined not in (".", "") else "index.html"
    return joined, unquote(parts.fragment)


def check_links(pages, paths, read, report: Report) -> None:
    """pages: TrialPages with .links [(href, file, line)]; paths: every output path;
    read(path) -> bytes of a finished page, or None."""
    ids: dict[str, set] = {}
    existing = set(paths)
    for page in pages:
        page_path = f"trials/{page.trial.slug}/index.html"
        for href, file, line in page.links:
            if href.startswith("/"):
                report.error(file, line, f'the link "{href}" starts with "/", so it breaks when the site is not at '
                             "the top of its web address. Write it from this page, like ../../index.html for the home "
                             "page.", code="link.absolute")
                continue
            path, anchor = target(page_path, href)
            if path.startswith("../") or path == "..":
                report.error(file, line, f'the link "{href}" points outside the site. Link to a page of this site, '
                             "or use a full https:// address.", code="link.outside")
                continue
            if path not in existing and posixpath.join(path, "index.html") in existing:
                path = posixpath.join(path, "index.html")
            if path not in existing:
                if path.startswith(GENERATED_LATER):
                    continue
                report.error(file, line, f'the link "{href}" points to a page that does not exist in the site. '
                             "Check the spelling, or use a full https:// address.", code="link.broken")
                continue
            if anchor:
                if path not in ids:
                    data = read(path) or b""
                    ids[path] = {m.decode("utf-8", "replace") for m in _ID.findall(data)}
                if anchor not in ids[path]:
                    report.error(file, line, f'the link "{href}" points to "#{anchor}", which is not on that page. '
                                 "Check the spelling of the part after #.", code="link.anchor")
