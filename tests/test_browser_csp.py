"""The Content-Security-Policy of the built pages blocks nothing the pages themselves need."""
from __future__ import annotations

import pytest

PAGES = ["/", "/trials/allonk-rituximab-rheumatic/", "/glossary/", "/404.html"]


@pytest.mark.parametrize("path", PAGES)
def test_csp_present_and_nothing_blocked(path, page, example_site_url):
    messages = []
    page.on("console", lambda m: messages.append(m.text))
    page.goto(example_site_url + path)
    page.wait_for_load_state("load")
    csp = page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
    assert "default-src 'self'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    blocked = [m for m in messages if "Content Security Policy" in m]
    assert not blocked, blocked
