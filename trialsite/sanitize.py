"""Sanitize: clean HTML that came from Markdown down to a small safe set of tags (nh3).

Editors may paste HTML; readers must never get scripts, event handlers, frames or forms.
"""
from __future__ import annotations

import re

import nh3

from .diagnostics import Report

TAGS = {
    "p", "a", "em", "strong", "b", "i", "ul", "ol", "li", "h3", "h4", "h5", "h6", "blockquote", "code", "pre",
    "table", "thead", "tbody", "tr", "th", "td", "caption", "br", "hr", "abbr", "sup", "sub", "span", "dfn",
    "img", "details", "summary", "small", "mark", "del", "ins", "q", "cite", "kbd", "figure", "figcaption", "dl",
    "dt", "dd", "s", "u", "button", "div",
}
ATTRIBUTES = {
    "*": {"id", "class", "lang", "title"},
    "a": {"href", "aria-hidden"},
    "span": {"aria-hidden", "popover", "data-pagefind-ignore"},
    "button": {"type", "popovertarget", "popovertargetaction"},  # glossary words open their definition (glossary.py)
    "img": {"src", "alt", "width", "height"},
    "th": {"style", "scope", "colspan", "rowspan"},
    "td": {"style", "colspan", "rowspan"},
    "ol": {"start"},
    "sup": {"data-pagefind-ignore"},
    "div": {"role", "tabindex", "aria-label"},  # the scrolling box around tables (resolve.py)
}
URL_SCHEMES = {"http", "https", "mailto"}


def clean(html: str) -> str:
    """HTML with everything outside the allowlist removed (tags kept as text-free, attributes dropped)."""
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES, link_rel=None,
                     strip_comments=True, filter_style_properties={"text-align"},
                     clean_content_tags={"script", "style"})


_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)  # code shows tags as text: nothing is removed there
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)(?=[\s/>])([^>]*)>")
_ATTR = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")


def report_removed(text: str, path: str, first_line: int, report: Report) -> None:
    """Warn, with file:line, about raw HTML in Markdown that clean() will remove.

    Compared against the allowlist before cleaning, so the editor learns why something they
    pasted does not show up on the page.
    """
    text = _CODE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
    for match in _TAG.finditer(text):
        closing, tag, rest = match.group(1), match.group(2).lower(), match.group(3)
        line = first_line + text.count("\n", 0, match.start())
        if tag not in TAGS:
            if not closing:
                gone = " and everything inside it" if tag in ("script", "style") else ""
                report.warning(path, line, f"the HTML tag <{tag}> is not allowed here, so it was removed{gone}. "
                               "Use Markdown or plain text instead.", code="html.removed")
            continue
        allowed = ATTRIBUTES["*"] | ATTRIBUTES.get(tag, set())
        for attr in _ATTR.finditer(rest):
            name, value = attr.group(1).lower(), (attr.group(2) or "").strip("\"'")
            if name not in allowed or (name == "style" and not re.fullmatch(r"\s*text-align\s*:\s*\w+\s*;?\s*", value)):
                report.warning(path, line, f'the HTML attribute "{name}" on <{tag}> is not allowed here, so it was '
                               "removed. Use Markdown or plain text instead.", code="html.removed")
