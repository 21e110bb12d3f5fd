"""Issue 8: import ClinicalTrials.gov API v2 records; "to rewrite" markers; re-import change report."""
from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from project import make_project, run_build, snapshot
from trialsite import ctgov, rewrite, words
from trialsite.diagnostics import Report
from trialsite.incremental import SiteModel
from trialsite.pipeline import prepare
from trialsite.schemas import schema_validator

FIXTURES = Path(__file__).parent / "fixtures" / "ctgov"
ACCESSED = "2026-11-28"

# What each real record says, read by hand from the JSON (not computed by the code under test):
# slug -> (enrollment count or None, schema status, schema phase, study type or None, conditions)
REAL = {
    "nct03722472-phase1-completed-with-results.json":
        ("nct03722472", 48, "completed", "1", "interventional", ["Pulmonary TB"]),
    "nct06323538-observational-recruiting.json":
        ("nct06323538", 6000, "recruiting", "not applicable", "observational",
         ["Dietary Exposure", "Diabetes Mellitus, Type 2", "Cardiovascular Diseases", "Bone Loss", "Sustainability",
          "Exposure", "Obesity", "Vitamin Deficiency", "Mineral Deficiency"]),
    "nct05288205-phase1-2-recruiting.json":
        ("nct05288205", 240, "recruiting", "1/2", "interventional",
         ["KRAS P.G12C", "Non-small Cell Lung Cancer", "Colorectal Cancer", "Pancreatic Ductal Carcinoma"]),
    "nct07062965-phase3-partial-many-sites.json":
        ("nct07062965", None, "recruiting", "3", None, ["Breast Cancer"]),
    "nct05252702-search-envelope-na.json":
        ("nct05252702", None, "completed", "not applicable", None, ["Cardiac Pacemaker, Artificial", "Bradycardia"]),
}


def project_with_record(tmp_path: Path, record) -> tuple[Path, Path]:
    """A project (site.yaml, glossary, one small trial) and a record file beside it."""
    project = make_project(tmp_path / "project")
    path = tmp_path / "record.json"
    if isinstance(record, (dict, list)):
        path.write_text(json.dumps(record), encoding="utf-8")
    else:
        path.write_bytes((FIXTURES / record).read_bytes())
    return project, path


def run_import(project: Path, record: Path, *args: str):
    return run_build(project, "import", str(record), "--accessed", ACCESSED, *args)


def load_fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def plain_wordings(value, counter=None):
    """Every wording whose plain wording is still TO REWRITE gets one ("plain words 1", ...),
    so the registry's own words can still be told apart on the page."""
    counter = counter if counter is not None else [0]
    if isinstance(value, dict):
        if value.get("plain") == "TO REWRITE":
            counter[0] += 1
            value["plain"] = f"plain words {counter[0]}"
        for item in value.values():
            plain_wordings(item, counter)
    elif isinstance(value, list):
        for item in value:
            plain_wordings(item, counter)
    return value


def rewrite_everything(folder: Path) -> None:
    """What an editor does: plain title, summary and wordings, and sections in their own words."""
    path = folder / "trial.yaml"
    facts = plain_wordings(yaml.safe_load(path.read_text(encoding="utf-8")))
    facts["title"] = "A study written in plain words"
    facts["summary"] = "This study is explained here in plain words."
    path.write_text(yaml.safe_dump(facts, sort_keys=False, allow_unicode=True), encoding="utf-8")
    sections = folder / "sections"
    sections.mkdir(exist_ok=True)
    for old in sections.glob("*.md"):
        old.unlink()
    (sections / "01-about.md").write_text("---\ntitle: About this study\n---\nThe registry lists this study "
                                          "[@ctgov].\n", encoding="utf-8")


