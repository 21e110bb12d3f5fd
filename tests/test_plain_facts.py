"""Plain facts (issue 18): every fact a reader sees is in plain words, cited, explained,
checked at its file and line, and in the reader's language."""
from __future__ import annotations

import json
import pickle
import re
import shutil

import pytest
import yaml
from bs4 import BeautifulSoup

from project import ROOT, make_project, run_build, write_files
from trialsite import i18n, reading, words
from trialsite.yamlfile import parse_yaml
from trialsite.diagnostics import Report
from trialsite.wording import Wording, in_language, normalize

SLUG = "allonk-rituximab-rheumatic"
FIXTURE = ROOT / "tests/fixtures/two-languages"
JARGON = yaml.safe_load((ROOT / "trialsite/data/jargon.yaml").read_text())["words"]


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    out = tmp_path_factory.mktemp("example") / "site"
    result = run_build(ROOT, "--out", str(out), "--no-cache")
    assert result.returncode == 0, result.stderr
    return out


def soup(path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def box_text(box) -> str:
    """What a reader reads in the box: no official terms, no pop-up definitions, no citation marks."""
    box = BeautifulSoup(str(box), "html.parser")
    for hidden in box.select(".official, .term-def, sup.cite, h2"):
        hidden.decompose()
    items = [li.get_text(" ", strip=True) for li in box.select("li")]
    for li in box.select("li"):
        li.decompose()
    items += [dd.get_text(" ", strip=True) for dd in box.select("dd")]
    return " ".join(t if t.endswith((".", "!", "?")) else t + "." for t in items if t)


def test_key_facts_read_at_the_target_grade(example):
    box = soup(example / f"trials/{SLUG}/index.html").select_one("#key-facts")
    text = box_text(box)
    assert "Looking" in text or "Allowed to start" in text
    grade = reading.grade(text)
    assert grade <= 8, f"key facts read at grade {grade}: {text}"


def test_hard_words_in_key_facts_are_explained_or_official(example):
    page = soup(example / f"trials/{SLUG}/index.html")
    glossary_words = set(yaml.safe_load((ROOT / "content/glossary.yaml").read_text()))
    hard = {w.lower() for w in JARGON} | {w.lower() for w in glossary_words}
    box = page.select_one("#key-facts")
    for popup in box.select(".term-def"):
        popup.decompose()
    # A word marked before the box (in the main message or "Can I take part?") is not marked
    # again: first use only.
    before = {b.get_text(strip=True).lower() for b in page.select("#summary dfn.term button, #take-part dfn.term button")}
    unexplained = []
    for node in box.find_all(string=True):
        text = node.lower()
        for word in hard:
            if word in before or not re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text):
                continue
            parents = [p for p in node.parents]
            if any(p.name == "dfn" or "official" in (p.get("class") or []) for p in parents):
                continue
            link = next((p for p in parents if p.name == "a"), None)
            if link is not None and "conditions/" in link.get("href", ""):
                target = (example / f"trials/{SLUG}" / link["href"]).resolve()
                if "What is" in soup(target).select_one(".what-is").get_text():
                    continue  # the illness's own page opens with its definition
            unexplained.append((word, str(node)))
    assert unexplained == []


def test_every_fact_row_cites_a_source_that_exists(example):
    page = soup(example / f"trials/{SLUG}/index.html")
    rows = page.select("#key-facts dl > div")
    assert len(rows) >= 8
    for row in rows:
        links = row.select("sup.cite a.cite-ref")
        assert links, row.dt.get_text(strip=True)
        for link in links:
            target = page.find(id=link["href"][1:])
            assert target is not None and target.name == "li"
            # and the source lists its way back to this row
            assert target.find("a", href=f"#{link['id']}") is not None


def test_official_words_one_line_away_with_their_class(example):
    page = soup(example / f"trials/{SLUG}/index.html")
    official = [o.get_text(" ", strip=True) for o in page.select("#key-facts .official")]
    assert "Official term: dose-limiting toxicities" in official
    assert "Official term: idiopathic inflammatory myopathies" in official
    assert "Approved" not in page.select_one("#key-facts").get_text()


