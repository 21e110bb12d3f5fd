"""Real ClinicalTrials.gov records that once imported into pages with wrong numbers (issue 20).

Each expected number is read by hand from the record's JSON, not computed by the code under test.
"""
from __future__ import annotations

import json
from pathlib import Path

import yaml
from bs4 import BeautifulSoup

from project import make_project, run_build
from trialsite import ctgov_results
from trialsite.incremental import SiteModel
from trialsite.yamlfile import YAML_LIMIT

FIXTURES = Path(__file__).parent / "fixtures" / "ctgov"


def imported(tmp_path: Path, name: str) -> tuple[Path, Path, dict]:
    project = make_project(tmp_path / "project")
    done = run_build(project, "import", str(FIXTURES / name), "--accessed", "2026-12-04")
    assert done.returncode == 0, done.stderr
    folder = project / "content" / "trials" / name.split("-", 1)[0]
    return project, folder, yaml.safe_load((folder / "trial.yaml").read_text(encoding="utf-8"))


def preview(project: Path, folder: Path) -> BeautifulSoup:
    """The page as the preview shows it (official words in place of plain words still to write)."""
    result = SiteModel(project / "content", None).full()
    assert not result.report.has_errors, [d.format() for d in result.report.items if d.severity == "error"]
    return BeautifulSoup(result.output[f"trials/{folder.name}/index.html"], "html.parser")


def table(soup: BeautifulSoup, caption: str) -> list[list[str]]:
    found = soup.find("caption", string=caption).find_parent("table")
    return [[cell.get_text(" ", strip=True).split(" Official term: ")[-1] for cell in row.find_all(["th", "td"])]
            for row in found.find_all("tr")]


def test_a_group_that_starts_in_a_later_period_is_counted_there_and_not_twice(tmp_path):
    # NCT02552212: a double-blind period (Placebo 158 -> 143, CZP 159 -> 142, the extension group 0)
    # then an open-label extension (Placebo 0, CZP 0, the extension group 243 -> 206, people from both).
    project, folder, facts = imported(tmp_path, "nct02552212-two-periods-extension-group.json")
    flow = {g["name"]["official"]: (g.get("started"), g.get("finished")) for g in facts["results"]["groups"]
            if "started" in g}
    assert flow == {"Placebo": (158, 143), "CZP 200 mg Q2W": (159, 142), "SFE OL CZP 200 mg Q2W": (243, 206)}
    built = run_build(project, "check")
    assert "finished but only" not in built.stdout + built.stderr
    page = preview(project, folder)
    assert table(page, "People in each group")[1:] == [["Placebo", "158", "143", "15"], ["CZP 200 mg Q2W", "159", "142", "17"],
                                                       ["SFE OL CZP 200 mg Q2W", "243", "206", "37"]]
    # 158 + 159 + 243 is not how many took part (317): the extension's people are counted in the first groups.
    assert "people started the trial" not in page.get_text(" ")


def test_the_baseline_total_column_is_not_a_group(tmp_path):
    # NCT02552212's baseline has Placebo, CZP 200 mg Q2W and "Total Title" (317, the two added up).
    project, folder, facts = imported(tmp_path, "nct02552212-two-periods-extension-group.json")
    assert not [g for g in facts["results"]["groups"] if g["name"]["official"].startswith("Total")]
    assert facts["results"]["baseline"]["people"] == {"placebo": 158, "czp_200_mg_q2w": 159}
    rows = table(preview(project, folder), "The people at the start of the trial")
    assert rows[0] == ["What", "Placebo", "CZP 200 mg Q2W"] and rows[1] == ["People counted", "158", "159"]


def test_the_one_group_left_unmatched_by_title_is_the_arm_left(tmp_path):
    # NCT02299791: the flow says "Early Intervention Number of Patients" and "Late Interventions Number of
    # Patients"; the baseline and the outcome say "Early Intervention" and "Late Implementation".
    project, folder, facts = imported(tmp_path, "nct02299791-renamed-group-no-side-effects-counted.json")
    results = facts["results"]
    ids = [g["id"] for g in results["groups"]]
    assert len(ids) == 2
    assert results["baseline"]["people"] == dict(zip(ids, (2053, 2803)))
    values = results["measures"]["primary"][0]["values"]
    assert values == {ids[0]: {"value": 1279, "analysed": 2053}, ids[1]: {"value": 1318, "analysed": 2803}}
    rows = table(preview(project, folder), "The people at the start of the trial")
    assert rows[0] == ["What", "Early Intervention Number of Patients", "Late Interventions Number of Patients"]