def page_of(project: Path, slug: str) -> BeautifulSoup:
    return BeautifulSoup((project / "site" / "trials" / slug / "index.html").read_text(encoding="utf-8"),
                         "html.parser")


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_record_imports_validates_is_refused_then_builds_with_its_facts(tmp_path, name):
    slug, count, status, phase, study_type, conditions = REAL[name]
    project, record = project_with_record(tmp_path, name)
    done = run_import(project, record)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    folder = project / "content" / "trials" / slug
    facts = yaml.safe_load((folder / "trial.yaml").read_text(encoding="utf-8"))

    errors = sorted(schema_validator("trial").iter_errors(facts), key=str)
    assert not errors, errors[0].message if errors else ""
    assert facts["status"] == status and str(facts["phase"]) == phase
    # Free-text facts are wordings: the registry's words, and a plain wording still to write.
    assert [c["name"] for c in facts["conditions"]] == [{"plain": "TO REWRITE", "official": c} for c in conditions]
    assert facts.get("enrollment", {}).get("count") == count
    assert facts.get("study_type") == study_type
    nct = slug.upper()
    assert facts["registrations"] == [{"registry": "ClinicalTrials.gov", "id": nct,
                                       "url": f"https://clinicaltrials.gov/study/{nct}"}]
    assert facts["sources"]["ctgov"]["url"] == f"https://clinicaltrials.gov/study/{nct}"
    assert facts["sources"]["ctgov"]["accessed"] == ACCESSED
    assert facts["title"].startswith("TO REWRITE: ")

    refused = run_build(project)
    assert refused.returncode == 1
    title = next(n for n, line in enumerate((folder / "trial.yaml").read_text("utf-8").splitlines(), 1)
                 if line.startswith("title:"))
    assert f"content/trials/{slug}/trial.yaml:{title}: title still starts with TO REWRITE" in refused.stderr
    first = next(n for n, line in enumerate((folder / "trial.yaml").read_text("utf-8").splitlines(), 1)
                 if line.strip() == "plain: TO REWRITE")
    assert f"content/trials/{slug}/trial.yaml:{first}:" in refused.stderr  # every wording still to write
    assert not (project / "site").exists()

    rewrite_everything(folder)
    built = run_build(project)
    assert built.returncode == 0, built.stderr
    page = page_of(project, slug)
    facts_box = page.find(id="key-facts").get_text(" ", strip=True)
    assert words.STATUS[status][0] in facts_box
    assert words.PHASE[phase][0] in facts_box
    for condition in conditions:
        assert condition in facts_box
    if count is not None:
        assert f"{count:,} people" in facts_box  # numbers are written the English way: 6,000
    else:
        assert "Number of people" not in facts_box


def test_mapping_details_from_a_full_record():
    mapper = ctgov.Mapper(load_fixture("nct03722472-phase1-completed-with-results.json"), ACCESSED)
    facts = mapper.facts()
    assert facts["population"]["min_age"] == 18 and facts["population"]["max_age"] == 55
    assert facts["population"]["sexes"] == "all" and facts["population"]["healthy_volunteers"] is True
    assert facts["population"]["inclusion"].startswith("1. Males and females 18 to 55 years of age.")
    assert facts["population"]["exclusion"].startswith("1. Previous exposure to ID93 vaccines")
    assert "Exclusion Criteria" not in facts["population"]["inclusion"]
    assert facts["outcomes"]["primary"][0] == {
        "measure": {"plain": "TO REWRITE", "official": "Local Injection Site Reactogenicity"},
        "time_frame": {"plain": "TO REWRITE", "official": "7 days following each injection"}}
    assert len(facts["outcomes"]["secondary"]) == 6
    assert facts["interventions"] == [{"name": {"plain": "TO REWRITE", "official": "ID93 + GLA-SE"},
                                       "kind": "biological"}]
    assert facts["sponsor"] == {"name": "Access to Advanced Health Institute (AAHI)"}
    assert facts["start_date"] == "2018-10-02" and facts["completion_date"] == "2020-06-15"
    assert facts["locations"] == [{"facility": "Saint Louis University - Center for Vaccine Development",
                                   "city": "St Louis", "state": "Missouri", "country": "United States"}]
    assert mapper.warnings == []

    coplant = ctgov.Mapper(load_fixture("nct06323538-observational-recruiting.json"), ACCESSED).facts()
    assert coplant["short_name"] == "COPLANT"
    assert coplant["enrollment"] == {"count": 6000, "kind": "planned"}
    assert coplant["contacts"][0] == {"name": "Cornelia Weikert, Prof", "role": "contact",
                                      "phone": "+49 30 184155000", "email": "Cornelia.Weikert@bfr.bund.de"}
    vienna = {"facility": "University Vienna", "city": "Vienna", "country": "Austria", "status": "recruiting"}
    assert any({k: v for k, v in place.items() if k != "contacts"} == vienna for place in coplant["locations"])
    assert len(coplant["outcomes"]["other"]) == 2 and "interventions" not in coplant

    many = ctgov.Mapper(load_fixture("nct07062965-phase3-partial-many-sites.json"), ACCESSED)
    assert len(many.facts()["locations"]) == 39
    assert any("400 people but not whether" in w for w in many.warnings)


