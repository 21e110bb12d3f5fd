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
    """pages: TrialPages with .links [(href, file, line)] (and .others, the same trial in other
    languages); paths: every output path; read(path) -> bytes of a finished page, or None."""
    ids: dict[str, set] = {}
    existing = set(paths)
    reported = set()  # a section shown untranslated in another language: one message, not one per language

    def anchors(path: str) -> set:
        if path not in ids:
            ids[path] = {m.decode("utf-8", "replace") for m in _ID.findall(read(path) or b"")}
        return ids[path]

    for page_path, href, file, line in _links(pages):
        problem = _problem(page_path, href, existing, anchors)
        if problem and (file, line, problem) not in reported:
            reported.add((file, line, problem))
            report.error(file, line, problem[0], code=problem[1])


def _problem(page_path: str, href: str, existing: set, anchors) -> tuple[str, str] | None:
    """What is wrong with a link written on page_path, and its code, or None."""
    if href.startswith("/"):
        return (f'the link "{href}" starts with "/", so it breaks when the site is not at the top of its web '
                "address. Write it from this page, like ../../index.html for the home page.", "link.absolute")
    path, anchor = target(page_path, href)
    if path.startswith("../") or path == "..":
        return (f'the link "{href}" points outside the site. Link to a page of this site, or use a full '
                "https:// address.", "link.outside")
    if path not in existing and posixpath.join(path, "index.html") in existing:
        path = posixpath.join(path, "index.html")
    if path not in existing:
        if path.startswith(GENERATED_LATER):
            return None
        return (f'the link "{href}" points to a page that does not exist in the site. Check the spelling, or use '
                "a full https:// address.", "link.broken")
    if anchor and anchor not in anchors(path):
        return (f'the link "{href}" points to "#{anchor}", which is not on that page. Check the spelling of the '
                "part after #.", "link.anchor")
    return None


def _links(pages):
    """(site path of the page, href, file, line) of each link, on every language's page of a trial."""
    for page in pages:
        for prefix, shown in (("", page), *((f"{lang}/", other) for lang, other in page.others)):
            for href, file, line in shown.links:
                yield f"{prefix}trials/{page.trial.slug}/index.html", href, file, line
