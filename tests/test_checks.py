"""Plain-language quality (issue 4): glossary words on the page, reading grades and `check`."""
from __future__ import annotations

import datetime
import html
import json
import re
import shutil
import subprocess
import sys

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from project import ROOT, SITE, TRIAL, make_project, run_build, write_files
from trialsite import cli, reading
from trialsite.citations import PageCitations
from trialsite.glossary import Phrases
from trialsite.resolve import Converter
from trialsite.validate import Term

SCHEMA = json.loads((ROOT / "schema" / "check-output.schema.json").read_text())
SECTION = "content/trials/small-trial/sections/01-who.md"
TERMS = (
    Term("lymphodepletion", "A short treatment that lowers some immune cells.", None, ("lymphodepleting",), 1),
    Term("MTD", "The highest dose people can take safely.", "maximum tolerated dose", (), 3),
    Term("clinical trial", "A research study in people.", None, ("clinical trials",), 5),
    Term("trial", "A study.", None, (), 7),
    Term("B cells", "Immune cells that <make> antibodies & more.", None, (), 9),
)


def marked(text: str, terms=TERMS) -> tuple[str, Converter]:
    converter = Converter(terms)
    converter.begin_page()
    return converter.convert(text, PageCitations({}), "s"), converter


def section(body: str, title: str = "Who is studied") -> str:
    return f"---\ntitle: {title}\n---\n{body}"


def check_json(project, *args) -> tuple[int, dict]:
    result = run_build(project, "check", "--format", "json", *args)
    assert "Traceback" not in result.stderr
    found = json.loads(result.stdout)
    jsonschema.validate(found, SCHEMA)
    return result.returncode, found


def findings(found: dict, code: str, path: str = SECTION) -> list[dict]:
    return [f for file in found["files"] if file["path"] == path for f in file["findings"] if f["code"] == code]


# --- Glossary words on the page ---------------------------------------------------------

def test_first_use_is_marked_once_whole_words_any_case():
    html, converter = marked("Lymphodepletion first. Then lymphodepletion again. Not prelymphodepletion.")
    assert html.count('class="term"') == 1
    assert '<button class="term-button" popovertarget="gl-lymphodepletion" type="button">Lymphodepletion</button>' in html
    assert 'id="gl-lymphodepletion" popover="auto"' in html
    assert 'href="../../glossary/index.html#term-lymphodepletion"' in html
    assert list(converter.terms_used) == ["lymphodepletion"]


def test_aliases_and_longest_match_win():
    html, converter = marked("Two clinical trials ran. A lymphodepleting step.")
    assert ">clinical trials</button>" in html and ">lymphodepleting</button>" in html
    assert "trial" not in [t for t in converter.terms_used if t == "trial"], "the shorter word inside was not marked"


def test_abbreviations_match_exactly_and_show_what_they_stand_for():
    html, _ = marked("The mtd is not the same word. The MTD is.")
    assert html.count('class="term"') == 1
    assert '<abbr title="maximum tolerated dose">MTD</abbr>' in html
    assert "(maximum tolerated dose): The highest dose" in html


@pytest.mark.parametrize("text", [
    "# Lymphodepletion\n\nNothing else.",
    "See [lymphodepletion](https://example.org/x) here.",
    "Write `lymphodepletion` like this.",
    "```\nlymphodepletion\n```",
])
def test_never_inside_headings_links_or_code(text):
    html, converter = marked(text)
    assert 'class="term"' not in html and not converter.terms_used


def test_definitions_are_escaped_and_not_marked_inside_themselves():
    html, _ = marked("B cells matter. A trial of B cells.")
    assert "&lt;make&gt; antibodies &amp; more" in html
    assert html.count("<dfn") == 2  # B cells, trial: not "trial" inside a definition box


