"""Long lists in pages (render.paginate): the home page and each illness's page show
CARDS_PER_PAGE trials, with links to the other pages, so a site of thousands of trials does
not send a phone megabytes of cards. Here a page holds one trial, so four trials make four pages."""
from __future__ import annotations

import re
import shutil

import pytest

from browser_helpers import axe_violations, format_axe, format_vnu, vnu_errors
from project import build_in_process
from test_browser_pages import BASE_URL, PHONE, make_pages_project
from trialsite import render
from trialsite.render import paginate


def test_paginate_splits_a_list_and_links_first_last_and_neighbours():
    pages = paginate(list(range(1001)), "conditions/gout/")
    assert len(pages) == 11 and [len(shown) for shown, _ in pages] == [100] * 10 + [1]
    assert sum((shown for shown, _ in pages), []) == list(range(1001))
    first, fifth, last = pages[0][1], pages[4][1], pages[10][1]
    assert first["path"] == "conditions/gout/index.html" and fifth["path"] == "conditions/gout/page/5/index.html"
    assert (fifth["first"], fifth["last"], fifth["total"]) == (401, 500, 1001) and (last["first"], last["last"]) == (1001, 1001)
    assert [link and link["number"] for link in fifth["links"]] == [1, None, 3, 4, 5, 6, 7, None, 11]
    assert [link["number"] for link in fifth["links"] if link and link["current"]] == [5]
    assert first["previous"] is None and fifth["previous"] == "conditions/gout/page/4/index.html"
    assert last["next"] is None and fifth["next"] == "conditions/gout/page/6/index.html"
    only, = paginate([1, 2], "")
    assert only[1]["count"] == 1 and only[1]["path"] == "index.html" and only[0] == [1, 2]
    assert paginate([], "")[0][1]["count"] == 1  # an empty site still has a home page


def build(project, monkeypatch, *args):
    monkeypatch.setattr(render, "CARDS_PER_PAGE", 1)
    code, text = build_in_process(project, *args)
    assert code == 0, text
    return project / "site"


@pytest.fixture
def paged_site(tmp_path, monkeypatch):
    project = make_pages_project(tmp_path / "paged")
    return project, build(project, monkeypatch)


def cards(page) -> list[str]:
    return re.findall(r'<li class="card".*?href="[./]*trials/([^/]+)/index\.html"', page.read_text(), re.S)


def test_long_lists_are_split_into_linked_pages(paged_site):
    project, site = paged_site
    home = [site / "index.html"] + [site / f"page/{n}/index.html" for n in (2, 3, 4)]
    assert not (site / "page/5").exists() and not (site / "page/1").exists()
    shown = [slug for page in home for slug in cards(page)]
    assert sorted(shown) == sorted(p.name for p in (project / "content/trials").iterdir()), "each trial once"
    for page in home:
        text = page.read_text()
        assert 'id="filters"' not in text and "filter.js" not in text, "filters would only see one page's trials"
        assert "<h2 class=\"count\"" in text and ">4 trials<" in text
        for target in re.findall(r'<nav class="pager".*?</nav>', text, re.S)[0].split('href="')[1:]:
            assert (page.parent / target.split('"')[0]).resolve().is_file(), (page, target)
    assert 'class="browse"' in home[0].read_text() and 'class="lead"' in home[0].read_text()
    assert all('class="browse"' not in page.read_text() for page in home[1:]), "the illness list only on page 1"
    page3 = (site / "page/3/index.html").read_text()
    assert "<title>Page 3 of 4 – " in page3 and 'aria-current="page">3<' in page3 and 'rel="prev"' in page3
    assert "Trials 3 to 3, on page 3 of 4." in page3
    lupus = [site / "conditions/lupus/index.html", site / "conditions/lupus/page/2/index.html"]
    assert sorted(slug for page in lupus for slug in cards(page)) == ["lupus-cells", "lupus-walk"]
    assert "<title>Page 2 of 2 – Trials for lupus" in lupus[1].read_text()
    sitemap = (site / "sitemap.xml").read_text()
    assert f"<loc>{BASE_URL}page/4/</loc>" in sitemap and f"<loc>{BASE_URL}conditions/lupus/page/2/</loc>" in sitemap


def test_a_card_is_made_once_and_placed_at_any_depth(paged_site, monkeypatch):
    """Cards are kept with a mark where the address prefix goes (render.BASE_MARK). A title that
    holds the mark's own characters is shown as written, not taken for the mark."""
    project, site = paged_site
    trial = project / "content/trials/gout-diet/trial.yaml"
    trial.write_text(trial.read_text().replace("title: ", "title: Diet <\ue000> and \ue000 ", 1))
    build(project, monkeypatch)
    for page in [site / "index.html", *site.glob("page/*/index.html"), *site.glob("conditions/gout/index.html")]:
        text = page.read_text()
        for target in re.findall(r'<li class="card".*?href="([^"]+)"', text, re.S):
            assert (page.parent / target).resolve().is_file(), (page, target)
    shown = [p.read_text() for p in [site / "index.html", *site.glob("page/*/index.html")]]
    assert sum("Diet &lt;\ue000&gt; and \ue000 " in text for text in shown) == 1


def test_a_list_that_gets_shorter_loses_its_extra_pages(paged_site, monkeypatch):
    project, site = paged_site
    for slug in ("gout-diet", "lupus-walk"):
        shutil.rmtree(project / "content/trials" / slug)
    build(project, monkeypatch)  # a warm build: the cache and the reused folder must not keep old pages
    assert (site / "page/2/index.html").is_file() and not (site / "page/3").exists()
    assert not (site / "conditions/lupus/page").exists() and not (site / "conditions/gout").exists()
    assert "page/3/" not in (site / "sitemap.xml").read_text()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_paged_lists_are_accessible_and_valid(browser, serve_dir, paged_site, scheme):
    _, site = paged_site
    url = serve_dir(site)
    for path in ("/page/2/index.html", "/conditions/lupus/index.html"):
        context = browser.new_context(viewport=PHONE, color_scheme=scheme)
        page = context.new_page()
        try:
            page.goto(url + path)
            page.locator(".pager a[rel=next], .pager a[rel=prev]").first.focus()
            violations = axe_violations(page)
            assert violations == [], f"{path} ({scheme}):\n{format_axe(violations)}"
            box = page.locator(".pager a").first.bounding_box()
            assert box and box["height"] >= 44 and box["width"] >= 44, "page links are easy to tap"
        finally:
            context.close()
    if scheme == "light":
        paged = sorted(site.glob("page/*/index.html")) + sorted(site.glob("conditions/*/page/*/index.html"))
        assert len(paged) == 4
        errors = vnu_errors(paged + [site / "index.html"])
        assert errors == [], format_vnu(errors)
