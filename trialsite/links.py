"""Links: web addresses written in Markdown (links, images, raw HTML) may only be http, https,
mailto or relative. Anything else (javascript:, data:, vbscript:, ...) is a build error with file:line.

The sanitizer would drop such an href anyway; refusing it tells the editor instead of silently
leaving a dead link. The scan runs on the Markdown source, so each problem has its own line.
Browsers ignore tabs, newlines and control characters inside a scheme ("java\\tscript:") and
decode HTML entities first ("&#106;avascript:"), so both are undone before the scheme is read.
"""
from __future__ import annotations

import html
import re

from .diagnostics import Report

SAFE_SCHEMES = {"http", "https", "mailto"}

_URL_PATTERNS = (
    re.compile(r"\]\(\s*<?((?:[^()>\s]|\([^()>\s]*\))*)"),  # [text](url) and ![alt](url); url may hold (...)
    re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M),  # [ref]: url
    re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]*:[^>\s]*)>"),  # <scheme:autolink>
    re.compile(r"""\b(?:href|src|srcset|action|formaction|poster|background|xlink:href|data)\s*=\s*"""
               r"""("[^"]*"|'[^']*'|[^\s>]+)""", re.I),  # raw HTML attributes
)
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")


def scheme(url: str) -> str | None:
    """The scheme a browser would see, lower-case, or None for a relative address."""
    plain = _INVISIBLE.sub("", html.unescape(html.unescape(url.strip("\"'")))).lower()
    match = _SCHEME.match(plain)
    return match.group(1) if match else None


def unsafe(url: str) -> bool:
    found = scheme(url)
    return found is not None and found not in SAFE_SCHEMES


def check_markdown(text: str, path: str, first_line: int, report: Report) -> bool:
    """Report every unsafe address in text (which starts at first_line of path); True if any."""
    bad = False
    for pattern in _URL_PATTERNS:
        for match in pattern.finditer(text):
            url = match.group(1)
            if not unsafe(url):
                continue
            bad = True
            line = first_line + text.count("\n", 0, match.start(1))
            shown = _INVISIBLE.sub("", html.unescape(url.strip("\"'")))[:40]
            report.error(path, line, f'"{shown}" is not a safe web address. Links and images may only '
                         "start with http://, https:// or mailto:, or point to a page of this site. "
                         "Remove it or use a normal web address.", code="link.scheme")
    return bad


_HREF = re.compile(r'\s(?:href|src)="([^"]*)"')


def written(html_text: str, markdown: str, path: str, first_line: int) -> list[tuple[str, str, int]]:
    """(address, file, line) of each link and image the editor wrote, as it ends up on the page.

    Read from the finished HTML, so links in code or in removed HTML do not count; links that
    trialsite adds itself (citations, glossary words) are left out, as they are not in the text.
    """
    found = []
    for raw in dict.fromkeys(_HREF.findall(html_text)):
        url = html.unescape(raw)
        at = markdown.find(url)
        if at < 0:
            at = markdown.find(raw)
        if at >= 0:
            found.append((url, path, first_line + markdown.count("\n", 0, at)))
    return found


def is_external(url: str) -> bool:
    return scheme(url) is not None or url.startswith("//")


# Python-Markdown looks for the end of every "[" and "<" it cannot match, up to the end of the
# paragraph: thousands of them take minutes (found by a hostile test). Cost ~ unmatched signs x
# paragraph length; 2,000,000 is about a second, and ordinary text scores nearly nothing.
_MATCHED = re.compile(r"\\.|!?\[[^\[\]\n]*\](?:\([^()\s]*\)|\[[^\[\]\n]*\])?|<[^<>\n]*>")
_OPENERS = re.compile(r"\[|<[A-Za-z/!?]")
SLOW_LIMIT = 2_000_000


def too_slow(text: str, path: str, first_line: int, report: Report) -> bool:
    """Report (and return True for) text whose unclosed brackets would make Markdown crawl."""
    at = 0
    for paragraph in re.split(r"(\n[ \t]*\n)", text):
        opened = len(_OPENERS.findall(_MATCHED.sub("", paragraph)))
        if opened * len(paragraph) > SLOW_LIMIT:
            report.error(path, first_line + text.count("\n", 0, at), f'this paragraph has {opened:,} "[" or "<" '
                         "signs that are never closed, which makes the page very slow to build. Close each link "
                         r'as [text](address), or write \[ for a bracket and &lt; for a "<" sign.', code="markdown.slow")
            return True
        at += len(paragraph)
    return False
