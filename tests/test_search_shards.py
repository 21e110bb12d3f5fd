"""The search index in shards (issue 22): each shard indexed on its own, an edit re-indexes
only its shard, the result is byte-identical to a build from nothing, and the search page
still finds every trial, in every language, and the edited words (Pagefind in Chromium).

Real sites get one shard per ~64 or more trials (shards.count); here shards.count is made
to give 4 shards to a site of 8 trials, the two-language example copied 8 times."""
from __future__ import annotations

import json
import re
import shutil

import pytest
from playwright.sync_api import expect

from project import ROOT, snapshot
from trialsite import indexer, shards
from trialsite.pipeline import build
from trialsite.search import BackgroundIndex

FIXTURE = ROOT / "tests" / "fixtures" / "two-languages" / "content"
EXAMPLE = "allonk-rituximab-rheumatic"
ANIMALS = ["otter", "badger", "heron", "walrus", "beaver", "falcon", "lobster", "panda"]
SHARDS = 4


def make_site(project):
    """8 trials, each with a word no other trial has, in a section not translated into French
    (so the French page shows it too, marked as English)."""
    shutil.copytree(FIXTURE, project / "content", ignore=shutil.ignore_patterns("trials"))
    for animal in ANIMALS:
        trial = project / "content" / "trials" / f"trial-{animal}"
        shutil.copytree(FIXTURE / "trials" / EXAMPLE, trial)
        measures = trial / "sections" / "04-measures.md"
        measures.write_text(measures.read_text() + f"\nThe team's mascot is a {animal} [@ctis].\n")
    return project


@pytest.fixture
def sharded(monkeypatch):
    monkeypatch.setattr(shards, "count", lambda trials: SHARDS)
    runs = []
    real = indexer.pagefind_command
    monkeypatch.setattr(indexer, "pagefind_command", lambda site, *a, **k: runs.append(site) or real(site, *a, **k))
    return runs


def shard_folders(site):
    """The merged shards the search page lists, and the main one."""
    page = (site / "search/index.html").read_text()
    listed = re.search(r'data-shards="([^"]*)"', page).group(1).split()
    return ["pagefind/"] + [path.removeprefix("../") for path in listed]


def test_each_shard_holds_its_own_trials_and_an_edit_reindexes_one(tmp_path, sharded):
    project = make_site(tmp_path / "p")
    content, site = project / "content", project / "site"
    assert not build(content, None, site).report.has_errors
    groups = shards.by_shard([f"trial-{a}" for a in ANIMALS], SHARDS)
    assert len(groups) > 1 and len(sharded) == len(groups), "one Pagefind run per shard that has trials"
    folders = shard_folders(site)
    assert len(folders) == len(groups)
    for folder, slugs in zip(folders, groups.values()):
        entry = json.loads((site / folder / "pagefind-entry.json").read_text())
        assert {lang: info["page_count"] for lang, info in entry["languages"].items()} == \
            {"en": len(slugs), "fr": len(slugs)}, f"{folder} indexes its own trials, in both languages"
        assert (site / folder / "pagefind.js").is_file() == (folder == "pagefind/"), \
            "only the main shard carries Pagefind's scripts"

    sharded.clear()
    measures = content / "trials/trial-heron/sections/04-measures.md"
    measures.write_text(measures.read_text() + "\nA pelican came to visit [@ctis].\n")
    assert not build(content, None, site).report.has_errors
    assert len(sharded) == 1, "the edit re-indexed one shard"
    warm = snapshot(site)
    assert not build(content, None, project / "cold", use_cache=False).report.has_errors
    assert snapshot(project / "cold") == warm, "byte-identical to a build from nothing, every shard included"

    sharded.clear()
    assert not build(content, None, site).report.has_errors
    assert sharded == [] and snapshot(site) == warm, "nothing edited: no shard indexed again"


def test_the_preview_makes_the_same_shards_and_reindexes_only_the_changed_one(tmp_path, sharded):
    project = make_site(tmp_path / "p")
    site = project / "site"
    assert not build(project / "content", None, site).report.has_errors
    built = snapshot(site)
    pages = {path: data for path, data in built.items() if shards.slug_of(path)}
    sharded.clear()
    index = BackgroundIndex(delay=0.0)
    try:
        index.request(pages)
        assert wait_until(lambda: index.runs == 1)
        assert index.files == {path: data for path, data in built.items() if path.startswith("pagefind/")}, \
            "the preview's shards are the build's, byte for byte"
        indexed = len(sharded)
        page = "trials/trial-otter/index.html"
        index.request({**pages, page: pages[page].replace(b"mascot is a otter", b"mascot is a pelican")})
        assert wait_until(lambda: index.runs == 2)
        assert len(sharded) == indexed + 1, "one shard indexed again"
    finally:
        index.stop()