def test_route_only_when_the_record_states_exactly_one():
    assert ctgov.stated_route("Participants will receive an inavolisib tablet to be taken orally (PO)") == "by mouth"
    assert ctgov.stated_route("Phesgo will be administered to participants subcutaneously every 3 weeks") \
        == "subcutaneous"
    assert ctgov.stated_route("KRAS G12C inhibitor") is None
    assert ctgov.stated_route("given intravenously, then orally") is None  # two routes: not guessed


def test_skeletons_quote_the_record_and_cite_it_and_invent_nothing():
    study = load_fixture("nct05288205-phase1-2-recruiting.json")
    sections = ctgov.Mapper(study, ACCESSED).sections()
    assert sorted(sections) == ["01-about.md", "03-treatments.md", "04-who-can-take-part.md",
                                "05-what-is-measured.md"]  # no detailed description in this record
    about = sections["01-about.md"]
    summary = study["protocolSection"]["descriptionModule"]["briefSummary"]
    body = about.split("---\n", 2)[2]
    assert body == f"::: to rewrite: the record's brief summary, quoted [@ctgov]\n{summary}\n:::\n"
    for text in sections.values():
        assert len(rewrite.blocks(text.split("---\n", 2)[2])) == 1
    # Official text with a ":::" line of its own still stays inside one block, to its end.
    tricky = ctgov.skeleton("About", "brief summary", "First part.\n:::\nSecond part.")
    body = tricky.split("---\n", 2)[2]
    (first, last), = rewrite.blocks(body)
    assert body.split("\n")[last] == ":::" and "Second part." in body.split("\n")[first:last]


def test_re_import_updates_facts_reports_changes_and_never_touches_sections(tmp_path):
    study = load_fixture("nct05288205-phase1-2-recruiting.json")
    project, record = project_with_record(tmp_path, study)
    assert run_import(project, record).returncode == 0
    folder = project / "content" / "trials" / "nct05288205"
    rewrite_everything(folder)
    path = folder / "trial.yaml"
    facts = yaml.safe_load(path.read_text(encoding="utf-8"))
    facts["conditions"][1]["abbr"] = "NSCLC"  # the editor's own additions survive
    facts["sources"]["paper"] = {"title": "A paper", "url": "https://example.org/paper"}
    facts["written_by"] = "Test editors"
    path.write_text(yaml.safe_dump(facts, sort_keys=False, allow_unicode=True), encoding="utf-8")
    (folder / "sections" / "01-about.md").write_text("---\ntitle: About this study\n---\nIt tests two medicines "
                                                     "[@ctgov; @paper].\n", encoding="utf-8")
    sections_before = snapshot(folder / "sections")

    newer = copy.deepcopy(study)
    newer["protocolSection"]["statusModule"]["overallStatus"] = "COMPLETED"
    newer["protocolSection"]["designModule"]["enrollmentInfo"] = {"count": 236, "type": "ACTUAL"}
    newer["protocolSection"]["conditionsModule"]["conditions"].append("Solid Tumor")
    del newer["protocolSection"]["contactsLocationsModule"]["locations"][0]
    record.write_text(json.dumps(newer), encoding="utf-8")
    done = run_import(project, record, "--accessed", "2026-12-01")
    assert done.returncode == 0, done.stderr
    assert "status: recruiting → completed" in done.stdout
    assert "enrollment: 240 → 236" in done.stdout
    assert "enrollment kind: planned → actual" in done.stdout
    assert "conditions: added Solid Tumor" in done.stdout
    assert "locations: removed The First Affiliated Hospital of USTC Anhui Provincial Hospital (Hefei)" \
        in done.stdout
    assert "Sections were not touched" in done.stdout

    assert snapshot(folder / "sections") == sections_before
    after = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert after["title"] == "A study written in plain words"
    assert after["written_by"] == "Test editors"
    assert after["last_reviewed"] == ACCESSED  # the editor updates it after reviewing
    assert after["conditions"][1] == {"name": {"plain": "plain words 2", "official": "Non-small Cell Lung Cancer"},
                                      "abbr": "NSCLC"}
    assert after["conditions"][4] == {"name": {"plain": "TO REWRITE", "official": "Solid Tumor"}}
    assert after["sources"]["paper"]["url"] == "https://example.org/paper"
    assert after["sources"]["ctgov"]["accessed"] == "2026-12-01"
    assert after["status"] == "completed" and after["enrollment"] == {"count": 236, "kind": "actual"}
    refused = run_build(project)  # the new condition's plain wording is still to write
    assert refused.returncode == 1 and "conditions[4].name: plain: still says TO REWRITE" in refused.stderr
    path.write_text(path.read_text(encoding="utf-8").replace("plain: TO REWRITE", "plain: solid tumours"),
                    encoding="utf-8")
    built = run_build(project)
    assert built.returncode == 0, built.stderr
    assert "236 people" in page_of(project, "nct05288205").find(id="key-facts").get_text(" ", strip=True)

    again = run_import(project, record, "--accessed", "2026-12-01")
    assert again.returncode == 0 and "no new facts" in again.stdout
    assert snapshot(folder / "sections") == sections_before


