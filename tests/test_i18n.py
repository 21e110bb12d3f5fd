"""Pages in the languages patients speak (issue 9), on the two-language example in
tests/fixtures/two-languages/ (English and French; 04 and 06 not translated yet, 05 out of date)."""
from __future__ import annotations

import re
import shutil

import pytest
from bs4 import BeautifulSoup

from browser_helpers import axe_violations, format_axe, format_vnu, vnu_errors
from project import ROOT, run_build, write_files
from trialsite import i18n

FIXTURE = ROOT / "tests" / "fixtures" / "two-languages"
SLUG = "allonk-rituximab-rheumatic"
PAGES = ["index.html", f"trials/{SLUG}/index.html", "glossary/index.html", "conditions/index.html",
         "conditions/systemic-sclerosis/index.html", "search/index.html"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    project = tmp_path_factory.mktemp("two-languages")
    shutil.copytree(FIXTURE / "content", project / "content")
    result = run_build(project)
    assert result.returncode == 0, result.stderr
    return project, result


def soup(site, path):
    return BeautifulSoup((site / path).read_text(), "html.parser")


@pytest.mark.parametrize("path", PAGES)
def test_every_page_exists_in_both_languages_and_points_to_the_other(built, path):
    site = built[0] / "site"
    english, french = soup(site, path), soup(site, "fr/" + path)
    assert english.html["lang"] == "en" and french.html["lang"] == "fr"
    for page, here in ((english, path), (french, "fr/" + path)):
        links = {link["hreflang"]: link["href"] for link in page.find_all("link", rel="alternate")}
        assert set(links) == {"en", "fr"}
        for lang, href in links.items():  # relative hrefs land on the right file
            target = (site / here).parent / href
            assert target.resolve() == (site / (path if lang == "en" else "fr/" + path)).resolve()
    switch = french.select_one("nav.languages a")
    assert switch["hreflang"] == "en" and switch.text == "English"
    assert english.select_one("nav.languages a").text == "français"


def test_french_page_is_in_french_with_a_note_where_it_falls_back(built):
    site = built[0] / "site"
    page = soup(site, f"fr/trials/{SLUG}/index.html")
    assert page.h1.text.startswith("Des cellules immunitaires de donneurs")
    assert page.find(id="key-facts-heading").text == "L'essentiel"
    assert "Dernière relecture" in page.text and "1 novembre 2026" in page.text
    measures = page.find(id="measures")
    assert measures["lang"] == "en" and "pas encore traduite" in measures.find(class_="notice").text
    assert measures.find(class_="notice")["lang"] == "fr"
    overview = page.find(id="overview")
    assert not overview.has_attr("lang") and "lymphodéplétion" in overview.text
    assert overview.select_one("dfn.term button").text  # French glossary words are marked
    assert "source" in page.select_one("sup.cite .visually-hidden").text
    assert "Essais clairs" in page.title.text


@pytest.mark.parametrize("missing, note", [
    (["title"], "Le titre n'est pas encore traduit"),
    (["summary"], "Le message principal n'est pas encore traduit"),
    (["title", "summary"], "Le titre et le message principal ne sont pas encore traduits"),
])
def test_an_untranslated_title_or_summary_is_shown_with_a_note(tmp_path, missing, note):
    project = tmp_path / "p"
    shutil.copytree(FIXTURE / "content", project / "content")
    trial_yaml = project / f"content/trials/{SLUG}/trial.yaml"
    lines = trial_yaml.read_text().splitlines(keepends=True)
    start, kept, dropping = lines.index("translations:\n"), [], False
    for line in lines[lines.index("translations:\n"):]:  # drop "    title: ..." and its folded lines
        if line.startswith("    ") and not line.startswith("     "):
            dropping = line.strip().split(":")[0] in missing
        if not dropping:
            kept.append(line)
    if all(line.startswith(("translations:", "  fr:")) for line in kept):
        kept = []  # nothing translated at all: no translations block (an empty one is a mistake)
    trial_yaml.write_text("".join(lines[:start] + kept))
    result = run_build(project)
    assert result.returncode == 0, result.stderr
    page = soup(project / "site", f"fr/trials/{SLUG}/index.html")
    notice = page.h1.find_next_sibling("p")
    assert notice["class"] == ["notice"] and note in notice.text and "anglais" in notice.text
    assert (page.h1.get("lang") == "en") == ("title" in missing)
    assert (page.select_one("#summary p").get("lang") == "en") == ("summary" in missing)
    english = soup(project / "site", f"trials/{SLUG}/index.html")
    assert english.h1.find_next_sibling("p") is None or "notice" not in english.h1.find_next_sibling("p").get("class", [])


def test_search_indexes_each_language_separately(built):
    names = [p.name for p in (built[0] / "site" / "pagefind").iterdir()]
    assert any(n.startswith("pagefind.en_") for n in names) and any(n.startswith("pagefind.fr_") for n in names)


def test_facts_stay_single_sourced(built):
    site = built[0] / "site"
    english, french = soup(site, f"trials/{SLUG}/index.html"), soup(site, f"fr/trials/{SLUG}/index.html")
    for fact in ("92", "18", "AB-101", "rituximab", "cyclophosphamide", "fludarabine"):
        assert fact in english.find(id="key-facts").text and fact in french.text


def test_out_of_date_and_missing_translations_are_reported(built):
    project, result = built
    assert "05-phase-and-size.fr.md:1: warning: this translation may be out of date" in result.stderr
    checked = run_build(project, "check")
    assert 'not translated into "fr" yet: 04-measures.md, 06-what-to-know.md' in checked.stdout
    fixed = re.sub(r"source_hash: \w+", "source_hash: bdabbf12e332",
                   (project / f"content/trials/{SLUG}/sections/05-phase-and-size.fr.md").read_text())
    write_files(project, {f"content/trials/{SLUG}/sections/05-phase-and-size.fr.md": fixed})
    assert "out of date" not in run_build(project, "check").stdout


def test_catalogs_translate_every_interface_text():
    wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in i18n.extract() if m.id}
    assert len(wanted) > 100
    for lang in ("fr", "de", "es"):
        translations = i18n.translations(lang)
        untranslated = [text for text in wanted if translations.gettext(text) == text
                        and not text.startswith("Phase ") and text not in ("Phase", "Sources", "Dates", "Site",
                                                                               "Sponsor", "citation", "source", "Contact", "suggestion", "error",
                                                                               "rituximab",
                                                                               # the same word in French or Spanish
                                                                               "Menu", "%(num)s minute", "No.")]
        assert untranslated == [], f"{lang}: {untranslated[:5]}"


