"""Sanitize: clean HTML that came from Markdown down to a small safe set of tags (nh3).

Editors may paste HTML; readers must never get scripts, event handlers, frames or forms.
"""
from __future__ import annotations

import nh3

TAGS = {
    "p", "a", "em", "strong", "b", "i", "ul", "ol", "li", "h3", "h4", "h5", "h6", "blockquote", "code", "pre",
    "table", "thead", "tbody", "tr", "th", "td", "caption", "br", "hr", "abbr", "sup", "sub", "span", "dfn",
    "img", "details", "summary", "small", "mark", "del", "ins", "q", "cite", "kbd", "figure", "figcaption", "dl",
    "dt", "dd", "s", "u",
}
ATTRIBUTES = {
    "*": {"id", "class", "lang", "title"},
    "a": {"href", "aria-hidden"},
    "span": {"aria-hidden"},
    "img": {"src", "alt", "width", "height"},
    "th": {"style", "scope", "colspan", "rowspan"},
    "td": {"style", "colspan", "rowspan"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def clean(html: str) -> str:
    """HTML with everything outside the allowlist removed (tags kept as text-free, attributes dropped)."""
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES, link_rel=None,
                     strip_comments=True, filter_style_properties={"text-align"},
                     clean_content_tags={"script", "style"})
