"""End to end: the example content builds, and the pages hold what readers need (parsed HTML)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from project import ROOT, run_build, snapshot

SLUG = "allonk-rituximab-rheumatic"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("example") / "site"
    result = run_build(ROOT, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "python build.py serve" in result.stdout  # tells the editor how to preview
    return out


@pytest.fixture(scope="module")
def trial_page(built) -> BeautifulSoup:
    return BeautifulSoup((built / f"trials/{SLUG}/index.html").read_text(), "html.parser")


@pytest.fixture(scope="module")
def facts() -> dict:
    return yaml.safe_load((ROOT / f"content/trials/{SLUG}/trial.yaml").read_text())


def test_all_pages_exist(built):
    for name in ["index.html", f"trials/{SLUG}/index.html", "glossary/index.html", "404.html", "assets/style.css"]:
        assert (built / name).is_file(), name


def test_citations_are_numbered_and_link_to_sources(trial_page):
    refs = trial_page.select("sup.cite a.cite-ref")
    assert refs, "the example cites its source"
    ids = [a["id"] for a in refs]
    assert len(ids) == len(set(ids)), "every citation place has its own id"
    sources = trial_page.select("ol.sources > li")
    numbers = {a["href"] for a in refs}
    assert numbers == {f"#source-{i}" for i in range(1, len(sources) + 1)}
    for a in refs:
        assert a.get_text() == "source " + a["href"].rsplit("-", 1)[1]
        assert trial_page.select_one(a["href"]) is not None


def test_every_citation_has_a_back_link_and_back(trial_page):
    refs = {a["id"] for a in trial_page.select("a.cite-ref")}
    back = {a["href"][1:] for a in trial_page.select("ol.sources a.backlink")}
    assert refs == back


def test_sources_list_title_publisher_link_and_date(trial_page, facts):
    entry = trial_page.select_one("#source-1")
    source = facts["sources"]["ctis"]
    assert source["title"] in entry.get_text()
    assert source["publisher"] in entry.get_text()
    assert entry.select_one("a.source-url")["href"] == source["url"]
    assert "1 October 2026" in entry.get_text()


def test_table_of_contents_points_at_every_section(trial_page):
    links = [a["href"] for a in trial_page.select("#contents a")]
    sections = ROOT / f"content/trials/{SLUG}/sections"
    titles = [yaml.safe_load(p.read_text().split("---")[1])["title"] for p in sorted(sections.glob("*.md"))]
    headings = [trial_page.select_one(h)["id"] for h in links]
    assert len(headings) == len(titles) + 3  # can I take part, key facts + sections + sources (no places)
    assert links[:2] == ["#take-part", "#key-facts"]
    shown = [trial_page.select_one(f"{h} h2").get_text() for h in links[2:-1]]
    assert shown == titles


def test_summary_first_and_key_facts(trial_page, facts):
    main = trial_page.select_one("main")
    assert main.select("h1")[0].get_text().startswith(facts["title"])
    assert len(trial_page.select("h1")) == 1
    summary = main.select_one("#summary")
    assert summary.find_previous("section") is None, "the main message comes before every other section"
    key_facts = main.select_one("#key-facts").get_text(" ", strip=True)
    assert f"{facts['enrollment']['count']} people (planned)" in key_facts
    assert "Allowed to start" in key_facts and "regulator" in key_facts  # status in plain words
    assert "Approved" not in key_facts  # a patient would read it as "the medicine is approved"
    assert "Phase 2" in key_facts
    for intervention in facts["interventions"]:
        assert intervention["name"] in key_facts


def test_facts_in_sections_come_from_trial_yaml(trial_page, facts):
    text = trial_page.select_one("main").get_text(" ")
    assert "{{" not in text and "[@" not in text
    assert str(facts["enrollment"]["count"]) in trial_page.select_one("#phase-and-size").get_text()


def test_disclaimer_contact_and_review_date_on_every_page(built):
    site = yaml.safe_load((ROOT / "content/site.yaml").read_text())
    for page in built.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(), "html.parser")
        footer = soup.select_one("footer").get_text(" ", strip=True)
        assert " ".join(site["disclaimer"].split()) in footer, page
        assert soup.select_one(f'footer a[href="mailto:{site["publisher"]["contact_email"]}"]'), page
    trial = (built / f"trials/{SLUG}/index.html").read_text()
    assert "Last reviewed" in trial and "1 November 2026" in trial


def test_home_page_cards(built, facts):
    soup = BeautifulSoup((built / "index.html").read_text(), "html.parser")
    card = soup.select_one(".card")
    assert card.select_one("a")["href"] == f"trials/{SLUG}/index.html"
    assert "Allowed to start" in card.get_text() and "Phase 2" in card.get_text()


def test_glossary_lists_every_term_with_an_anchor(built):
    glossary = yaml.safe_load((ROOT / "content/glossary.yaml").read_text())
    soup = BeautifulSoup((built / "glossary/index.html").read_text(), "html.parser")
    shown = [dfn.get_text() for dfn in soup.select("dl.glossary dfn")]
    assert sorted(shown, key=str.casefold) == shown
    assert set(shown) == set(glossary)
    assert all(div.get("id", "").startswith("term-") for div in soup.select("dl.glossary > div"))


def test_no_third_party_requests(built):
    for page in built.rglob("*.html"):
        html = page.read_text()
        for url in re.findall(r'(?:src|href)="([^"]+)"', html):
            if re.match(r"https?://", url):
                assert not re.search(r"<(script|link|img)[^>]+" + re.escape(url), html), url


def test_two_builds_are_byte_identical(built, tmp_path):
    again = tmp_path / "site"
    assert run_build(ROOT, "--out", str(again)).returncode == 0
    assert snapshot(again) == snapshot(built)
