"""Link integrity (issue 7): links an editor writes to this site must lead to a page and anchor
that exist; links made by the templates too; links to other websites are listed, never fetched."""
from __future__ import annotations

import json

import pytest

from linkcheck_helpers import broken_links
from project import ROOT, SECTION_1, TRIAL, make_project, run_build, snapshot, write_files

SECTION = "content/trials/small-trial/sections/01-who.md"


def section(body: str) -> str:
    return f"---\ntitle: Who is studied\n---\n{body}"


@pytest.mark.parametrize("link", [
    "../other-trial/index.html", "../other-trial/", "../other-trial/#about", "#sources", "#source-1",
    "../../glossary/index.html#term-intravenous", "../../conditions/", "../../search/index.html",
    "../../index.html", "../../conditions/rheumatoid-arthritis/index.html",
])
def test_links_that_lead_somewhere_build(tmp_path, link):
    project = make_project(tmp_path, {
        SECTION: section(f"See [this page]({link}) [@reg].\nThey have a disease [@paper].\n"),
        "content/trials/other-trial/trial.yaml": TRIAL.replace("A small test trial", "Another trial"),
        "content/trials/other-trial/sections/01-about.md": "---\ntitle: About\n---\nText [@reg; @paper].\n"})
    result = run_build(project)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("link, problem", [
    ("../nope/index.html", "points to a page that does not exist"),
    ("../../glossary/index.html#term-nope", 'points to "#term-nope", which is not on that page'),
    ("#nowhere", 'points to "#nowhere"'),
    ("../../../../outside.html", "points outside the site"),
    ("picture.png", "points to a page that does not exist"),
])
def test_broken_links_stop_the_build_with_file_and_line(good_site, tmp_path, link, problem):
    project = make_project(tmp_path, {SECTION: section(f"Text [@reg; @paper].\n\nSee [it]({link}) or ![a]({link}).\n")})
    (project / "site").mkdir(exist_ok=True)
    before = snapshot(project / "site")
    result = run_build(project)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{SECTION}:6: the link \"{link}\" {problem}" in result.stderr
    assert snapshot(project / "site") == before


def test_links_inside_code_are_not_links(tmp_path):
    project = make_project(tmp_path, {SECTION: section("Text [@reg; @paper].\n\n```\n[x](../nope/)\n```\n")})
    assert run_build(project).returncode == 0


def test_check_lists_links_to_other_websites_without_fetching(tmp_path):
    project = make_project(tmp_path, {SECTION: SECTION_1 + "\nMore at [the registry](https://example.org/more) [@reg].\n"})
    text = run_build(project, "check", "--links").stdout
    assert f"{SECTION}:7: https://example.org/more" in text
    assert "content/trials/small-trial/trial.yaml:21: https://example.org/reg" in text  # a source
    found = json.loads(run_build(project, "check", "--links", "--format", "json").stdout)
    assert {"path": SECTION, "line": 7, "url": "https://example.org/more"} in found["links"]
    assert "links" not in json.loads(run_build(project, "check", "--format", "json").stdout)


def test_every_link_the_templates_make_resolves(example_site, tmp_path):
    assert broken_links(example_site) == []
    project = make_project(tmp_path, {
        "content/trials/other-trial/trial.yaml": TRIAL.replace("rheumatoid arthritis", "Sjögren's disease"),
        "content/trials/other-trial/sections/01-about.md": "---\ntitle: About\n---\nText [@reg; @paper].\n"})
    write_files(project, {"content/site.yaml": (project / "content/site.yaml").read_text() +
                          "base_url: https://example.org/trials/\n"})
    assert run_build(project).returncode == 0
    assert broken_links(project / "site") == []
    pages = list((project / "site").rglob("*.html"))
    assert len(pages) == 9 and any("sjogrens-disease" in str(p) for p in pages)


def test_links_in_translated_sections_are_checked_from_their_own_page(tmp_path):
    import shutil
    project = tmp_path / "project"
    shutil.copytree(ROOT / "tests/fixtures/two-languages", project)
    sections = project / "content/trials/allonk-rituximab-rheumatic/sections"
    french, english = sections / "02-who.fr.md", sections / "04-measures.md"  # 04 has no French: shown in English
    french.write_text(french.read_text() + "\nVoir [le lexique](../../glossary/) et [rien](../nope/) [@ctis].\n")
    link_line = english.read_text().count("\n") + 2  # after the blank line written before it
    english.write_text(english.read_text() + "\nSee [the list](../../glossary/#nowhere) [@ctis].\n")
    result = run_build(project)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    who = "content/trials/allonk-rituximab-rheumatic/sections/02-who.fr.md:16"
    assert result.stderr.count(f'{who}: the link "../nope/" points to a page that does not exist') == 1
    assert "../../glossary/\" points" not in result.stderr  # fr/glossary/ exists
    measures = f"content/trials/allonk-rituximab-rheumatic/sections/04-measures.md:{link_line}"
    assert result.stderr.count(f'{measures}: the link "../../glossary/#nowhere" points to "#nowhere"') == 1


def test_every_link_the_templates_make_resolves_in_every_language(tmp_path):
    import shutil
    project = tmp_path / "project"
    shutil.copytree(ROOT / "tests/fixtures/two-languages", project)
    assert run_build(project).returncode == 0
    pages = list((project / "site").rglob("*.html"))
    assert any(p.relative_to(project / "site").parts[0] == "fr" for p in pages)
    assert broken_links(project / "site") == []