def test_abbreviation_and_long_form_are_one_entry_each_marked(example):
    page = soup(example / f"trials/{SLUG}/index.html")
    marked = [d.get_text(" ", strip=True) for d in page.select("dfn.term button")]
    assert "MTD" in marked and "maximum tolerated dose" in marked
    abbr = page.select_one('dfn.term abbr[title="maximum tolerated dose"]')
    assert abbr is not None and abbr.get_text() == "MTD"
    # both open the same entry of the word list
    targets = {b["popovertarget"] for b in page.select("dfn.term button") if b.get_text(strip=True) in
               ("MTD", "maximum tolerated dose")}
    assert targets == {"gl-maximum-tolerated-dose"}
    entry = soup(example / "glossary/index.html").select_one("#term-maximum-tolerated-dose dt")
    assert "(MTD)" in entry.get_text()


def test_condition_page_says_what_the_illness_is(example):
    what = soup(example / "conditions/myositis/index.html").select_one(".what-is")
    assert what.get_text(" ", strip=True).startswith("What is myositis? A group of diseases")


# --- check: every string at its file and line ------------------------------------------------

def check_json(project) -> dict:
    result = run_build(project, "check", "--format", "json")
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout)


def findings(data, path_end: str) -> list[dict]:
    return [f for file in data["files"] if file["path"].endswith(path_end) for f in file["findings"]]


def test_jargon_in_facts_is_reported_at_its_line(tmp_path):
    trial = (ROOT / "tests/project.py").read_text()  # the tiny project's trial, with hard facts added
    project = make_project(tmp_path, {"content/trials/small-trial/trial.yaml": None})
    from project import TRIAL
    text = TRIAL.replace("  - name: rheumatoid arthritis\n    abbr: RA\n",
                         "  - name: rheumatoid arthritis\n    abbr: RA\n"
                         "  - name:\n      official: idiopathic inflammatory myopathies\n")
    text += ("outcomes:\n  primary:\n    - measure: dose-limiting toxicities in subjects\n"
             "      time_frame: up to the MTD\n")
    write_files(project, {"content/trials/small-trial/trial.yaml": text})
    lines = text.split("\n")
    measure = next(i for i, l in enumerate(lines, 1) if "dose-limiting" in l)
    official = next(i for i, l in enumerate(lines, 1) if "official: idiopathic" in l)
    data = check_json(project)
    found = findings(data, "small-trial/trial.yaml")
    by = {(f["code"], f["line"]) for f in found}
    assert ("plain.jargon", measure) in by  # "toxicities" / "subjects"
    assert ("plain.abbreviation", measure + 1) in by  # MTD, unexplained
    assert ("plain.official-only", official) in by
    messages = [f["message"] for f in found if f["line"] == measure]
    assert any('"subjects"' in m and '"people"' in m for m in messages)
    assert trial  # the file read above exists


def test_glossary_and_site_texts_are_checked_at_their_lines(tmp_path):
    project = make_project(tmp_path, {
        "content/glossary.yaml": "intravenous:\n  definition: Given into a vein.\nMTD:\n  stands_for: maximum"
                                 " tolerated dose\n  definition: The highest dose that subjects tolerated.\n"
                                 "maximum tolerated dose:\n  definition: The highest dose that subjects tolerated.\n",
        "content/site.yaml": (ROOT / "tests/project.py").read_text().split('SITE = """\\\n')[1].split('"""')[0]
        .replace("disclaimer: This page explains research. It is not medical advice.",
                 "disclaimer: This page explains research. Consult the investigator prior to enrolment.")})
    data = check_json(project)
    glossary = findings(data, "content/glossary.yaml")
    assert {(f["code"], f["line"]) for f in glossary} >= {("plain.jargon", 5), ("glossary.same-definition", 6)}
    site = findings(data, "content/site.yaml")
    assert any(f["code"] == "plain.jargon" and f["line"] == 8 and '"prior to"' in f["message"] for f in site)


