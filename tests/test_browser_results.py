"""Issue 20, in Chromium: the results part of the example's finished trial is accessible (axe, light
and dark, phone and desktop), valid HTML (vnu), readable without colour, and needs no script."""
from __future__ import annotations

import pytest

from browser_helpers import axe_violations, format_axe, format_vnu, vnu_errors

RESULTS_PATH = "/trials/dupilumab-vaccine-response/"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", sorted(VIEWPORTS))
def test_results_page_axe_clean(browser, example_site_url, artifacts, scheme, size):
    context = browser.new_context(viewport=VIEWPORTS[size], color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto(example_site_url + RESULTS_PATH)
        page.locator("details.more-results > summary").click()  # the other results too
        part = page.locator("#results-in-numbers")
        assert part.locator("svg[role=img]").count() >= 8
        page.screenshot(path=str(artifacts / f"results-{size}-{scheme}.png"), full_page=True)
        violations = axe_violations(page)
        assert violations == [], f"axe on the results page ({size}, {scheme}):\n{format_axe(violations)}"
        # Nothing scrolls sideways on a phone: wide tables scroll in their own box.
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        # Charts are drawn in the text colour, so they follow the colour scheme.
        text, figure = page.evaluate("""() => [getComputedStyle(document.body).color,
            getComputedStyle(document.querySelector('svg.icon-array use.on')).fill]""")
        assert text == figure
    finally:
        context.close()


def test_results_page_valid_html(example_site):
    files = [example_site / "trials/dupilumab-vaccine-response/index.html"]
    files += list((example_site / "fr/trials/dupilumab-vaccine-response").glob("index.html"))
    errors = vnu_errors(files)
    assert errors == [], f"vnu:\n{format_vnu(errors, example_site)}"


def test_results_work_without_script_and_print_in_black(browser, example_site_url):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(example_site_url + RESULTS_PATH)
        assert page.locator("#results-in-numbers table").count() >= 5
        page.emulate_media(media="print")
        colour = page.evaluate("() => getComputedStyle(document.querySelector('svg.icon-array')).color")
        assert colour == "rgb(0, 0, 0)"
        # Filled and empty figures differ by shape (filled or outlined), not by colour alone.
        on, off = page.evaluate("""() => [getComputedStyle(document.querySelector('svg.icon-array use.on')).fill,
            getComputedStyle(document.querySelector('svg.icon-array use:not(.on)')).fill]""")
        assert on == "rgb(0, 0, 0)" and off == "none"
    finally:
        context.close()


def test_the_finder_shows_only_trials_with_results(browser, example_site_url):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(example_site_url + "/index.html")
        cards = page.locator("#trial-list .card")
        assert cards.count() == 2
        page.locator("#filters > summary").click()  # a short list keeps its choices folded
        page.select_option("#filter-results", "yes")
        visible = page.locator("#trial-list .card:visible")
        assert visible.count() == 1
        assert visible.locator("h3 a").get_attribute("href") == "trials/dupilumab-vaccine-response/index.html"
        assert page.locator("#trial-count").inner_text() == "1 of 2 trials"
        page.select_option("#filter-results", "")
        assert page.locator("#trial-list .card:visible").count() == 2
    finally:
        context.close()
    context = browser.new_context(java_script_enabled=False)
    try:  # without script every trial is listed, and the card says which has results
        page = context.new_page()
        page.goto(example_site_url + "/index.html")
        assert page.locator("#filters").is_hidden()
        marked = page.locator(".card", has_text="The results are on its page")
        assert marked.count() == 1 and page.locator(".card").count() == 2
    finally:
        context.close()
