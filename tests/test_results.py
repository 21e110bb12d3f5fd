"""Issue 20: results of finished trials: import, the results part of the page, charts, Annex V checks."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from project import ROOT, make_project, run_build
from test_checks import check_json
from trialsite import charts, ctgov, rewrite
from trialsite.incremental import SiteModel
from trialsite.schemas import schema_validator

FIXTURES = Path(__file__).parent / "fixtures" / "ctgov"

# Read by hand from each record's JSON (participantFlowModule, adverseEventsModule), not computed by
# the code under test: group -> (started, finished), and (group, kind) -> (affected, at risk).
RECORDS = {
    "nct05594173-one-group-with-results.json": {
        "flow": {"Healthy Participants": (20, 17)},
        "harms": {("Healthy Participants", "serious"): (0, 18), ("Healthy Participants", "other"): (1, 18),
                  ("Healthy Participants", "deaths"): (0, 18)},
    },
    "nct00763412-two-groups-with-results.json": {  # the flow says "2. Repaglinide", the adverse events "Repaglinide"
        "flow": {"Placebo": (8, 4), "2. Repaglinide": (8, 4)},
        "harms": {(group, kind): (0, 8) for group in ("Placebo", "2. Repaglinide") for kind in ("serious", "other", "deaths")},
    },
    "nct02210780-two-groups-side-effects.json": {
        "flow": {"Placebo qw": (97, 92), "Dupilumab 300 mg qw": (97, 89)},
        "harms": {("Placebo qw", "serious"): (0, 97), ("Dupilumab 300 mg qw", "serious"): (3, 97),
                  ("Placebo qw", "other"): (29, 97), ("Dupilumab 300 mg qw", "other"): (30, 97),
                  ("Placebo qw", "deaths"): (0, 97), ("Dupilumab 300 mg qw", "deaths"): (0, 97)},
    },
}
HARM_COLUMNS = {"serious": "Serious side effects", "other": "Side effects that were not serious", "deaths": "Deaths"}


def imported(tmp_path: Path, name: str) -> tuple[Path, Path]:
    project = make_project(tmp_path / "project")
    done = run_build(project, "import", str(FIXTURES / name), "--accessed", "2026-12-04")
    assert done.returncode == 0, done.stderr
    slug = name.split("-", 1)[0]
    return project, project / "content" / "trials" / slug


def table(soup, caption: str) -> list[list[str]]:
    found = soup.find("caption", string=caption).find_parent("table")
    return [[cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])] for row in found.find_all("tr")]


def row_name(cell: str) -> str:
    return cell.split(" Official term: ")[-1]  # the page shows the official words while plain: says TO REWRITE


@pytest.mark.parametrize("name", sorted(RECORDS))
def test_imported_results_show_the_records_numbers(tmp_path, name):
    project, folder = imported(tmp_path, name)
    facts = yaml.safe_load((folder / "trial.yaml").read_text(encoding="utf-8"))
    assert not list(schema_validator("trial").iter_errors(facts))
    # The arms are matched by title across the record's modules ("1 Placebo", "Patients Who Received Placebo"):
    # as many groups with people starting as the flow has.
    assert len([g for g in facts["results"]["groups"] if "started" in g]) == len(RECORDS[name]["flow"])

    result = SiteModel(project / "content", None).full()  # the preview: official words shown, marked
    assert not result.report.has_errors, [d.format() for d in result.report.items if d.severity == "error"]
    page = BeautifulSoup(result.output[f"trials/{folder.name}/index.html"], "html.parser")
    people = table(page, "People in each group")
    assert people[0] == ["Group", "Started", "Finished", "Left early"]
    shown = {row_name(row[0]): (int(row[1]), int(row[2])) for row in people[1:]}
    assert shown == RECORDS[name]["flow"]
    harms = table(page, "People with side effects, out of the people in each group")
    columns = harms[0][1:]
    for row in harms[1:]:
        for column, cell in zip(columns, row[1:]):
            kind = next(k for k, v in HARM_COLUMNS.items() if v == column)
            affected, at_risk = map(int, re.fullmatch(r"(\d+) of (\d+)", cell).groups())
            group = next(g for g in RECORDS[name]["flow"] if g.casefold().endswith(row[0].casefold()))
            assert RECORDS[name]["harms"][(group, kind)] == (affected, at_risk)
    assert len(harms) - 1 == len(RECORDS[name]["flow"]) and len(columns) == 3


def test_import_writes_only_official_words_marked_to_rewrite(tmp_path):
    project, folder = imported(tmp_path, "nct02210780-two-groups-side-effects.json")
    texts = []

    def walk(value):
        if isinstance(value, dict):
            if "official" in value:
                texts.append(value)
            else:
                for item in value.values():
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(yaml.safe_load((folder / "trial.yaml").read_text(encoding="utf-8"))["results"])
    assert len(texts) > 30 and all(t["plain"] == "TO REWRITE" and set(t) == {"plain", "official"} for t in texts)
    record = json.loads((FIXTURES / "nct02210780-two-groups-side-effects.json").read_text(encoding="utf-8"))
    assert {"Adverse Event", "Conjunctivitis", "Placebo qw"} <= {t["official"] for t in texts}
    assert record["resultsSection"]["adverseEventsModule"]["timeFrame"] in {t["official"] for t in texts}

    sections = sorted((folder / "sections").glob("*.md"))
    assert len(sections) == 10
    for number, path in enumerate(sections, 1):
        text = path.read_text(encoding="utf-8")
        meta, body = text.split("---\n")[1:3]
        assert yaml.safe_load(meta)["annex_v"] == number
        lines = body.split("\n")
        (first, last), = rewrite.blocks(body)  # one block, and nothing outside it
        assert all(not line.strip() for i, line in enumerate(lines) if not first <= i <= last)
    refused = run_build(project)
    assert refused.returncode == 1
    # Every results wording is refused at its own line until it has plain words.
    refusals = re.findall(r"trial\.yaml:(\d+): (results\S*): plain: still says TO REWRITE", refused.stderr)
    assert len(refusals) == len(texts) and len({line for line, _ in refusals}) == len(texts)
    assert ("results.groups[0].name" in {where for _, where in refusals})


# --- the example trial: charts and tables ------------------------------------------------------

@pytest.fixture(scope="module")
def example(tmp_path_factory) -> BeautifulSoup:
    out = tmp_path_factory.mktemp("site")
    built = run_build(ROOT, "--out", str(out), "--no-cache")
    assert built.returncode == 0, built.stderr
    return BeautifulSoup((out / "trials/dupilumab-vaccine-response/index.html").read_text(), "html.parser")


def numbers(text: str) -> list[float]:
    return [float(n.replace(",", "")) for n in re.findall(r"-?\d[\d,]*(?:\.\d+)?", text)]


def test_icon_arrays_fill_as_many_figures_as_the_proportion(example):
    facts = yaml.safe_load((ROOT / "content/trials/dupilumab-vaccine-response/trial.yaml").read_text())
    measure = facts["results"]["measures"]["primary"][0]
    arrays = example.select("#result-1 svg.icon-array")
    assert len(arrays) == 2
    for svg, group in zip(arrays, ("placebo_qw", "dupilumab_300_mg_qw")):
        figures = svg.find_all("use")
        assert len(figures) == 100
        assert len(svg.select("use.on")) == round(measure["values"][group]["value"])  # 83.7 -> 84, 83.3 -> 83
    serious = facts["results"]["side_effects"]["serious"]
    arrays = example.select('svg.icon-array[aria-labelledby^="harms-serious"]')
    for svg, group in zip(arrays, ("placebo_qw", "dupilumab_300_mg_qw")):
        assert len(svg.find_all("use")) == serious[group]["at_risk"] == 97  # 97 people: every person shown
        assert len(svg.select("use.on")) == serious[group]["affected"]


def test_percents_are_written_as_english_writes_them(example):
    """"83.7%" in English (no space, as US style guides write it); French, German and Spanish put
    a no-break space before % (their catalogs), so the sign never starts a line."""
    first = example.select_one("#result-1")
    cells = [td.get_text() for td in first.select("table td:nth-of-type(1)")]
    assert cells and all(re.fullmatch(r"\d+(\.\d+)?%", cell) for cell in cells), cells
    assert re.search(r"\(\d+(\.\d+)?% of \d+ people\)", first.get_text())
    assert " %" not in first.get_text()


def test_every_chart_has_a_name_and_a_table_with_its_numbers(example):
    charts_found = example.select("#results-in-numbers svg")
    assert len(charts_found) >= 8
    for svg in charts_found:
        assert svg["role"] == "img"
        title = example.find(id=svg["aria-labelledby"])
        assert title.name == "title" and title.get_text(strip=True)
        box = svg.find_parent(class_="chart-and-table") or svg.find_parent(class_="result")
        if box is None:  # side effects: the summary's table follows the icon arrays
            box = svg.find_parent("section")
        tables = box.find_all("table")
        assert tables, svg["aria-labelledby"]
        in_tables = set(numbers(" ".join(t.get_text(" ") for t in tables)))
        if "icon-array" in svg["class"]:
            shown = {float(len(svg.select("use.on"))), float(len(svg.find_all("use")))}
            if len(svg.find_all("use")) == 100:  # a percentage: the table says how many in 100
                shown = {float(len(svg.select("use.on")))}
        else:
            values = svg.select("text.value")
            assert len(values) == len(svg.select("rect.bar"))
            shown = {abs(n) for text in values for n in numbers(text.get_text())}
        assert shown <= {abs(n) for n in in_tables}, (svg["aria-labelledby"], shown)


def test_bars_start_at_zero(example):
    bar_charts = example.select("svg.bar-chart")
    assert len(bar_charts) >= 2
    negative = 0
    for svg in bar_charts:
        zero = float(svg.find("line", class_="axis")["x1"])
        for rect in svg.select("rect.bar"):
            x, width = float(rect["x"]), float(rect["width"])
            assert x == zero or x + width == pytest.approx(zero, abs=0.2), rect
            negative += x < zero
    assert negative, "the itch measure goes down: its bars run left from zero"


def test_chart_geometry_units():
    array = charts.icon_array(3, 97)
    assert array.total == 97 and sum(i.filled for i in array.icons) == 3
    array = charts.icon_array(12, 400)
    assert array.total == 100 and sum(i.filled for i in array.icons) == 3
    assert charts.icon_array(5, 0) is None and charts.icon_array(6, 5) is None
    bars = charts.bars([(None, [("a", 10), ("b", -5)])])
    a, b = bars.bars
    assert a.x == bars.zero_x and b.x + b.width == pytest.approx(bars.zero_x) and a.pattern != b.pattern
    assert charts.bars([(None, [("a", 0)])]).bars[0].width == 0


def test_results_status_in_json_ld(example):
    (raw,) = [s.string for s in example.find_all("script", type="application/ld+json")]
    assert json.loads(raw)["status"] == ["https://schema.org/Completed", "https://schema.org/ResultsAvailable"]


def test_home_page_marks_and_filters_trials_with_results(tmp_path):
    project = make_project(tmp_path, {"content/trials/small-trial/trial.yaml": TRIAL_WITH_RESULTS,
                                      **SECTIONS_WITH_ELEMENTS})
    assert run_build(project).returncode == 0
    home = BeautifulSoup((project / "site/index.html").read_text(), "html.parser")
    card = home.select_one(".card")
    assert card["data-results"] == "yes" and "The results are on its page" in card.get_text()
    assert [o["value"] for o in home.select("#filter-results option")] == ["", "yes"]
    assert "card.dataset.results === results" in (project / "site/assets/filter.js").read_text()


# --- check: Annex V and numbers in results text ---------------------------------------------------

TRIAL_WITH_RESULTS = """\
title: A small finished trial
official_title: An Open-label Study of Test Cells
summary: This trial tested a new cell treatment in adults [@reg].
status: completed
phase: "2"
conditions:
  - name: rheumatoid arthritis