WORDS = st.sampled_from(["trial", "Trial", "clinical", "MTD", "mtd", "b", "cell", "x1", "ß", "İ", "straße"])
NAMES = st.lists(WORDS, min_size=1, max_size=3).map(" ".join) | st.lists(WORDS, min_size=2, max_size=2).map("-".join)
TEXT = st.lists(WORDS | st.sampled_from([" ", "-", "_", ".", ", ", "\n", "é", "(", "'s"]), max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(exact=st.lists(NAMES, max_size=4), folded=st.lists(NAMES, max_size=6), text=TEXT)
def test_phrases_finds_what_one_regex_of_every_name_finds(exact, folded, text):
    """Phrases looks only where a name's first word starts; the result must be what scanning
    the text with one regex of all the names, longest first, gives."""
    names = sorted({(n, False) for n in exact} | {(n.lower(), True) for n in folded}, key=lambda x: (-len(x[0]), x[0]))
    choices = "|".join(f"(?i:{re.escape(n)})" if fold else re.escape(n) for n, fold in names)
    one_regex = re.compile(rf"(?<![\w-])(?:{choices})(?![\w-])") if names else None
    expected = [m.span() for m in one_regex.finditer(text)] if one_regex else []
    assert list(Phrases(exact, [n.lower() for n in folded]).find(text)) == expected


def test_summary_counts_as_first_use_and_glossary_page_lists_the_trial(tmp_path):
    project = make_project(tmp_path, {
        "content/glossary.yaml": "adults:\n  definition: People aged 18 or older.\n",
        "content/trials/small-trial/trial.yaml": TRIAL,  # summary: "... in adults."
    })
    assert run_build(project).returncode == 0
    page = (project / "site/trials/small-trial/index.html").read_text()
    summary, sections = page.split('id="summary"', 1)[1].split("</section>", 1)
    assert 'popovertarget="gl-adults"' in summary and "popovertarget" not in sections
    glossary = (project / "site/glossary/index.html").read_text()
    used = glossary.split('id="term-adults"', 1)[1]
    assert 'href="../trials/small-trial/index.html">A small test trial</a>' in used


# --- Reading grades ---------------------------------------------------------------------

def test_blocks_keep_lines_and_a_list_takes_its_lead_in_citation():
    md = "Intro with rules [@a]:\n\n- first rule has 3 parts\n- second\n\n# A heading\n\nPlain 5 words here. Next one!\n"
    blocks = reading.blocks(md, 10)
    sentences = [s for b in blocks for s in reading.sentences(b)]
    assert [(s.line, s.cited) for s in sentences] == [(10, True), (12, True), (13, True), (17, False), (17, False)]
    assert all("heading" not in s.text.lower() for s in sentences)
    assert sentences[0].text == "Intro with rules:"


def test_fast_syllable_table_gives_textstat_s_own_grades():
    """Our counts (a faster syllable table, page = sum of sections) against plain textstat."""
    texts = []
    for path in sorted((ROOT / "content" / "trials").glob("*/sections/*.md")):
        body = path.read_text().split("---", 2)[2]
        texts.append(reading.as_text([s for b in reading.blocks(body, 1) for s in reading.sentences(b)]))
    texts.append("Researchers evaluate dose-limiting toxicities, immunogenicity and pharmacokinetics. Fine.")
    # Words next to other pronunciations ("a(2)") and possessives in the dictionary, and words not in it.
    texts.append("A a's activists activists' adults adults' aaronson's read live. Rituximab xyzzy people's 'em.")
    script = ("import json, sys, textstat; texts = json.load(sys.stdin); "
              "print(json.dumps([[textstat.flesch_kincaid_grade(t) for t in texts + [' '.join(texts)]],"
              " [textstat.syllable_count(t) for t in texts]]))")
    expected, syllables = json.loads(subprocess.run([sys.executable, "-c", script], input=json.dumps(texts),
                                                    capture_output=True, text=True, check=True).stdout)
    assert [reading.counts(t).syllables for t in texts] == syllables
    ours = [reading.grade(t) for t in texts]
    whole = sum((reading.counts(t) for t in texts), reading.Counts()).grade
    assert ours + [whole] == [round(g, 1) for g in expected]


# --- check: each finding, and no false alarms -------------------------------------------

def test_example_content_passes_strict_check_at_grade_7_or_below(tmp_path):
    # A copy whose registry facts were checked today: check warns when they are over 30 days old,
    # which the example's will be some day (tests/test_refresh.py tests that warning).
    for folder in ("content", "templates"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    for checked in (tmp_path / "content").glob("trials/*/registry/checked.yaml"):
        checked.write_text(f"checked: {datetime.date.today().isoformat()}\n", encoding="utf-8")
    code, found = check_json(tmp_path, "--strict")
    assert code == 0 and found["counts"]["error"] == 0 and found["counts"]["warning"] == 0
    assert len(found["trials"]) == 2 and all(trial["reading"]["grade"] <= 7 for trial in found["trials"])
    sections = [f for f in found["files"] if "/sections/" in f["path"]]
    assert len(sections) == 6 + 10 and all(f["reading"]["grade"] <= 8 for f in sections)


def test_uncited_number_is_a_warning_unless_its_paragraph_cites(tmp_path):
    project = make_project(tmp_path, {SECTION: section(
        "The trial takes 40 adults.\nThey visit often.\n\nIt lasts 52 weeks.\nThe record says so [@reg].\n")})
    code, found = check_json(project)
    uncited = findings(found, "plain.uncited")
    assert code == 0 and [f["line"] for f in uncited] == [4] and "40 adults" in uncited[0]["message"]


def test_long_sentences_and_passive_voice(tmp_path):
    long = "Many " + " ".join(["words"] * 25) + "."
    project = make_project(tmp_path, {SECTION: section(
        f"Short one [@reg].\n{long}\nThe medicine is given by a nurse [@reg].\nIt is indeed good [@reg].\n")})
    _, found = check_json(project)
    assert [f["line"] for f in findings(found, "plain.long")] == [5]
    passive = findings(found, "plain.passive")
    assert [(f["line"], f["severity"]) for f in passive] == [(6, "info")] and '"is given"' in passive[0]["message"]


def test_the_same_word_twice_is_a_warning_unless_meant(tmp_path):
    project = make_project(tmp_path, {SECTION: section(
        "Take the the pill each day [@reg].\nThey had had enough of it [@reg].\n"
        "It takes {{ trial.enrollment.count }} people people in all [@reg].\n")})
    _, found = check_json(project)
    repeated = findings(found, "plain.repeated")
    assert [(f["line"], f["severity"]) for f in repeated] == [(4, "warning"), (6, "warning")]
    assert repeated[0]["message"].startswith('"the the": the same word twice in a row.')
    assert '"people people"' in repeated[1]["message"]


def test_unexplained_abbreviations_and_hard_words(tmp_path):
    project = make_project(tmp_path, {SECTION: section(
        "The XYZ score was administered to subjects [@reg].\n"
        "They had RA, lived in the US and got TC-1 [@reg].\n"  # glossary, known, the trial's own drug
        "See [the XYZ page](https://example.org) or `QQQ` [@reg].\n"
        "The XYZ score again [@reg].\n"
        "## The efficacy heading\n")})
    _, found = check_json(project)
    abbreviations = findings(found, "plain.abbreviation")
    assert len(abbreviations) == 1 and abbreviations[0]["line"] == 4
    assert '"XYZ"' in abbreviations[0]["message"] and "also on line 7" in abbreviations[0]["message"]
    jargon = {f["message"].split('"')[1]: f for f in findings(found, "plain.jargon")}
    assert set(jargon) == {"administered", "subjects"}
    assert 'Say "given" instead' in jargon["administered"]["message"]


def test_glossary_words_and_aliases_are_not_hard_words(tmp_path):
    project = make_project(tmp_path, {
        "content/glossary.yaml": "efficacy:\n  definition: How well it works.\n  aliases: [efficacious]\n",
        SECTION: section("We check efficacy and if it is efficacious [@reg].\n")})
    _, found = check_json(project)
    assert findings(found, "plain.jargon") == []


def test_editors_extend_the_hard_word_list(tmp_path):
    project = make_project(tmp_path, {
        "content/jargon.yaml": "words:\n  frobnicate: shake\nknown_abbreviations: [XYZ]\n",
        SECTION: section("We frobnicate the XYZ sample [@reg].\n")})
    _, found = check_json(project)
    (word,) = findings(found, "plain.jargon")
    assert 'Say "shake" instead' in word["message"] and findings(found, "plain.abbreviation") == []


def test_a_broken_hard_word_list_is_an_error_with_its_line(tmp_path):
    project = make_project(tmp_path, {"content/jargon.yaml": "words:\n  fine: ok\n  bad: [not, text]\n"})
    result = run_build(project, "check")
    assert result.returncode == 1 and "content/jargon.yaml:3:" in result.stdout and "Traceback" not in result.stderr


def test_hard_text_warns_with_its_hardest_sentences_and_the_target_is_the_site_s(tmp_path):
    hard = ("The researchers will carefully measure the symptoms of every participant throughout the treatment "
            "period [@reg].\nIt is fine [@reg].\n")  # grade 14.3 and -2.6
    project = make_project(tmp_path, {SECTION: section(hard)})
    code, found = check_json(project)
    (grade,) = findings(found, "plain.grade")
    assert code == 0 and grade["line"] == 4 and "Hardest sentences: line 4 (grade 14.3)" in grade["message"]
    assert "line 5" not in grade["message"], "a sentence below the target is not named"
    write_files(project, {"content/site.yaml": SITE + "reading_grade_target: 12\n"})
    _, found = check_json(project)
    assert findings(found, "plain.grade") == [] and found["target_grade"] == 12


def test_facts_no_section_mentions_are_information(tmp_path):
    project = make_project(tmp_path, {SECTION: section("The trial takes adults with joint pain [@reg].\n")})
    _, found = check_json(project)
    info = findings(found, "plain.unmentioned", "content/trials/small-trial/trial.yaml")
    assert {f["message"].split(" (")[0] for f in info} >= {"no section mentions enrollment.count",
                                                          "no section mentions conditions[0].name"}
    assert all(f["severity"] == "info" for f in info)


# --- exit codes, output, build summary ----------------------------------------------------

def test_exit_codes_warnings_strict_and_errors(tmp_path):
    project = make_project(tmp_path, {SECTION: section("The trial takes 40 adults.\n")})
    assert run_build(project, "check").returncode == 0
    assert run_build(project, "check", "--strict").returncode == 1
    write_files(project, {SECTION: section("Text [@nope].\n")})
    code, found = check_json(project)
    assert code == 1 and found["counts"]["error"] == 1
    assert findings(found, "cite.unknown")[0]["line"] == 4
    assert not (project / "site").exists()


def test_text_output_is_grouped_by_file_with_reading_grades(tmp_path):
    project = make_project(tmp_path, {SECTION: section("The trial takes 40 adults.\nThey are 30 or older.\n")})
    out = run_build(project, "check").stdout
    head = next(line for line in out.splitlines() if line.startswith(SECTION))
    assert "reading grade" in head and "words per sentence" in head
    assert f"  {SECTION}:4: warning:" in out and f"  {SECTION}:5: warning:" in out
    assert "\033[" not in out, "no colour when not on a terminal"


def test_build_sums_up_plain_language_findings_and_keeps_going(tmp_path):
    project = make_project(tmp_path, {SECTION: section("The trial takes 40 adults.\n")})
    result = run_build(project)
    assert result.returncode == 0 and (project / "site/index.html").exists()
    assert "Plain language: 1 warning" in result.stdout and "Hardest page to read: small-trial" in result.stdout
    assert "takes 40 adults" not in result.stdout + result.stderr, "details are for check, not the build"


def test_check_in_process_json_matches_schema(tmp_path, capsys, monkeypatch):
    project = make_project(tmp_path)
    monkeypatch.chdir(project)
    assert cli.main(["check", "--format", "json"]) == 0
    jsonschema.validate(json.loads(capsys.readouterr().out), SCHEMA)


# --- the preview's panel ------------------------------------------------------------------

def test_preview_shows_findings_panel_and_highlights_but_the_site_never_does(tmp_path):
    from trialsite.serve import PreviewState
    project = make_project(tmp_path, {SECTION: section(
        "The trial takes 40 adults.\n\nThey are administered a drug [@reg].\n")})
    preview = PreviewState(project / "content", None)
    preview.rebuild()
    page = preview.output["trials/small-trial/index.html"].decode()
    panel = html.unescape(page.split('<aside class="preview-panel"', 1)[1].split("</aside>", 1)[0])
    assert "Whole page: reading grade" in panel and "<th scope=\"row\">Who is studied</th>" in panel
    assert "sections/01-who.md:4:" in panel and '"administered" is a hard word' in panel
    assert '<mark class="uncited">The trial takes 40 adults.</mark>' in page
    assert run_build(project).returncode == 0
    built = (project / "site/trials/small-trial/index.html").read_text()
    assert "preview-panel" not in built and "<mark" not in built
