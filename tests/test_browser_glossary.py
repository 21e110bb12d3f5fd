"""Glossary words on a trial page, in Chromium: a tap on a phone shows the definition."""
from __future__ import annotations

from playwright.sync_api import expect

from browser_helpers import TRIAL_PATH, axe_violations, format_axe

PHONE = {"width": 390, "height": 844}


def open_trial(browser, url, **options):
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, bypass_csp=True, **options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(url + TRIAL_PATH)
    return context, page


def test_tapping_a_word_shows_its_definition_and_axe_is_clean(browser, example_site_url):
    context, page = open_trial(browser, example_site_url)
    try:
        button = page.locator("dfn.term button", has_text="lymphodepletion").first
        box = page.locator("#" + button.get_attribute("popovertarget"))
        expect(box).to_be_hidden()
        assert axe_violations(page) == [], format_axe(axe_violations(page))
        button.tap()
        expect(box).to_be_visible()
        expect(box).to_contain_text("immune cells")
        expect(box.get_by_role("link", name="More in the word list")).to_be_visible()
        violations = axe_violations(page)
        assert violations == [], format_axe(violations)
        page.mouse.click(5, 5)  # tapping outside closes it
        expect(box).to_be_hidden()
        button.tap()
        box.get_by_role("button", name="Close").tap()
        expect(box).to_be_hidden()
    finally:
        context.close()


def test_keyboard_opens_and_escape_closes_the_definition(browser, example_site_url):
    context, page = open_trial(browser, example_site_url, color_scheme="dark")
    try:
        button = page.locator("dfn.term button").first
        box = page.locator("#" + button.get_attribute("popovertarget"))
        button.focus()
        page.keyboard.press("Enter")
        expect(box).to_be_visible()
        assert axe_violations(page) == [], "dark mode with the definition open"
        page.keyboard.press("Escape")
        expect(box).to_be_hidden()
    finally:
        context.close()


def test_abbreviations_say_what_they_stand_for(browser, example_site_url):
    context, page = open_trial(browser, example_site_url)
    try:
        abbr = page.locator("dfn.term abbr").first
        assert abbr.get_attribute("title")
        abbr.tap()
        box = page.locator("#" + abbr.locator("xpath=..").get_attribute("popovertarget"))
        expect(box).to_contain_text(abbr.get_attribute("title"))
    finally:
        context.close()
