"""Every kind of page, in Chromium: accessibility (axe, light and dark), valid HTML (vnu), keyboard
order, search and filters, JavaScript off, narrow screens, sharing metadata, screenshots.

The site: the example trial plus three small trials with other illnesses, statuses and phases,
and base_url set, so that filters, condition pages, the sitemap and canonical links all exist.
"""
from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET

import pytest
from playwright.sync_api import expect

import browser_helpers
from browser_helpers import TRIAL_PATH, axe_violations, format_axe, format_vnu, vnu_errors
from project import ROOT, TRIAL, run_build, write_files

BASE_URL = "https://trials.example.org/patients/"
OTHERS = {
    "gout-diet": ("A diet study for people with gout", "gout", "completed", "3"),
    "lupus-cells": ("Cell therapy for lupus", "lupus", "recruiting", "1"),
    "lupus-walk": ("Walking to feel less tired with lupus", "lupus", "not yet recruiting", "not applicable"),
}
PAGE_TYPES = {
    "home": "/index.html",
    "trial": TRIAL_PATH + "index.html",
    "conditions": "/conditions/index.html",
    "condition": "/conditions/lupus/index.html",
    "glossary": "/glossary/index.html",
    "search": "/search/index.html",
    "404": "/404.html",
}
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 800}


@pytest.fixture(scope="session")
def pages_site(tmp_path_factory):
    project = make_pages_project(tmp_path_factory.mktemp("pages"))
    result = run_build(project)
    assert result.returncode == 0, result.stderr + result.stdout
    return project / "site"


def make_pages_project(project):
    """The example plus OTHERS, with base_url: not built yet."""
    shutil.copytree(ROOT / "content", project / "content")
    site = (project / "content/site.yaml").read_text()
    files = {"content/site.yaml": site + f"base_url: {BASE_URL}\n"}
    for slug, (title, condition, status, phase) in OTHERS.items():
        trial = (TRIAL.replace("A small test trial", title).replace("rheumatoid arthritis", condition)
                 .replace("recruiting", status).replace('phase: "2"', f'phase: "{phase}"').replace("    abbr: RA\n", ""))
        if slug == "gout-diet":
            trial += ("sponsor:\n  name: Gout Research Group\nregistrations:\n  - registry: ClinicalTrials.gov\n"
                      "    id: NCT01234567\n    url: https://clinicaltrials.gov/study/NCT01234567\n")
        files[f"content/trials/{slug}/trial.yaml"] = trial
        files[f"content/trials/{slug}/sections/01-about.md"] = (
            f"---\ntitle: About this trial\n---\nThis trial is for adults with {condition} [@reg].\n"
            "It uses the paper too [@paper].\n")
    write_files(project, files)
    return project


@pytest.fixture(scope="session")
def site_url(pages_site, serve_dir):
    return serve_dir(pages_site)


def open_page(browser, url, viewport=PHONE, **options):
    return browser_helpers.open_page(browser, url, viewport, **options)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_axe_finds_nothing_on_every_kind_of_page(browser, site_url, example_site_url, kind, scheme, artifacts):
    # With base_url set, the 404 page links to the real site (it may be shown at any address),
    # so it is checked on the example site, which has no base_url and is served at its root.
    base = example_site_url if kind == "404" else site_url
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        context, page = open_page(browser, base + PAGE_TYPES[kind], viewport, color_scheme=scheme)
        try:
            if kind == "search":
                page.locator(".pagefind-ui__search-input").wait_for()
            violations = axe_violations(page)
            page.screenshot(path=str(artifacts / f"{kind}-{name}-{scheme}.png"), full_page=True)
            assert violations == [], f"{kind} ({name}, {scheme}):\n{format_axe(violations)}"
        finally:
            context.close()