def test_side_effects_nobody_was_counted_for_are_not_shown_as_0_of_0(tmp_path):
    # NCT02299791: "Adverse events were not monitored"; every group has 0 affected of 0 at risk.
    project, folder, facts = imported(tmp_path, "nct02299791-renamed-group-no-side-effects-counted.json")
    side_effects = facts["results"]["side_effects"]
    assert set(side_effects) == {"time_frame"}
    assert side_effects["time_frame"]["official"] == "Adverse events were not monitored for this cluster randomized trial."
    page = preview(project, folder)
    assert "0 of 0" not in page.get_text(" ")


def test_group_titles_that_differ_only_in_spaces_are_one_group(tmp_path):
    # NCT01874431 (ARTS-DN): eight arms; the adverse events write "Finerenone (BAY94-8862)(2.5 mg)" for the
    # flow's "Finerenone (BAY94-8862) (2.5 mg)". Serious side effects by hand from eventGroups: 5 of 96 ... 3 of 94.
    project, folder, facts = imported(tmp_path, "nct01874431-eight-groups-spacing.json")
    groups = facts["results"]["groups"]
    assert len(groups) == 8 and all("started" in g for g in groups)
    serious = facts["results"]["side_effects"]["serious"]
    by_name = {g["name"]["official"]: serious[g["id"]] for g in groups}
    assert by_name["Finerenone (BAY94-8862) (2.5 mg)"] == {"affected": 3, "at_risk": 92}
    assert by_name["Finerenone (BAY94-8862) (20 mg)"] == {"affected": 4, "at_risk": 119}
    assert by_name["Placebo"] == {"affected": 3, "at_risk": 94}
    rows = table(preview(project, folder), "People with side effects, out of the people in each group")
    assert len(rows) == 1 + 8


def test_registry_text_is_shown_without_html_entities_or_markdown_escapes(tmp_path):
    # NCT01874431 writes units as "mL&#x2F;min&#x2F;1.73m^2"; the API's Markdown escapes brackets, as in
    # NCT03722472's "ID93 + GLA-SE (2 µg ID93, 5 µg GLA) \[lyophilized, single-vial\] given as ...".
    project, folder, facts = imported(tmp_path, "nct01874431-eight-groups-spacing.json")
    units = {m["unit"]["official"] for kind in facts["results"]["measures"].values() for m in kind}
    assert "mL/min/1.73m^2" in units and not [u for u in units if "&#" in u]
    assert ctgov_results.as_read(r"(2 µg ID93, 5 µg GLA) \[lyophilized, single-vial\] given") == \
        "(2 µg ID93, 5 µg GLA) [lyophilized, single-vial] given"
    assert ctgov_results.as_read(r"a \\ b, 5 &lt; 6") == "a \\ b, 5 < 6"


def test_a_maximum_age_of_150_years_means_no_age_limit(tmp_path):
    # NCT03877224 (DETERMINE-preserved): "maximumAge": "150 Years"; the build takes ages up to 130.
    project, folder, facts = imported(tmp_path, "nct03877224-max-age-150-years.json")
    assert facts["population"]["min_age"] == 40 and "max_age" not in facts["population"]
    done = run_build(project, "import", str(FIXTURES / "nct03877224-max-age-150-years.json"), "--accessed", "2026-12-04")
    assert 'maximum age "150 Years" is older than anyone lives; it was read as no age limit' in done.stderr
    built = run_build(project, "check")
    assert "max_age" not in built.stdout + built.stderr


def test_a_measure_in_parts_is_described_once(tmp_path):
    # NCT00763412: "Body Composition" is reported for two classes, "Fat" and "Lean".
    project, folder, facts = imported(tmp_path, "nct00763412-two-groups-with-results.json")
    parts = [m for m in facts["results"]["measures"]["primary"] if m["measure"]["official"] == "Body Composition"]
    assert [p["part"]["official"] for p in parts] == ["Fat", "Lean"]
    assert "description" in parts[0] and "description" not in parts[1]