# --- languages --------------------------------------------------------------------------------

def fully_translated(tmp_path):
    project = tmp_path / "p"
    shutil.copytree(FIXTURE / "content", project / "content")
    sections = project / f"content/trials/{SLUG}/sections"
    for name in ("04-measures.md", "06-what-to-know.md"):  # not translated yet in the fixture
        (sections / name).unlink()
    fr = sections / "05-phase-and-size.fr.md"  # out of date in the fixture
    fr.write_text(re.sub(r"source_hash: \w+", "source_hash: bdabbf12e332", fr.read_text()))
    return project


def i18n_findings(data) -> list[dict]:
    return [f for file in data["files"] for f in file["findings"] if f["code"].startswith("i18n.")]


def test_fully_translated_site_has_no_translation_findings(tmp_path):
    project = fully_translated(tmp_path)
    assert i18n_findings(check_json(project)) == []


def test_one_untranslated_fact_is_listed_at_its_line(tmp_path):
    project = fully_translated(tmp_path)
    trial = project / f"content/trials/{SLUG}/trial.yaml"
    text = trial.read_text()
    text = text.replace("      fr: myosite\n", "", 1)
    text = re.sub(r"source_hash: \w+", "source_hash: " + _fingerprint(text, project), text)
    trial.write_text(text)
    line = next(i for i, l in enumerate(text.split("\n"), 1) if "plain: myositis" in l)
    found = i18n_findings(check_json(project))
    assert [(f["code"], f["line"]) for f in found] == [("i18n.missing", line)], found
    assert "conditions[2].name" in found[0]["message"]


def _fingerprint(text: str, project) -> str:
    from trialsite.textchecks import fingerprint
    from trialsite.validate import Trial
    doc = parse_yaml(text, "trial.yaml", Report())
    facts = normalize(dict(doc.data), doc, "en")
    return fingerprint(Trial(SLUG, "trial.yaml", facts, doc, {}, (), None))


def test_changed_facts_make_their_translation_out_of_date(tmp_path):
    project = fully_translated(tmp_path)
    trial = project / f"content/trials/{SLUG}/trial.yaml"
    trial.write_text(trial.read_text().replace("plain: myositis", "plain: muscle disease (myositis)"))
    found = i18n_findings(check_json(project))
    assert [f["code"] for f in found] == ["i18n.outdated"]
    assert "source_hash:" in found[0]["message"]


def test_french_page_has_no_english_fact_outside_lang_en(tmp_path):
    project = tmp_path / "p"
    shutil.copytree(FIXTURE / "content", project / "content")
    assert run_build(project).returncode == 0
    facts = yaml.safe_load((project / f"content/trials/{SLUG}/trial.yaml").read_text())
    english = set()

    def collect(value, key=""):
        if isinstance(value, dict):
            for k, v in value.items():
                if k in ("plain", "official") and isinstance(v, str):
                    english.add(v)
                else:
                    collect(v, k)
        elif isinstance(value, list):
            for v in value:
                collect(v, key)
        elif isinstance(value, str) and key in ("measure", "time_frame", "role", "description", "condition"):
            english.add(value)

    collect({k: facts[k] for k in ("conditions", "outcomes", "written_by", "reviewed_by")})
    collect([{k: v for k, v in i.items() if k != "name"} for i in facts["interventions"]])
    page = soup(project / f"site/fr/trials/{SLUG}/index.html")
    outside = []
    for part in ("#key-facts", "#about-page"):
        for node in page.select_one(part).find_all(string=True):
            for text in english:
                if len(text) > 3 and text in node and not any(p.get("lang") == "en" for p in node.parents
                                                                if p.name != "html"):
                    outside.append(text)
    assert outside == []
    assert "Terme officiel" in page.select_one("#key-facts").get_text()
    assert "l'équipe de rédaction de Clear Trials" in page.select_one("#about-page").get_text()