def test_search_results_page_is_accessible_and_finds_a_condition(browser, site_url, artifacts):
    context, page = open_page(browser, site_url + "/search/index.html")
    try:
        page.fill(".pagefind-ui__search-input", "gout")
        result = page.locator(".pagefind-ui__result-link").first
        expect(result).to_have_text("A diet study for people with gout")
        assert axe_violations(page) == [], format_axe(axe_violations(page))
        page.screenshot(path=str(artifacts / "search-results-phone-light.png"), full_page=True)
        result.click()
        page.wait_for_url("**/trials/gout-diet/index.html")
    finally:
        context.close()


def test_every_generated_page_is_valid_html(pages_site):
    pages = sorted(p for p in pages_site.rglob("*.html") if "pagefind" not in p.parts)
    illnesses = len(list((pages_site / "conditions").glob("*/index.html")))
    assert illnesses == 6 and len(pages) == 4 + 5 + illnesses  # trials; home, search, word list, illnesses, 404
    errors = vnu_errors(pages)
    assert errors == [], format_vnu(errors)


def test_filters_narrow_the_list(browser, site_url):
    context, page = open_page(browser, site_url + "/index.html")
    try:
        cards = page.locator("#trial-list .card")
        expect(cards).to_have_count(4)
        # four trials are few enough to read whole: the choices are there, folded
        expect(page.locator("#filter-condition")).to_be_hidden()
        page.locator("#filters > summary").click()
        page.select_option("#filter-condition", "lupus")
        expect(page.locator("#trial-list .card:visible")).to_have_count(2)
        page.select_option("#filter-status", "recruiting")
        expect(page.locator("#trial-list .card:visible")).to_have_count(1)
        expect(page.locator("#trial-count")).to_have_text("1 of 4 trials")
        page.select_option("#filter-phase", "3")
        expect(page.locator("#trial-list .card:visible")).to_have_count(0)
        expect(page.locator("#no-match")).to_be_visible()
    finally:
        context.close()


def test_without_javascript_condition_pages_reach_every_trial(browser, site_url):
    context, page = open_page(browser, site_url + "/index.html", java_script_enabled=False)
    try:
        expect(page.locator("#filters")).to_be_hidden()
        reached = set()
        links = [a.get_attribute("href") for a in page.locator(".browse .condition-links a").all()]
        assert len(links) == 6  # 4 illnesses of the example trial, gout, lupus
        for href in links:
            page.goto(site_url + "/" + href)
            for a in page.locator(".cards .card h3 a").all():
                reached.add(a.get_attribute("href").rsplit("/trials/", 1)[1])
        assert reached == {f"{slug}/index.html" for slug in [*OTHERS, TRIAL_PATH.split("/")[2]]}
        page.goto(site_url + "/search/index.html")
        expect(page.get_by_text("Search needs JavaScript")).to_be_visible()
    finally:
        context.close()


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_no_sideways_scrolling_at_320_pixels(browser, site_url, example_site_url, kind):
    base = example_site_url if kind == "404" else site_url
    context, page = open_page(browser, base + PAGE_TYPES[kind], {"width": 320, "height": 640})
    try:
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{kind} scrolls sideways by {overflow}px at 320px"
    finally:
        context.close()


def test_keyboard_order_skip_link_nav_contents_citations_backlinks(browser, site_url):
    context, page = open_page(browser, site_url + PAGE_TYPES["trial"], DESKTOP)
    try:
        seen = []
        for _ in range(400):
            page.keyboard.press("Tab")
            info = page.evaluate("""() => { const e = document.activeElement;
                const s = getComputedStyle(e);
                return {cls: e.className, text: e.textContent.trim().slice(0, 40), href: e.getAttribute('href') || '',
                        inNav: !!e.closest('nav[aria-label=Site]'), inToc: !!e.closest('.contents'),
                        outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2}; }""")
            seen.append(info)
            if info["cls"] == "backlink":
                break
        assert seen[0]["cls"] == "skip-link", seen[0]
        kinds = []
        for item in seen:
            kind = ("skip" if item["cls"] == "skip-link" else "nav" if item["inNav"] else "toc" if item["inToc"]
                    else "cite" if item["cls"] == "cite-ref" else "back" if item["cls"] == "backlink" else None)
            if kind and (not kinds or kinds[-1] != kind):
                kinds.append(kind)
        # the key facts (before the contents) cite their sources too
        assert kinds[:4] == ["skip", "nav", "cite", "toc"] and kinds[-2:] == ["cite", "back"], kinds
        assert all(item["outline"] for item in seen), [i for i in seen if not i["outline"]][:3]
    finally:
        context.close()