def test_sitemap_lists_every_language(built, tmp_path):
    project = built[0]
    write_files(project, {"content/site.yaml": (project / "content/site.yaml").read_text()
                          + "base_url: https://example.org/\n"})
    assert run_build(project).returncode == 0
    sitemap = (project / "site/sitemap.xml").read_text()
    assert f"https://example.org/trials/{SLUG}/" in sitemap and f"https://example.org/fr/trials/{SLUG}/" in sitemap


def test_a_language_that_does_not_match_is_an_error(tmp_path):
    project = tmp_path / "p"
    shutil.copytree(FIXTURE / "content", project / "content")
    site = (project / "content/site.yaml").read_text().replace("languages: [en, fr]", "languages: [fr, en]")
    write_files(project, {"content/site.yaml": site})
    result = run_build(project)
    assert result.returncode == 1 and 'languages: starts with "fr", but language: is "en"' in result.stderr


def test_translated_pages_pass_axe_and_vnu(built, browser, serve_dir):
    site = built[0] / "site"
    errors = vnu_errors(sorted(site.joinpath("fr").rglob("*.html")))
    assert errors == [], format_vnu(errors)
    url = serve_dir(site)
    for path in PAGES[:3]:
        for scheme in ("light", "dark"):
            context = browser.new_context(color_scheme=scheme)
            page = context.new_page()
            page.goto(f"{url}/fr/{path}")
            violations = axe_violations(page)
            context.close()
            assert violations == [], f"fr/{path} ({scheme}):\n{format_axe(violations)}"


def test_translations_get_the_checks_that_work_in_their_language(tmp_path):
    project = tmp_path / "p"
    shutil.copytree(FIXTURE / "content", project / "content")
    path = f"content/trials/{SLUG}/sections/01-overview.fr.md"
    hard = ("Les investigateurs évalueront systématiquement la pharmacocinétique et l'immunogénicité des "
            "administrations intraveineuses répétées concomitantes chez les participants immunodéprimés [@ctis].\n")
    write_files(project, {path: (project / path).read_text() + "\n" + hard + "\nIls sont 40 personnes.\n"})
    out = run_build(project, "check").stdout
    assert f"{path}:25: warning: \"Ils sont 40 personnes.\" gives a number but has no source" in out
    assert f"{path}:5: warning: this section has a reading ease of" in out and "adapted to this language" in out
    assert "30 words" not in out and "plain.passive" not in out


@pytest.mark.parametrize("lang, shown", [("en", "Used on 1,500 trials"), ("fr", "Utilisé sur 1\u202f500 essais")])
def test_the_word_list_counts_thousands_of_trials_in_each_language(tmp_path, monkeypatch, lang, shown):
    """A word used on 1,000 trials or more: the count is written as the reader's language writes
    numbers (it stopped the build when the message wanted a bare number)."""
    from trialsite import render
    from trialsite.pipeline import prepare

    real = render.glossary_usage
    monkeypatch.setattr(render, "glossary_usage", lambda terms, pages: {
        term: {**usage, "more": 1500 - len(usage["trials"])} if usage["trials"] else usage
        for term, usage in real(terms, pages).items()})
    project = tmp_path / "p"
    shutil.copytree(FIXTURE / "content", project / "content")
    result = prepare(project / "content", None)
    assert not result.report.has_errors, result.report.sorted()[:3]
    page = result.output["glossary/index.html" if lang == "en" else "fr/glossary/index.html"].decode()
    assert shown in page.replace("\xa0", "\u202f")