def test_status_labels_never_say_approved_in_any_language():
    for lang in ("en", "fr", "de", "es"):
        gettext = i18n.translations(lang).gettext
        for status in ("authorised", "authorized"):
            label, _, meaning = words.STATUS[status]
            shown = (gettext(label) + " " + gettext(meaning)).lower()
            assert not re.search(r"\b(approved|approuvé|zugelassen|aprobado)\b", gettext(label).lower()), shown
            assert gettext(label) != label or lang == "en"
            assert re.search(r"not|pas|nicht|no ", shown)  # says it is not an approval of the medicine


# --- editor slips -----------------------------------------------------------------------------

def test_unclosed_citation_is_an_error_at_its_line(tmp_path):
    from project import SECTION_1
    project = make_project(tmp_path, {"content/trials/small-trial/sections/01-who.md":
                                      SECTION_1.replace("[@reg; @paper].", "[@reg.")})
    result = run_build(project)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert 'sections/01-who.md:5: the citation "[@reg." is not closed' in result.stderr
    assert "[@reg]" in result.stderr


def test_citation_without_at_is_a_warning_at_its_line(tmp_path):
    from project import SECTION_2
    project = make_project(tmp_path, {"content/trials/small-trial/sections/02-plan.md":
                                      SECTION_2 + "Another line [reg\n] and [reg, paper].\nA [link](https://example.org/) stays.\n"})
    result = run_build(project)
    assert result.returncode == 0, result.stderr
    assert "sections/02-plan.md:6: warning: \"[reg ]\" shows on the page as it is written. Did you mean [@reg]?" \
        in result.stderr
    assert "Did you mean [@reg; @paper]?" in result.stderr
    assert "[link]" not in result.stderr


def test_unclosed_fact_is_an_error_at_its_line(tmp_path):
    from project import SECTION_1
    project = make_project(tmp_path, {"content/trials/small-trial/sections/01-who.md":
                                      SECTION_1.replace("{{ trial.enrollment.count }}", "{{ trial.enrollment.count")})
    result = run_build(project)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert 'sections/01-who.md:4: the fact "{{ trial.enrollment.count adults [@reg]." is not closed' in result.stderr


def test_plain_words_to_rewrite_stop_the_build_at_their_line(tmp_path):
    from project import TRIAL
    text = TRIAL.replace("  - name: rheumatoid arthritis\n",
                         "  - name:\n      official: Arthritis, Rheumatoid\n      plain: TO REWRITE\n")
    project = make_project(tmp_path, {"content/trials/small-trial/trial.yaml": text})
    result = run_build(project)
    line = next(i for i, l in enumerate(text.split("\n"), 1) if "plain: TO REWRITE" in l)
    assert result.returncode == 1
    assert f"small-trial/trial.yaml:{line}: conditions[0].name: plain: still says TO REWRITE" in result.stderr


# --- the wording itself ---------------------------------------------------------------------

def test_wording_is_text_with_its_official_words_and_languages():
    doc = parse_yaml("conditions:\n  - name: {plain: myositis, official: IIM, fr: myosite}\n"
                     "interventions:\n  - {name: X, route: intravenous, role: study treatment}\n", "t.yaml", Report())
    facts = normalize(dict(doc.data), doc, "en")
    name = facts["conditions"][0]["name"]
    assert isinstance(name, Wording) and name == "myositis" and name.official == "IIM" and name.line == 2
    assert pickle.loads(pickle.dumps(name)) == name and pickle.loads(pickle.dumps(name)).official == "IIM"
    french = in_language(facts, "fr", "en")
    assert french["conditions"][0]["name"] == "myosite" and french["conditions"][0]["name"].lang == "fr"
    assert french["conditions"][0]["name"].default == "myositis"  # one address for the illness in every language
    route = french["interventions"][0]["route"]
    assert route == "dans une veine" and route.official == "intravenous"
    assert in_language(facts, "de", "en")["conditions"][0]["name"].lang == "en"  # shown in English, marked so
    assert doc.data["conditions"][0]["name"] == {"plain": "myositis", "official": "IIM", "fr": "myosite"}