interventions:
  - name: TC-1
registrations:
  - {registry: ClinicalTrials.gov, id: NCT00000001, url: https://example.org/reg}
sponsor: {name: Test Pharma, url: https://example.org/pharma}
last_reviewed: 2026-11-01
sources:
  reg:
    title: Trial record
    url: https://example.org/reg
results:
  groups:
    - id: cells
      name: {plain: The cell treatment, official: TC-1 arm}
      started: 30
      finished: 28
  baseline:
    people: {cells: 30}
    age: {kind: mean, values: {cells: 51.5}}
  measures:
    primary:
      - measure: People whose joints got better
        kind: people
        unit: people
        time_frame: week 24
        values:
          cells: {value: 12, analysed: 28}
"""
SECTIONS_WITH_ELEMENTS = {
    "content/trials/small-trial/sections/01-who.md": "---\ntitle: Why\nannex_v: 3\n---\nThe trial looked at a new "
                                                     "treatment in one place [@reg].\n",
    "content/trials/small-trial/sections/02-plan.md": "---\ntitle: What it found\nannex_v: [7, 8]\n---\n"
                                                      "In all, {{ trial.results.groups[0].started }} people started "
                                                      "[@reg].\nAbout 43 out of 100 got better [@reg].\n"
                                                      "At the end, 27 people were still in the trial [@reg].\n",
}


def test_check_lists_annex_v_elements_and_flags_exactly_the_missing_ones(tmp_path):
    project = make_project(tmp_path, {"content/trials/small-trial/trial.yaml": TRIAL_WITH_RESULTS,
                                      **SECTIONS_WITH_ELEMENTS})
    code, found = check_json(project, "--strict")
    trial_file = next(f for f in found["files"] if f["path"].endswith("small-trial/trial.yaml"))
    annex = [f for f in trial_file["findings"] if f["code"] == "plain.annex-v"]
    missing = [f for f in annex if f["severity"] == "warning"]
    assert [re.search(r"part (\d+)", f["message"]).group(1) for f in missing] == ["06", "09"]
    assert "sections/09-next.md" in missing[1]["message"] and "annex_v: 9" in missing[1]["message"]
    assert "results.side_effects" in missing[0]["message"]
    present = sorted(int(re.search(r"part (\d+)", f["message"]).group(1)) for f in annex if f["severity"] == "info")
    assert present == [1, 2, 3, 4, 5, 7, 8, 10]
    assert code == 1  # --strict fails on a missing element


def test_a_typed_number_that_matches_no_fact_is_reported_at_its_line(tmp_path):
    project = make_project(tmp_path, {"content/trials/small-trial/trial.yaml": TRIAL_WITH_RESULTS,
                                      **SECTIONS_WITH_ELEMENTS})
    code, found = check_json(project)
    path = "content/trials/small-trial/sections/02-plan.md"
    flagged = [f for file in found["files"] if file["path"] == path for f in file["findings"]
               if f["code"] == "plain.results-number"]
    # 43 is 12 out of 28 people in 100 (a fact); 27 is no fact: 28 people finished.
    assert [(f["line"], f["severity"]) for f in flagged] == [(7, "warning")]
    assert "the number 27" in flagged[0]["message"]


def test_wrong_annex_v_value_is_an_error_at_its_line(tmp_path):
    project = make_project(tmp_path, {"content/trials/small-trial/sections/01-who.md":
                                      "---\ntitle: Why\nannex_v: eleven\n---\nText [@reg].\n"})
    result = run_build(project)
    assert result.returncode == 1
    assert "content/trials/small-trial/sections/01-who.md:3: annex_v: must be a number from 1 to 10" in result.stderr


def test_import_mapping_of_groups_and_kinds():
    study = json.loads((FIXTURES / "nct05594173-one-group-with-results.json").read_text(encoding="utf-8"))
    mapper = ctgov.Mapper(study, "2026-12-04")
    results = mapper.facts()["results"]
    names = [g["name"]["official"] for g in results["groups"]]
    # The record reports its measures per food, in outcome groups that are not the arms: they become groups
    # of their own, without started or finished numbers.
    assert names[0] == "Healthy Participants" and results["groups"][0]["started"] == 20
    assert all("started" not in g for g in results["groups"][1:]) and len(names) == len(set(names))
    assert [r["reason"]["official"] for r in results["left"]] == ["Adverse Event", "COVID-19 Pandemic"]
    assert [r["people"] for r in results["left"]] == [{"healthy_participants": 1}, {"healthy_participants": 2}]
    assert {m["kind"] for m in results["measures"]["primary"]} == {"mean"}


def test_odd_numbers_in_results_do_not_break_the_page(tmp_path):
    """YAML can hold .nan and numbers below zero; a number too big to be true is an error at its
    line, not a crash (numbers that contradict each other: the test above)."""
    odd = TRIAL_WITH_RESULTS.replace("cells: {value: 12, analysed: 28}", "cells: {value: .nan, analysed: 28}") + """\
    secondary:
      - measure: Far below zero
        kind: mean
        values: {cells: {value: -12.5}}
"""
    project = make_project(tmp_path, {"content/trials/small-trial/trial.yaml": odd, **SECTIONS_WITH_ELEMENTS})
    result = run_build(project)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    page = BeautifulSoup((project / "site/trials/small-trial/index.html").read_text(), "html.parser")
    assert "Far below zero" in page.get_text() and not page.select("#results-in-numbers svg.icon-array")
    huge = odd.replace("value: -12.5", "value: -1.0e+300")
    write = make_project(tmp_path / "huge", {"content/trials/small-trial/trial.yaml": huge, **SECTIONS_WITH_ELEMENTS})
    result = run_build(write)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert re.search(r"trial\.yaml:\d+: results\.measures\.secondary\[0\]\.values\.cells\.value .* out of range",
                     result.stderr), result.stderr


def test_re_import_keeps_the_editors_plain_words_for_results(tmp_path):
    import shutil
    project = make_project(tmp_path)
    example = project / "content/trials/dupilumab-vaccine-response"
    shutil.copytree(ROOT / "content/trials/dupilumab-vaccine-response", example)
    before = yaml.safe_load((example / "trial.yaml").read_text(encoding="utf-8"))["results"]
    done = run_build(project, "import", str(FIXTURES / "nct02210780-two-groups-side-effects.json"),
                     "--slug", "dupilumab-vaccine-response", "--accessed", "2026-12-05")
    assert done.returncode == 0, done.stderr
    after = yaml.safe_load((example / "trial.yaml").read_text(encoding="utf-8"))["results"]
    assert [g["name"] for g in after["groups"]] == [g["name"] for g in before["groups"]]
    assert after["left"] == before["left"] and after["side_effects"] == before["side_effects"]
    kept = {m["measure"]["official"]: m["measure"]["plain"] for m in after["measures"]["primary"] + after["measures"]["secondary"]}
    for m in before["measures"]["primary"] + before["measures"]["secondary"]:
        assert kept[m["measure"]["official"]] == m["measure"]["plain"] != "TO REWRITE"
    assert after == before  # the same record again: nothing in results changes
    del after["measures"]["secondary"][0]  # a measure the editor deletes comes back, as the record has it
    (example / "trial.yaml").write_text(yaml.safe_dump({**yaml.safe_load((example / "trial.yaml").read_text()),
                                                        "results": after}, allow_unicode=True), encoding="utf-8")
    assert run_build(project, "import", str(FIXTURES / "nct02210780-two-groups-side-effects.json"),
                     "--slug", "dupilumab-vaccine-response", "--accessed", "2026-12-05").returncode == 0
    again = yaml.safe_load((example / "trial.yaml").read_text(encoding="utf-8"))["results"]
    assert again["measures"]["secondary"][0]["measure"]["plain"] == "TO REWRITE"


@pytest.mark.parametrize("shape", ["interventions: true\n", "interventions: []\noutcomes:\n  primary: true\n",
                                   "interventions: []\nresults: true\n", "interventions: []\nresults:\n  groups: 3\n"])
def test_wrong_shapes_are_schema_errors_not_crashes(tmp_path, shape):
    """Found by test_fuzz: a list written as true crashed the key facts; results: of the wrong shape too."""
    from project import TRIAL
    trial = TRIAL.replace("interventions:\n  - name: TC-1\n    route: intravenous\n", shape)
    result = run_build(make_project(tmp_path, {"content/trials/small-trial/trial.yaml": trial}))
    assert result.returncode == 1 and "Traceback" not in result.stderr and "trialsite itself" not in result.stderr
    assert re.search(r"trial\.yaml:\d+: \S+ must be", result.stderr), result.stderr


NUMBERS_THAT_DO_NOT_FIT = [
    # (what replaces what in TRIAL_WITH_RESULTS, the line the error must point at, words of its message)
    ({"      finished: 28": "      finished: 280"}, "      finished: 280", "280 people finished but only 30 started"),
    ({"    age: {kind: mean, values: {cells: 51.5}}": "    age:\n      kind: mean\n      values:\n        cell: 51.5"},
     "        cell: 51.5", '"cell" is not the id of one of this trial\'s groups (cells), so its number would not be '
                          'shown. Did you mean "cells"?'),
    ({"          cells: {value: 12, analysed: 28}": "          cells: {value: 29, analysed: 28}"},
     "          cells: {value: 29, analysed: 28}", "29 people, but only 28 were counted"),
    ({"        kind: people\n": "        kind: percent\n", "{value: 12, analysed: 28}": "{value: 120, analysed: 28}"},
     "          cells: {value: 120, analysed: 28}", "results.measures.primary[0].values.cells: 120 is not a percent"),
]


@pytest.mark.parametrize("changes, wrong_line, words", NUMBERS_THAT_DO_NOT_FIT)
def test_results_numbers_that_do_not_fit_together_are_errors_at_their_line(tmp_path, changes, wrong_line, words):
    text = TRIAL_WITH_RESULTS
    for old, new in changes.items():
        assert old in text
        text = text.replace(old, new)
    project = make_project(tmp_path, {"content/trials/small-trial/trial.yaml": text})
    result = run_build(project)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    line = text.splitlines().index(wrong_line) + 1
    assert f"content/trials/small-trial/trial.yaml:{line}: " in result.stderr, result.stderr
    assert words in result.stderr, result.stderr


def test_two_groups_with_one_id_and_side_effects_beyond_the_people_at_risk(tmp_path):
    text = TRIAL_WITH_RESULTS.replace("  baseline:", "    - id: cells\n      name: Second group\n"
                                      "  side_effects:\n    serious: {cells: {affected: 31, at_risk: 30}}\n  baseline:")
    project = make_project(tmp_path, {"content/trials/small-trial/trial.yaml": text})
    result = run_build(project)
    lines = text.splitlines()
    assert result.returncode == 1
    assert (f"trial.yaml:{lines.index('    - id: cells', 20) + 1}: two groups have the id \"cells\" "
            "(the first is results.groups[0])") in result.stderr, result.stderr
    assert (f"trial.yaml:{lines.index('    serious: {cells: {affected: 31, at_risk: 30}}') + 1}: "
            "results.side_effects.serious.cells: 31 people affected, but only 30 at risk") in result.stderr


def test_rare_results_say_fewer_than_1_in_100_not_0(tmp_path):
    """1 person of 243 rounds to "0 in 100", which reads as "nobody"; the page says "fewer than
    1 in 100" instead, for a percent and for a side effect, and keeps the exact numbers."""
    text = TRIAL_WITH_RESULTS.replace("  baseline:", """\
  side_effects:
    most_common:
      - name: {plain: Headache, official: Headache}
        people: {cells: {affected: 1, at_risk: 243}}
  baseline:""") + """\
      - measure: People who had a rash
        kind: percent
        unit: percentage of people
        time_frame: week 24
        values:
          cells: {value: 0.4, analysed: 243}
"""
    project = make_project(tmp_path, {"content/trials/small-trial/trial.yaml": text, **SECTIONS_WITH_ELEMENTS})
    result = run_build(project)
    assert result.returncode == 0, result.stderr
    words = " ".join(BeautifulSoup((project / "site/trials/small-trial/index.html").read_text(),
                                   "html.parser").get_text().split())
    assert "1 of 243 (fewer than 1 in 100)" in words
    assert "fewer than 1 out of every 100 people (0.4% of 243 people)" in words
    assert "0 in 100" not in words and "about 0 out of" not in words