def test_import_never_overwrites_another_trial(tmp_path):
    project, record = project_with_record(tmp_path, "nct03722472-phase1-completed-with-results.json")
    before = snapshot(project / "content")
    done = run_import(project, record, "--slug", "small-trial")
    assert done.returncode == 1
    assert "content/trials/small-trial/trial.yaml: this folder already holds another trial" in done.stderr
    assert snapshot(project / "content") == before


@pytest.mark.parametrize("name, message", [
    ("malformed-truncated.json", r"record\.json:47: this file is not valid JSON"),
    ("malformed-empty-search.json", r'record\.json: its "studies" list is empty'),
    ("malformed-flat-not-a-study.json", r'record\.json: the file is not a ClinicalTrials\.gov study record'),
    ("malformed-no-nct-id.json", r"record\.json: the file has no valid NCT number"),
])
def test_malformed_records_are_refused_plainly(tmp_path, name, message):
    project, record = project_with_record(tmp_path, name)
    before = snapshot(project / "content")
    done = run_import(project, record)
    assert done.returncode == 1
    assert re.search(message, done.stderr), done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert snapshot(project / "content") == before


@pytest.mark.parametrize("data, message", [
    ([1, 2, 3], "the file is not a ClinicalTrials.gov study record"),
    ({"studies": [{"protocolSection": []}]}, 'study 1 in the file is not a ClinicalTrials.gov study record'),
    ({"protocolSection": {"identificationModule": {"nctId": "NCT123"}}}, "has no valid NCT number"),
])
def test_non_study_json_is_a_clear_error(tmp_path, data, message):
    project, record = project_with_record(tmp_path, data)
    done = run_import(project, record)
    assert done.returncode == 1 and message in done.stderr and "Traceback" not in done.stderr


def test_missing_file_bad_date_and_missing_argument(tmp_path):
    project = make_project(tmp_path)
    missing = run_build(project, "import", "nowhere.json")
    assert missing.returncode == 1 and "nowhere.json: there is no such file" in missing.stderr
    bad_date = run_build(project, "import", "nowhere.json", "--accessed", "28/11/2026")
    assert bad_date.returncode == 1 and "is not a date. Write it as YYYY-MM-DD" in bad_date.stderr
    no_record = run_build(project, "import")
    assert no_record.returncode == 2 and "import needs an NCT number or a saved record" in no_record.stderr
    stray = run_build(project, "check", "record.json")
    assert stray.returncode == 2 and "only import (an NCT number or a saved record) and refresh" in stray.stderr
    two = run_build(project, "import", "a.json", "b.json")
    assert two.returncode == 2 and "import takes one NCT number or one saved record at a time" in two.stderr


def test_unknown_values_are_kept_with_a_warning_and_the_build_points_at_them(tmp_path):
    study = load_fixture("nct03722472-phase1-completed-with-results.json")
    study["protocolSection"]["statusModule"]["overallStatus"] = "PAUSED_FOR_REVIEW"  # a value the API may add
    study["protocolSection"]["designModule"]["phases"] = ["PHASE5"]
    study["protocolSection"]["armsInterventionsModule"]["interventions"][0]["type"] = "NANOBOT"
    project, record = project_with_record(tmp_path, study)
    done = run_import(project, record)
    assert done.returncode == 0, done.stderr
    assert 'status "PAUSED_FOR_REVIEW" is not a value trialsite knows; it was kept as written' in done.stderr
    assert 'phase "PHASE5" is not a value trialsite knows' in done.stderr
    assert 'intervention type "NANOBOT"' in done.stderr
    text = (project / "content" / "trials" / "nct03722472" / "trial.yaml").read_text(encoding="utf-8")
    assert "status: PAUSED_FOR_REVIEW\n" in text and "phase: PHASE5\n" in text and "kind: NANOBOT\n" in text
    line = text.split("\n").index("status: PAUSED_FOR_REVIEW") + 1
    checked = run_build(project, "check")
    assert checked.returncode == 1
    assert f"content/trials/nct03722472/trial.yaml:{line}:" in checked.stdout