def test_today_s_format_still_builds_with_no_new_errors(tmp_path):
    project = make_project(tmp_path)
    result = run_build(project)
    assert result.returncode == 0, result.stderr
    assert "error" not in result.stderr.lower().replace("0 errors", "")


# --- in the browser ---------------------------------------------------------------------------

@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_key_facts_box_on_a_phone_passes_axe(scheme, browser, example_site_url, artifacts):
    from browser_helpers import TRIAL_PATH, axe_violations, format_axe

    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto(example_site_url + TRIAL_PATH)
        box = page.locator("#key-facts")
        box.scroll_into_view_if_needed()
        box.screenshot(path=str(artifacts / f"key-facts-390-{scheme}.png"))
        assert box.bounding_box()["width"] <= 390
        official = page.locator("#key-facts .official").first
        assert official.is_visible()
        # one line away: below the plain words, not beside them
        assert official.bounding_box()["y"] > page.locator("#key-facts .official").first.locator("xpath=..")\
            .bounding_box()["y"]
        violations = axe_violations(page)
        assert violations == [], format_axe(violations)
    finally:
        context.close()


def test_catalog_translations_keep_every_placeholder():
    from babel.messages.pofile import read_po
    for lang in ("fr", "de", "es"):
        with i18n.catalog_path(lang).open("rb") as handle:
            catalog = read_po(handle, locale=lang)
        for message in catalog:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            wanted = set(re.findall(r"%\(\w+\)[sd]", ids[0]))
            for text in strings:
                assert set(re.findall(r"%\(\w+\)[sd]", text)) == wanted, (lang, ids[0])


def test_preview_panel_and_its_findings_speak_the_site_language(tmp_path):
    from project import SECTION_2, SITE
    from trialsite.pipeline import prepare
    project = make_project(tmp_path, {
        "content/site.yaml": SITE.replace("language: en", "language: fr"),
        "content/trials/small-trial/sections/02-plan.md": SECTION_2 + "The subjects get it twice [@paper].\n"})
    result = prepare(project / "content", None, preview=True, jobs=1)
    page = result.output["trials/small-trial/index.html"].decode()
    panel = BeautifulSoup(page, "html.parser").select_one("#preview-checks").get_text(" ", strip=True)
    assert "Vérifications de cette page" in panel
    assert "« subjects » est un mot difficile pour beaucoup de lecteurs" in panel
    assert "Dites plutôt « people »" in panel


def test_fact_sources_names_the_source_of_a_group(tmp_path):
    from project import TRIAL
    text = TRIAL + "fact_sources:\n  default: reg\n  conditions: paper\n"
    project = make_project(tmp_path, {"content/trials/small-trial/trial.yaml": text})
    result = run_build(project)
    assert result.returncode == 0, result.stderr
    page = soup(project / "site/trials/small-trial/index.html")
    numbers = {li["id"]: li.cite.get_text() for li in page.select("ol.sources > li")}

    def source_of(row_name):
        row = next(d for d in page.select("#key-facts dl > div") if d.dt.get_text().startswith(row_name))
        return numbers[row.select_one("a.cite-ref")["href"][1:]]

    assert source_of("Condition") == "A paper about it"
    assert source_of("Status") == source_of("Phase") == "Trial record"
    broken = make_project(tmp_path / "b", {"content/trials/small-trial/trial.yaml": TRIAL + "fact_sources:\n  status: regg\n"})
    result = run_build(broken)
    line = (TRIAL + "fact_sources:\n  status: regg\n").count("\n")
    assert result.returncode == 1
    assert f'trial.yaml:{line}: fact_sources: status: "regg" is not in this trial\'s sources:. Did you mean "reg"?' \
        in result.stderr