def wait_until(condition, seconds=60):
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_search_finds_every_trial_in_every_language_and_the_edited_words(tmp_path, sharded, page, serve_dir):
    project = make_site(tmp_path / "p")
    content, site = project / "content", project / "site"
    assert not build(content, None, site).report.has_errors
    measures = content / "trials/trial-heron/sections/04-measures.md"
    measures.write_text(measures.read_text() + "\nA pelican came to visit [@ctis].\n")
    assert not build(content, None, site).report.has_errors
    url = serve_dir(site)
    page.set_default_timeout(15_000)
    for prefix in ("", "fr/"):
        page.goto(f"{url}/{prefix}search/index.html")
        for animal in [*ANIMALS, "pelican"]:
            page.fill(".pagefind-ui__search-input", animal)
            shown = "heron" if animal == "pelican" else animal
            expect(page.locator("#search-status")).to_have_text(re.compile(r"^1\b"))  # shards without the word add none
            first = page.locator(".pagefind-ui__result").first.locator(".pagefind-ui__result-link").first
            expect(first).to_have_attribute("href", re.compile(rf"^/{prefix}trials/trial-{shown}/index\.html$"))
        page.fill(".pagefind-ui__search-input", "mascot")
        expect(page.locator(".pagefind-ui__message")).to_have_text(re.compile(r"\b8\b"))


# Every page the search lists (not only the first few the interface shows): from the module
# Pagefind's interface searches with, once the interface has loaded it.
ALL_RESULTS = """async (term) => {
  const script = document.querySelector('script[src$="assets/search.js"]');
  const search = await import(new URL("shards/pagefind.js", script.src).href);
  const found = await search.search(term, {});
  return Promise.all(found.results.map(async (result) => (await result.data()).url));
}"""


def listed(page, url, term):
    page.goto(url)
    page.fill(".pagefind-ui__search-input", term)
    expect(page.locator("#search-status")).to_have_text(re.compile(r"^\d+ \S+$"))  # "8 results", "1 résultat"
    return sorted(page.evaluate(ALL_RESULTS, term))


def test_search_over_shards_lists_what_one_index_lists(tmp_path, sharded, monkeypatch, page, serve_dir):
    """A shard with no word starting with a search word drops that word (Pagefind): without
    shards/pagefind.js, "otter mascot" listed the otter trial and every trial of the shards
    without "otter". One index drops a word only when no page has it ("mascot zzqx")."""
    project = make_site(tmp_path / "p")
    assert not build(project / "content", None, project / "site").report.has_errors
    assert len(shard_folders(project / "site")) > 2
    monkeypatch.setattr(shards, "count", lambda trials: 1)
    assert not build(project / "content", None, project / "one", use_cache=False).report.has_errors
    assert shard_folders(project / "one") == ["pagefind/"]
    sharded_url, one_url = serve_dir(project / "site"), serve_dir(project / "one")
    page.set_default_timeout(15_000)
    expected = {"otter mascot": ["otter"], "otter badger": [], "zzqx": [], "mascot zzqx": ANIMALS}
    for prefix in ("", "fr/"):
        for term, animals in expected.items():
            one = listed(page, f"{one_url}/{prefix}search/index.html", term)
            assert one == sorted(f"/{prefix}trials/trial-{a}/index.html" for a in animals), (prefix, term)
            assert listed(page, f"{sharded_url}/{prefix}search/index.html", term) == one, (prefix, term)


def test_a_broken_search_worker_says_search_is_unavailable(tmp_path, sharded, page, serve_dir):
    project = make_site(tmp_path / "p")
    site = project / "site"
    assert not build(project / "content", None, site).report.has_errors
    (site / "pagefind" / "pagefind-worker.js").write_text("throw new Error('broken');\n")
    page.set_default_timeout(15_000)
    page.goto(serve_dir(site) + "/search/index.html")
    page.fill(".pagefind-ui__search-input", "otter")
    unavailable = page.locator("#search").get_attribute("data-unavailable")
    expect(page.locator("#search-status")).to_have_text(unavailable)
    expect(page.locator("#search-message")).to_be_visible()
    expect(page.locator("#search-message")).to_contain_text(unavailable)


def test_every_language_s_trial_pages_are_indexed_and_nothing_else():
    assert [shards.slug_of(p) for p in ("trials/a/index.html", "fr/trials/b/index.html", "pt-BR/trials/c/index.html")] \
        == ["a", "b", "c"]
    assert not any(shards.slug_of(p) for p in ("index.html", "trials/a/x.html", "conditions/gout/index.html",
                                               "page/2/index.html", "a/b/trials/c/index.html"))


def test_shards_grow_with_the_site_and_keep_their_trials():
    assert [shards.count(n) for n in (1, 90, 1000, 10000)] == [1, 1, 16, 64]
    before = shards.by_shard([f"t{i}" for i in range(1000)])
    after = shards.by_shard([f"t{i}" for i in range(1001)])  # one trial more: the others stay put
    assert all(set(slugs) <= set(after[n]) for n, slugs in before.items())