def test_every_api_status_maps_to_a_schema_status():
    allowed = set(schema_validator("trial").schema["properties"]["status"]["enum"])
    api = ["ACTIVE_NOT_RECRUITING", "COMPLETED", "ENROLLING_BY_INVITATION", "NOT_YET_RECRUITING", "RECRUITING",
           "SUSPENDED", "TERMINATED", "WITHDRAWN", "AVAILABLE", "NO_LONGER_AVAILABLE", "TEMPORARILY_NOT_AVAILABLE",
           "APPROVED_FOR_MARKETING", "WITHHELD", "UNKNOWN"]
    for value in api:
        study = load_fixture("nct03722472-phase1-completed-with-results.json")
        study["protocolSection"]["statusModule"]["overallStatus"] = value
        mapper = ctgov.Mapper(study, ACCESSED)
        assert mapper.facts()["status"] in allowed, value
        assert (value in ctgov.APPROXIMATE_STATUS) == any("expanded-access" in w for w in mapper.warnings)


def test_envelope_with_several_studies_makes_one_folder_each(tmp_path):
    envelope = {"studies": [load_fixture("nct03722472-phase1-completed-with-results.json"),
                            load_fixture("nct05288205-phase1-2-recruiting.json")]}
    project, record = project_with_record(tmp_path, envelope)
    refused = run_import(project, record, "--slug", "one")
    assert refused.returncode == 1 and "this file holds 2 studies" in refused.stderr
    done = run_import(project, record)
    assert done.returncode == 0, done.stderr
    for slug in ("nct03722472", "nct05288205"):
        assert (project / "content" / "trials" / slug / "trial.yaml").is_file()


def test_a_huge_record_imports(tmp_path):
    study = load_fixture("nct07062965-phase3-partial-many-sites.json")
    sites = study["protocolSection"]["contactsLocationsModule"]["locations"]
    study["protocolSection"]["contactsLocationsModule"]["locations"] = sites * 300  # 11,700 sites
    study["resultsSection"] = {"padding": ["x" * 1000] * 3000}  # results the importer does not read
    project, record = project_with_record(tmp_path, study)
    assert record.stat().st_size > 5_000_000
    done = run_import(project, record)
    assert done.returncode == 0, done.stderr
    facts = yaml.safe_load((project / "content" / "trials" / "nct07062965" / "trial.yaml").read_text("utf-8"))
    assert len(facts["locations"]) == 11_700


def test_markers_find_blocks_and_values():
    text = "Plain.\n::: to rewrite [@ctgov]\nofficial\n:::\nmore\n::: TO REWRITE\nnever closed\n"
    assert rewrite.blocks(text) == [(1, 3), (5, 7)]
    report = Report()
    assert rewrite.check_section(text, "s.md", 4, report, preview=False)
    assert [(d.line, d.severity) for d in report.items] == [(5, "error"), (9, "error")]
    preview = rewrite.for_preview(text)
    assert len(preview.split("\n")) == len(text.split("\n"))  # later line numbers stay right
    assert "> official" in preview and ":::" not in preview


def test_preview_shows_markers_highlighted_while_build_refuses(tmp_path):
    project, record = project_with_record(tmp_path, "nct05288205-phase1-2-recruiting.json")
    assert run_import(project, record).returncode == 0
    content = project / "content"
    strict = prepare(content, None)
    assert strict.report.has_errors
    assert any(d.code == "rewrite.marker" and d.severity == "error" for d in strict.report.items)

    result = SiteModel(content, None).full()
    assert not result.report.has_errors, [d.format() for d in result.report.items]
    markers = [d for d in result.report.items if d.code == "rewrite.marker"]
    assert markers and all(d.severity == "warning" for d in markers)
    page = BeautifulSoup(result.output["trials/nct05288205/index.html"], "html.parser")
    quotes = page.select("blockquote.to-rewrite")
    assert len(quotes) == 4
    assert quotes[0].strong.get_text() == rewrite.LABEL
    assert "dose escalation phase and dose expansion phase" in quotes[0].get_text()
    assert page.h1.get_text().startswith("TO REWRITE: Phase 1/2a Study")