def test_trial_page_json_ld_has_what_search_engines_need(pages_site):
    html = (pages_site / "trials/allonk-rituximab-rheumatic/index.html").read_text()
    (raw,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(raw)
    assert data["@type"] == "MedicalTrial" and data["@context"] == "https://schema.org"
    for key in ("name", "description", "healthCondition", "phase", "status", "url"):
        assert data.get(key), key
    assert data["url"] == BASE_URL + "trials/allonk-rituximab-rheumatic/" and data["phase"] == "Phase 2"
    assert {c["name"] for c in data["healthCondition"]} >= {"systemic sclerosis", "rheumatoid arthritis"}
    assert "sponsor" not in data, "the example's source names no sponsor: none is made up"
    other = (pages_site / "trials/gout-diet/index.html").read_text()
    data = json.loads(re.findall(r'<script type="application/ld\+json">(.*?)</script>', other, re.S)[0])
    assert data["sponsor"] == {"@type": "Organization", "name": "Gout Research Group"}
    assert data["identifier"] == [{"@type": "PropertyValue", "propertyID": "ClinicalTrials.gov", "value": "NCT01234567"}]
    assert data["status"] == "https://schema.org/Completed"
    assert f'<link rel="canonical" href="{BASE_URL}trials/allonk-rituximab-rheumatic/">' in html
    assert '<meta property="og:title" content="Donor immune cells' in html


def test_json_ld_cannot_be_broken_out_of(tmp_path):
    from project import make_project
    project = make_project(tmp_path, {"content/trials/small-trial/trial.yaml":
                                      TRIAL.replace("in adults.", "in adults. </script><script>alert(1)</script>")})
    assert run_build(project).returncode == 0
    html = (project / "site/trials/small-trial/index.html").read_text()
    (raw,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert "alert(1)" in json.loads(raw)["description"] and "<script>alert" not in html


def test_sitemap_lists_every_page_and_robots_points_to_it(pages_site):
    pages = {p.relative_to(pages_site).as_posix() for p in pages_site.rglob("*.html")
             if "pagefind" not in p.parts and p.name != "404.html"}
    tree = ET.parse(pages_site / "sitemap.xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    listed = {loc.text.removeprefix(BASE_URL) for loc in tree.findall("s:url/s:loc", ns)}
    assert listed == {p.removesuffix("index.html") for p in pages}
    assert f"Sitemap: {BASE_URL}sitemap.xml" in (pages_site / "robots.txt").read_text()


def test_links_are_relative_so_the_site_works_under_any_path(pages_site):
    for path in pages_site.rglob("*.html"):
        if "pagefind" in path.parts or path.name == "404.html":
            continue
        for href in re.findall(r'(?:href|src)="([^"]+)"', path.read_text()):
            assert not href.startswith("/"), f"{path}: {href}"


def test_a_wide_table_scrolls_in_its_own_focusable_box(browser, tmp_path, serve_dir):
    from project import make_project
    row = "| " + " | ".join(f"column {i} with long text" for i in range(12)) + " |\n"
    table = row + "|" + "---|" * 12 + "\n" + row
    project = make_project(tmp_path, {"content/trials/small-trial/sections/01-who.md":
                                      f"---\ntitle: Who\n---\nThe trial takes adults [@reg; @paper].\n\n{table}"})
    assert run_build(project).returncode == 0
    context, page = open_page(browser, serve_dir(project / "site") + "/trials/small-trial/index.html",
                              {"width": 320, "height": 640})
    try:
        box = page.locator(".table-scroll")
        assert box.evaluate("b => b.scrollWidth > b.clientWidth"), "the table is wider than the screen"
        assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
        assert axe_violations(page) == [], format_axe(axe_violations(page))
    finally:
        context.close()
