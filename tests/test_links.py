"""Scheme checks as a browser reads them: entities decoded, tabs/newlines/controls ignored, any case."""
import pytest

from trialsite.links import unsafe


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JaVaScRiPt:x", "java\tscript:x", "java\nscript:x",
                                 " \x01javascript:x", "&#106;avascript:x", "java&#x09;script:x", "&amp;#106;avascript:x",
                                 "data:text/html,x", "vbscript:x", "file:///etc/passwd", "java\u200bscript:x"])
def test_unsafe(url):
    assert unsafe(url)


@pytest.mark.parametrize("url", ["https://example.org", "HTTP://example.org", "mailto:a@example.org", "../x/",
                                 "#part", "page.html?a=b:c", "/x:y", ""])
def test_safe(url):
    assert not unsafe(url)