def test_import_never_writes_a_trial_yaml_too_big_to_build(tmp_path):
    # Real records can report hundreds of results in dozens of groups (NCT04955626: 111 results, 36 groups,
    # 1.1 MB of trial.yaml). Made here from NCT01874431 with its results repeated 200 times.
    record = json.loads((FIXTURES / "nct01874431-eight-groups-spacing.json").read_text(encoding="utf-8"))
    measures = record["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"]
    measures[:] = [dict(m, title=f"{m['title']} ({n})") for n in range(200) for m in measures]
    path = tmp_path / "big.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    project = make_project(tmp_path / "project")
    done = run_build(project, "import", str(path), "--accessed", "2026-12-04")
    assert done.returncode == 0, done.stderr
    assert "more results than trial.yaml can hold; the last" in done.stderr
    trial = project / "content" / "trials" / "nct01874431" / "trial.yaml"
    assert trial.stat().st_size <= YAML_LIMIT
    facts = yaml.safe_load(trial.read_text(encoding="utf-8"))
    kept = [m for kind in facts["results"]["measures"].values() for m in kind]
    assert kept[0]["measure"]["official"].endswith("(0)") and len(kept) > 500  # most of them, the first first
    assert "too big" not in run_build(project, "check").stdout


def test_a_dose_written_with_or_without_a_space_is_one_group(tmp_path):
    # NCT02157506: the flow and the results say "CXL-1427 3μg/kg/Min", the adverse events "CXL-1427 3 μg/kg/Min"
    # (serious side effects: Placebo 1 of 12, 3 μg 3 of 6, 5 μg 1 of 9, 7 μg 3 of 12, 12 μg 1 of 7).
    project, folder, facts = imported(tmp_path, "nct02157506-doses-spaced-units.json")
    groups = facts["results"]["groups"]
    assert [g["name"]["official"] for g in groups] == ["Placebo", "CXL-1427 3μg/kg/Min", "CXL-1427 5μg/kg/Min",
                                                      "CXL-1427 7μg/kg/Min", "CXL-1427 12μg/kg/Min"]
    serious = facts["results"]["side_effects"]["serious"]
    assert [(serious[g["id"]]["affected"], serious[g["id"]]["at_risk"]) for g in groups] == \
        [(1, 12), (3, 6), (1, 9), (3, 12), (1, 7)]


def _values_by_group_name(facts: dict, title: str) -> dict:
    names = {g["id"]: g["name"]["official"] for g in facts["results"]["groups"]}
    found = [m for kind in facts["results"]["measures"].values() for m in kind if m["measure"]["official"] == title]
    return {names[gid]: cell["value"] for gid, cell in found[0]["values"].items()}


def test_a_group_that_names_an_arm_and_another_treatment_is_not_that_arm(tmp_path):
    # NCT02552212: "Placebo->OL CZP (SS)" (people who switched from placebo to open-label CZP) has a CZP
    # level of 30.5 at week 12, "CZP 200 mg Q2W (SS)" 29.1; the placebo arm has none.
    project, folder, facts = imported(tmp_path, "nct02552212-two-periods-extension-group.json")
    assert _values_by_group_name(facts, "Certolizumab Pegol Plasma Concentration at Week 12") == \
        {"CZP 200 mg Q2W": 29.1, "Placebo->OL CZP (SS)": 30.5}


def test_a_pooled_group_of_two_doses_is_not_one_of_them(tmp_path):
    # NCT01191268 (AWARD-4): arms "1.5 mg LY2189265", "0.75 mg LY2189265", "Insulin Glargine"; the antibody
    # result is for "1.5 mg or 0.75 mg LY2189265" (9 people with antibodies, the other rows NA).
    project, folder, facts = imported(tmp_path, "nct01191268-pooled-doses-group.json")
    title = next(m["measure"]["official"] for kind in facts["results"]["measures"].values() for m in kind
                 if m["measure"]["official"].startswith("Number of Participants With Treatment Emergent LY2189265"))
    assert _values_by_group_name(facts, title) == {"1.5 mg or 0.75 mg LY2189265": 9}


def test_crossover_treatments_are_not_the_sequences_named_after_them(tmp_path):
    # NCT02983448: the flow has the sequences "Sham Stimulation First" and "Active Stimulation First"; the
    # results are per treatment, "Sham Stimulation" and "Active Stimulation", each given to everyone.
    project, folder, facts = imported(tmp_path, "nct02983448-crossover-conditions.json")
    flow = {g["name"]["official"] for g in facts["results"]["groups"] if "started" in g}
    assert flow == {"Sham Stimulation First", "Active Stimulation First"}
    first = facts["results"]["measures"]["primary"][0]
    names = {g["id"]: g["name"]["official"] for g in facts["results"]["groups"]}
    assert {names[gid] for gid in first["values"]} == {"Sham Stimulation", "Active Stimulation"}
