"""Browser tests of the built example site: citations, layout, accessibility, HTML validity.

HTML contract (produced by the generator):
  <out>/index.html, <out>/trials/allonk-rituximab-rheumatic/index.html,
  <out>/glossary/index.html, <out>/404.html
  citation: <sup class="cite">[<a class="cite-ref" href="#source-N" id="cite-N-K">
            <span class="visually-hidden">source </span>N</a>, ...]</sup>
  sources:  <ol class="sources"><li id="source-N"> ... <a class="backlink" href="#cite-N-K"> ...
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from browser_helpers import TRIAL_PATH, axe_violations, format_axe, format_vnu, vnu_errors

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}

PAGES = {
    "home": "/",
    "trial": TRIAL_PATH,
    "glossary": "/glossary/",
    "404": "/404.html",
}


@pytest.fixture
def new_page(browser):
    """new_page(viewport) -> a page in its own context, closed after the test."""
    contexts = []

    def make(viewport):
        ctx = browser.new_context(viewport=viewport)
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(10_000)
        return page

    yield make
    for ctx in contexts:
        ctx.close()


def hash_of(page) -> str:
    return page.evaluate("() => location.hash")


def test_trial_phone_citation_round_trip(new_page, example_site_url, artifacts):
    page = new_page(PHONE)
    page.goto(example_site_url + TRIAL_PATH)
    page.screenshot(path=str(artifacts / "trial-phone.png"), full_page=True)

    cite = page.get_by_role("link", name="source 1").first
    expect(cite).to_have_attribute("href", "#source-1")
    expect(cite).to_have_attribute("id", "cite-1-1")
    cite.click()
    expect(page).to_have_url(re.compile(r"#source-1$"))
    assert hash_of(page) == "#source-1"
    expect(page.locator("#source-1")).to_be_in_viewport()

    back = page.locator("#source-1 a.backlink").first
    expect(back).to_have_attribute("href", "#cite-1-1")
    back.click()
    expect(page).to_have_url(re.compile(r"#cite-1-1$"))
    assert hash_of(page) == "#cite-1-1"
    expect(page.locator("#cite-1-1")).to_be_in_viewport()


def test_trial_desktop_screenshot(new_page, example_site_url, artifacts):
    page = new_page(DESKTOP)
    page.goto(example_site_url + TRIAL_PATH)
    expect(page.locator("h1")).to_have_count(1)
    page.screenshot(path=str(artifacts / "trial-desktop.png"), full_page=True)


def test_citations_and_backlinks_match(new_page, example_site_url):
    """Every cite-ref has a source li and a back-link to it, and vice versa; K = 1, 2, ... per N."""
    page = new_page(DESKTOP)
    page.goto(example_site_url + TRIAL_PATH)
    data = page.evaluate(
        """() => ({
          refs: [...document.querySelectorAll('sup.cite a.cite-ref')].map(a => ({
              id: a.id, href: a.getAttribute('href'), name: a.textContent.replace(/\\s+/g, ' ').trim()})),
          sources: [...document.querySelectorAll('ol.sources > li')].map(li => ({
              id: li.id,
              backlinks: [...li.querySelectorAll('a.backlink')].map(a => a.getAttribute('href'))})),
          ids: [...document.querySelectorAll('[id]')].map(e => e.id),
        })"""
    )
    refs, sources = data["refs"], data["sources"]
    assert refs, "no <sup class=cite><a class=cite-ref> citations on the trial page"
    assert sources, "no <ol class=sources><li> on the trial page"
    dupes = sorted({i for i in data["ids"] if data["ids"].count(i) > 1})
    assert not dupes, f"duplicate ids: {dupes}"

    source_ids = {s["id"] for s in sources}
    places = {}  # N -> [K, ...] in document order
    for r in refs:
        m = re.fullmatch(r"cite-(\d+)-(\d+)", r["id"])
        assert m, f"cite-ref id {r['id']!r} is not cite-N-K"
        n, k = m.groups()
        assert r["href"] == f"#source-{n}", f"{r['id']} links to {r['href']}"
        assert f"source-{n}" in source_ids, f"{r['id']}: no <li id=source-{n}>"
        assert r["name"] == f"source {n}", f"{r['id']}: text is {r['name']!r}, want 'source {n}'"
        places.setdefault(n, []).append(int(k))
    for n, ks in places.items():
        assert sorted(ks) == list(range(1, len(ks) + 1)), f"source {n}: places K are {ks}"

    for s in sources:
        m = re.fullmatch(r"source-(\d+)", s["id"])
        assert m, f"sources li id {s['id']!r} is not source-N"
        n = m.group(1)
        want = [f"#cite-{n}-{k}" for k in sorted(places.get(n, []))]
        assert sorted(s["backlinks"]) == sorted(want), \
            f"source-{n}: back-links {s['backlinks']}, cited at {want}"


def test_trial_no_sideways_scroll_at_320(new_page, example_site_url, artifacts):
    page = new_page({"width": 320, "height": 800})
    page.goto(example_site_url + TRIAL_PATH)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    if width > 320:
        page.screenshot(path=str(artifacts / "trial-320.png"), full_page=True)
        wide = page.evaluate(
            """() => {
                 const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                     + (typeof e.className === 'string' && e.className.trim()
                        ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
                 return [...document.querySelectorAll('body *')]
                   .filter(e => e.getBoundingClientRect().right > 320.5
                                || (e.clientWidth > 2 && e.scrollWidth > e.clientWidth + 1))
                   .slice(0, 10)
                   .map(e => name(e) + ' right=' + Math.round(e.getBoundingClientRect().right)
                             + ' scrollWidth=' + e.scrollWidth);
               }"""
        )
        pytest.fail(f"page scrolls sideways at 320 px: scrollWidth={width}; too wide: {wide}")


@pytest.mark.parametrize("name", list(PAGES))
def test_axe_wcag22aa(name, new_page, example_site_url):
    page = new_page(DESKTOP)
    response = page.goto(example_site_url + PAGES[name])
    assert response is not None and response.ok, f"{PAGES[name]}: HTTP {response and response.status}"
    violations = axe_violations(page)
    assert violations == [], f"axe violations on {name} ({PAGES[name]}):\n{format_axe(violations)}"


def test_vnu_whole_site(example_site):
    files = sorted(example_site.rglob("*.html"))
    missing = [p for p in ("index.html", f"{TRIAL_PATH.strip('/')}/index.html", "glossary/index.html", "404.html")
               if not (example_site / p).is_file()]
    assert not missing, f"built site lacks {missing}"
    errors = vnu_errors(files)
    assert errors == [], f"vnu: {len(errors)} error(s) in {len(files)} files:\n{format_vnu(errors, example_site)}"
