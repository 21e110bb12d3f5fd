"""Scheme checks as a browser reads them: entities decoded, tabs/newlines/controls ignored, any case."""
import pytest

from trialsite.diagnostics import Report
from trialsite.links import check_markdown, unsafe


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JaVaScRiPt:x", "java\tscript:x", "java\nscript:x",
                                 " \x01javascript:x", "&#106;avascript:x", "java&#x09;script:x", "&amp;#106;avascript:x",
                                 "data:text/html,x", "vbscript:x", "file:///etc/passwd", "java\u200bscript:x"])
def test_unsafe(url):
    assert unsafe(url)


@pytest.mark.parametrize("url", ["https://example.org", "HTTP://example.org", "mailto:a@example.org", "../x/",
                                 "#part", "page.html?a=b:c", "/x:y", ""])
def test_safe(url):
    assert not unsafe(url)


@pytest.mark.parametrize("markdown, shown", [
    ("See [this](javascript:alert(1)) now.", '"javascript:alert(1)"'),  # the whole address, brackets and all
    ("![x](data:text/html,x)", '"data:text/html,x"'),
    ("Line one.\n[a](vbscript:msgbox(\"hi\"))", '"vbscript:msgbox("hi")"'),
])
def test_the_error_names_the_whole_address_and_its_line(markdown, shown):
    report = Report()
    assert check_markdown(markdown, "s.md", 5, report)
    [error] = report.items
    assert error.line == 5 + markdown.count("\n") and error.message.startswith(shown + " is not a safe web address")
