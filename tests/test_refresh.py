"""Issue 21: import NCT..., refresh, and check's freshness warnings, against a local stand-in
for the ClinicalTrials.gov API that replays saved real records (tests/registry_server.py)."""
from __future__ import annotations

import copy
import datetime
import json
import re
import socket
from pathlib import Path

import pytest

from project import build_in_process, make_project, run_build, snapshot
from registry_server import FIXTURES, Answer
from trialsite.diagnostics import Report
from trialsite.yamlfile import load_yaml_file
from trialsite.schemas import schema_validator

NCT = "NCT05288205"
SLUG = "nct05288205"
RECORD = "nct05288205-phase1-2-recruiting.json"
# Every build.py run in this file sees the same day, even when the suite runs past midnight.
DAY = datetime.date.today()
TODAY = DAY.isoformat()
NEW_PLACE = {"facility": "Centre Léon Bérard", "city": "Lyon", "country": "France", "status": "RECRUITING"}


@pytest.fixture(autouse=True)
def same_day_throughout(monkeypatch):
    midnight = datetime.datetime.combine(DAY, datetime.time(), tzinfo=datetime.timezone.utc)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(midnight.timestamp())))


def online(project: Path, api, *args: str, timeout: str = "5", retries: str = "0"):
    """build.py with the fake registry, no pause between requests, and short waits."""
    return run_build(project, *args, "--api-url", api.url, "--pause", "0", "--timeout", timeout,
                     "--retries", retries)


def lines(done) -> list[str]:
    return [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]


def trial_text(project: Path, slug: str = SLUG) -> str:
    return (project / "content" / "trials" / slug / "trial.yaml").read_text(encoding="utf-8")


def diff(before: str, after: str) -> list[str]:
    """The lines that changed, "-old" and "+new", each group of new places named by where it is."""
    import difflib
    out = []
    for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0):
        if line.startswith("@@"):
            following = after.splitlines()[int(line.split("+")[1].split(",")[0].split(" ")[0]) - 1:]
            if following and following[0].startswith("  - facility:"):
                nxt = next(x for x in following if not x.startswith(" "))
                out.append(f"@@ the last place, before {nxt} @@")
        elif not line.startswith(("+++", "---")):
            out.append(line)
    return out


def changed_record(study: dict, status: str = "COMPLETED", updated: str = "2026-01-15") -> dict:
    """The record as the registry might have it later: new status, one more place, a later date."""
    newer = copy.deepcopy(study)
    module = newer["protocolSection"]
    module["statusModule"]["overallStatus"] = status
    module["statusModule"]["lastUpdatePostDateStruct"] = {"date": updated, "type": "ACTUAL"}
    module["contactsLocationsModule"]["locations"].append(NEW_PLACE)
    return newer


def test_import_by_number_gives_what_import_of_the_saved_file_gives(tmp_path, api):
    study = api.serve(NCT, RECORD)
    fetched = make_project(tmp_path / "fetched")
    done = online(fetched, api, "import", NCT.lower())
    assert done.returncode == 0, done.stderr
    assert f"Imported into content/trials/{SLUG}/" in done.stdout

    saved = make_project(tmp_path / "saved")
    from_file = run_build(saved, "import", str(FIXTURES / RECORD), "--accessed", TODAY)
    assert from_file.returncode == 0, from_file.stderr
    assert snapshot(fetched / "content") == snapshot(saved / "content")

    folder = fetched / "content" / "trials" / SLUG
    assert json.loads((folder / "registry" / f"{NCT}.json").read_text(encoding="utf-8")) == study
    checked = load_yaml_file(folder / "registry" / "checked.yaml", Report())
    assert checked.data == {"checked": TODAY}
    assert not list(schema_validator("registry-checked").iter_errors(checked.data))
    assert "TO REWRITE" in trial_text(fetched)


def test_refresh_reports_exactly_what_changed_in_the_record(tmp_path, api):
    study = api.serve(NCT, RECORD)
    project = make_project(tmp_path / "project")
    assert online(project, api, "import", NCT).returncode == 0
    before = trial_text(project)
    api.serve(NCT, changed_record(study))

    done = online(project, api, "refresh")
    assert done.returncode == 0, done.stdout + done.stderr
    assert lines(done)[:4] == [
        f"content/trials/{SLUG}: changed (the record was updated on 2026-01-15):",
        "  status: recruiting → completed",
        "  locations: added Centre Léon Bérard (Lyon)",
        "Checked 1 trial against " + api.host + ": 1 changed, 0 unchanged, 0 failed. "
        "1 trial without a ClinicalTrials.gov number not checked."]
    assert diff(before, trial_text(project)) == [
        "-status: recruiting", "+status: completed",
        "@@ the last place, before contacts: @@",
        "+  - facility: Centre Léon Bérard", "+    city: Lyon", "+    country: France", "+    status: recruiting"]
    saved = json.loads((project / "content" / "trials" / SLUG / "registry" / f"{NCT}.json").read_text("utf-8"))
    assert saved["protocolSection"]["statusModule"]["overallStatus"] == "COMPLETED"


def test_an_unchanged_record_rewrites_nothing_but_the_day_it_was_checked(tmp_path, api):
    api.serve(NCT, RECORD)
    project = make_project(tmp_path / "project")
    assert run_build(project, "import", str(FIXTURES / RECORD), "--accessed", "2026-01-02").returncode == 0
    folder = project / "content" / "trials" / SLUG
    kept = [folder / "trial.yaml", folder / "registry" / f"{NCT}.json"]
    stamps = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in kept}
    before = snapshot(project / "content")

    done = online(project, api, "refresh", SLUG)
    assert done.returncode == 0, done.stdout
    assert lines(done)[0] == f"content/trials/{SLUG}: unchanged (the record has not changed since 2025-04-04)."
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in kept} == stamps  # not even written again
    after = snapshot(project / "content")
    assert {name for name in after if after[name] != before.get(name)} == {f"trials/{SLUG}/registry/checked.yaml"}
    assert f"checked: {TODAY}\n" in (folder / "registry" / "checked.yaml").read_text(encoding="utf-8")

    again = online(project, api, "refresh")
    assert again.returncode == 0 and snapshot(project / "content") == after


BUSY = Answer(500, b"<h1>Internal error</h1>", {"Content-Type": "text/html"})
OTHER_STUDY = (FIXTURES / "nct03722472-phase1-completed-with-results.json").read_bytes()
FAILURES = {  # name -> (what the registry does, what the editor reads)
    "unknown study": (Answer(404, b'{"message": "Study not found"}'), f"has no study {NCT} (HTTP 404)"),
    "bad number": (Answer(400, b'{"message": "bad"}'), f"did not accept {NCT} as a study number (HTTP 400)"),
    "server error": (BUSY, "had a problem of its own (HTTP 500) (tried 2 times). Try again later."),
    "web page": (Answer(200, b"<html><body>Down for maintenance</body></html>", {"Content-Type": "text/html"}),
                 "sent a web page instead of the record"),
    "cut off": (Answer(200, (FIXTURES / RECORD).read_bytes(), cut=2000), "closed the connection before the whole"),
    "not json": (Answer(200, b"{'this is': not json}"), "is not a complete study record"),
    "another study": (Answer(200, OTHER_STUDY), f"sent the record of NCT03722472 when {NCT} was asked for"),
    "never answers": (Answer(hang=True), "did not answer within 0.5 seconds (tried 2 times)"),
    "nothing listening": (None, "(connection refused)"),
}


@pytest.mark.parametrize("command", ["import", "refresh"])
@pytest.mark.parametrize("failure", sorted(FAILURES))
def test_every_failed_fetch_is_one_line_and_changes_nothing(tmp_path, api, command, failure):
    answer, message = FAILURES[failure]
    project = make_project(tmp_path / "project")
    assert run_build(project, "import", str(FIXTURES / RECORD), "--accessed", "2026-01-02").returncode == 0
    before = snapshot(project / "content")
    if answer is None:
        with socket.socket() as free:
            free.bind(("127.0.0.1", 0))
            api.url = f"http://127.0.0.1:{free.getsockname()[1]}/api/v2"  # closed below: nothing listens
    else:
        api.script(NCT, answer)
    args = ["import", NCT] if command == "import" else ["refresh"]
    done = online(project, api, *args, timeout="0.5", retries="1")
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert snapshot(project / "content") == before
    said = lines(done)
    if command == "import":
        assert len(said) == 1 and said[0].startswith(f"{NCT}: ") and message in said[0], said
    else:
        assert said[0].startswith(f"content/trials/{SLUG}: failed: ") and message in said[0], said
        assert said[1].endswith("0 changed, 0 unchanged, 1 failed. 1 trial without a ClinicalTrials.gov number "
                                "not checked.") and len(said) == 2


def test_a_mistyped_number_and_no_network(tmp_path, monkeypatch):
    project = make_project(tmp_path / "project")
    before = snapshot(project / "content")
    typo = run_build(project, "import", "NCT0528820")
    assert typo.returncode == 1 and lines(typo) == ['NCT0528820: "NCT0528820" is not an NCT number. An NCT number '
                                                    "is NCT followed by 8 digits, like NCT01234567: copy it from the "
                                                    "study's page on ClinicalTrials.gov."]

    dated = run_build(project, "import", NCT, "--accessed", "2026-01-01")
    assert dated.returncode == 2 and lines(dated) == ["--accessed is only for a saved file: a record fetched now is "
                                                      "accessed today."]

    def no_dns(*args, **kwargs):
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    code, said = build_in_process(project, "import", NCT)
    assert code == 1 and said.strip() == (f"{NCT}: could not find clinicaltrials.gov: no internet connection, or a "
                                          "wrong --api-url.")
    assert snapshot(project / "content") == before


def test_refresh_stops_asking_once_the_registry_cannot_be_reached(tmp_path, api):
    project = make_project(tmp_path / "project")
    for name in (RECORD, "nct03722472-phase1-completed-with-results.json"):
        assert run_build(project, "import", str(FIXTURES / name), "--accessed", "2026-01-02").returncode == 0
    before = snapshot(project / "content")
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        api.url = f"http://127.0.0.1:{free.getsockname()[1]}/api/v2"
    done = online(project, api, "refresh")
    assert done.returncode == 1 and snapshot(project / "content") == before
    assert "(connection refused)" in lines(done)[0]
    assert lines(done)[1] == ("content/trials/nct05288205: failed: not checked: the registry could not be reached "
                              "(see above).")


def test_refresh_of_named_trials_says_what_it_cannot_check(tmp_path, api):
    project = make_project(tmp_path / "project")
    done = online(project, api, "refresh", "small-trail", "small-trial")
    assert done.returncode == 1
    assert lines(done)[:2] == [
        'content/trials/small-trail: failed: there is no trial folder content/trials/small-trail. Did you mean '
        '"small-trial"?',
        "content/trials/small-trial: failed: trial.yaml lists no ClinicalTrials.gov number under registrations:, "
        "so there is nothing to check."]
    assert api.requests == []


EDITED = {  # what an editor does to an imported trial.yaml, as text: old -> new
    "# Facts from": "# Our page about KRAS G12C.  Checked by Ana.\n\n# Facts from",
    "status: recruiting\n": "status: recruiting   # confirmed by the sponsor\n\n",
    "      plain: TO REWRITE\n      official: Non-small Cell Lung Cancer\n":
        "      plain: \"lung cancer\"   # the words our readers use\n      official: Non-small Cell Lung Cancer\n"
        "      fr: cancer du poumon\n    abbr: NSCLC\n",
    "last_reviewed:": "my_note: 'keep this: it is mine'\nlast_reviewed:",
}


def test_the_editors_words_survive_import_refresh_and_re_import(tmp_path, api):
    study = api.serve(NCT, RECORD)
    project = make_project(tmp_path / "project")
    assert online(project, api, "import", NCT).returncode == 0
    path = project / "content" / "trials" / SLUG / "trial.yaml"
    text = trial_text(project)
    for old, new in EDITED.items():
        assert old in text
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")

    newer = changed_record(study)
    api.serve(NCT, newer)
    done = online(project, api, "refresh")
    assert done.returncode == 0, done.stdout
    refreshed = trial_text(project)
    place = "  - facility: Centre Léon Bérard\n    city: Lyon\n    country: France\n    status: recruiting\n"
    last_place = text.index("contacts:") if "contacts:" in text else text.index("start_date:")
    expected = text[:last_place] + place + text[last_place:]
    expected = expected.replace("status: recruiting   # confirmed", "status: completed    # confirmed", 1)
    assert refreshed == expected

    record = tmp_path / "newer.json"
    record.write_text(json.dumps(newer), encoding="utf-8")
    for again in (run_build(project, "import", str(record), "--accessed", TODAY), online(project, api, "import", NCT)):
        assert again.returncode == 0 and "the record has no new facts. Nothing changed." in again.stdout
        assert trial_text(project) == expected

    later = run_build(project, "import", str(record), "--accessed", "2027-01-04")  # the same record, saved later
    assert later.returncode == 0 and "no new facts; only the day it was accessed (sources: ctgov) changed" in \
        later.stdout
    assert diff(expected, trial_text(project)) == [f"-    accessed: '{TODAY}'", "+    accessed: '2027-01-04'"]
    assert online(project, api, "import", NCT).returncode == 0 and trial_text(project) == expected

    reworded = copy.deepcopy(newer)
    reworded["protocolSection"]["conditionsModule"]["conditions"][1] = "Carcinoma, Non-Small-Cell Lung"
    reworded["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = "2026-02-01"
    api.serve(NCT, reworded)
    done = online(project, api, "refresh")
    line = trial_text(project).splitlines().index('      plain: "lung cancer"   # the words our readers use') + 1
    assert ("  conditions: Non-small Cell Lung Cancer: official wording changed: Non-small Cell Lung Cancer → "
            f"Carcinoma, Non-Small-Cell Lung (check your plain wording at line {line})") in done.stdout
    assert trial_text(project) == expected.replace("official: Non-small Cell Lung Cancer",
                                                   "official: Carcinoma, Non-Small-Cell Lung")


def test_check_warns_when_facts_are_old_or_the_saved_record_says_otherwise(tmp_path):
    name = "nct03722472-phase1-completed-with-results.json"
    project = make_project(tmp_path / "project")
    assert run_build(project, "import", str(FIXTURES / name), "--accessed", "2001-02-03").returncode == 0
    path = project / "content" / "trials" / "nct03722472" / "trial.yaml"
    text = path.read_text(encoding="utf-8").replace("status: completed\n", "status: recruiting\n")
    path.write_text(text, encoding="utf-8")
    numbered = text.splitlines()
    registration = numbered.index("  - registry: ClinicalTrials.gov") + 1
    status = numbered.index("status: recruiting") + 1
    where = "content/trials/nct03722472/trial.yaml"
    days = (DAY - datetime.date(2001, 2, 3)).days

    checked = run_build(project, "check")
    assert (f"{where}:{registration}: warning: the facts from ClinicalTrials.gov were last checked on 2001-02-03, "
            f"{days} days ago (site.yaml asks for every 30 days). Run: python build.py refresh nct03722472, then "
            "review what changed.") in checked.stdout
    assert (f'{where}:{status}: warning: the ClinicalTrials.gov record saved in registry/NCT03722472.json says the '
            'trial is "completed", but status: says "recruiting". Change status: if the record is right, or run '
            "python build.py refresh nct03722472 to fetch it again.") in checked.stdout
    # A warning since trial.yaml can hold results: (issue 20). This record was saved without its resultsSection.
    assert (f"{where}:{status}: warning: the ClinicalTrials.gov record saved in registry/NCT03722472.json has results, "
            "but this page shows none.") in checked.stdout

    site = project / "content" / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "refresh_after_days: 100000\n", encoding="utf-8")
    relaxed = run_build(project, "check")
    assert "last checked on" not in relaxed.stdout and "refresh_after_days" not in relaxed.stdout
    assert 'says the trial is "completed"' in relaxed.stdout

    (path.parent / "registry" / "checked.yaml").unlink()
    missing = run_build(project, "check")
    assert f"{where}:{registration}: warning: there is no record of when these facts were last checked" in \
        missing.stdout


def test_a_built_page_says_when_its_facts_were_checked(tmp_path):
    from test_import import rewrite_everything
    project = make_project(tmp_path / "project")
    assert run_build(project, "import", str(FIXTURES / RECORD), "--accessed", "2026-11-28").returncode == 0
    rewrite_everything(project / "content" / "trials" / SLUG)
    built = run_build(project)
    assert built.returncode == 0, built.stderr
    assert "registry" not in built.stderr  # the registry/ folder is no section and no stray file
    page = (project / "site" / "trials" / SLUG / "index.html").read_text(encoding="utf-8")
    about = page[page.index('id="about-page"'):page.index("</aside>", page.index('id="about-page"'))]
    reviewed = re.search(r'Last reviewed <time datetime="2026-11-28">([^<]+)</time>', about).group(1)  # same day
    assert f'Facts checked against the registry on <time datetime="2026-11-28">{reviewed}</time>.' in about
    other = (project / "site" / "trials" / "small-trial" / "index.html").read_text(encoding="utf-8")
    assert "Facts checked against the registry" not in other  # not from a registry: no such sentence


def test_a_trial_yaml_that_cannot_be_merged_is_left_alone(tmp_path, api):
    study = api.serve(NCT, RECORD)
    project = make_project(tmp_path / "project")
    assert run_build(project, "import", str(FIXTURES / RECORD), "--accessed", "2026-01-02").returncode == 0
    api.serve(NCT, changed_record(study))
    path = project / "content" / "trials" / SLUG / "trial.yaml"
    text = trial_text(project)
    broken = text.replace("status: recruiting\n", "status: [recruiting\n")
    path.write_text(broken, encoding="utf-8")
    before = snapshot(project / "content")
    done = online(project, api, "refresh")
    assert done.returncode == 1 and snapshot(project / "content") == before
    line = broken.splitlines().index("status: [recruiting") + 1
    assert lines(done)[0].startswith(f"content/trials/{SLUG}: failed: content/trials/{SLUG}/trial.yaml:{line}: "
                                     "this is not valid YAML")

    # aliases: a few lines that stand for very many values are refused, not expanded
    path.write_text(text.replace("conditions:\n", "conditions: &all\n").replace("sources:", "again: *all\nsources:"),
                    encoding="utf-8")
    before = snapshot(project / "content")
    done = online(project, api, "import", NCT)
    assert done.returncode == 1 and snapshot(project / "content") == before
    assert "repeats parts of itself with YAML aliases (& and *)" in done.stderr


def test_import_makes_the_trials_folder_when_there_is_none(tmp_path, api):
    api.serve(NCT, RECORD)
    project = make_project(tmp_path / "project")
    for path in sorted((project / "content" / "trials").rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    (project / "content" / "trials").rmdir()
    done = online(project, api, "import", NCT)
    assert done.returncode == 0, done.stderr
    assert (project / "content" / "trials" / SLUG / "trial.yaml").is_file()


@pytest.mark.parametrize("damage, message", [
    (b"checked: \0\n", "this line contains a NUL byte"),
    (b"checked: [2026-01-01\n", "this is not valid YAML"),
    (b"checked: next week\n", "checked: should be the day the facts were last compared with the registry"),
])
def test_a_damaged_checked_yaml_is_a_warning_and_the_page_leaves_the_day_out(tmp_path, damage, message):
    from test_import import rewrite_everything
    project = make_project(tmp_path / "project")
    assert run_build(project, "import", str(FIXTURES / RECORD), "--accessed", "2026-11-28").returncode == 0
    folder = project / "content" / "trials" / SLUG
    rewrite_everything(folder)
    (folder / "registry" / "checked.yaml").write_bytes(damage)
    built = run_build(project)
    assert built.returncode == 0, built.stderr
    assert f"content/trials/{SLUG}/registry/checked.yaml:1: warning: {message}" in built.stderr
    assert f"run python build.py refresh {SLUG} to write it again" in built.stderr
    assert "Facts checked against" not in (project / "site" / "trials" / SLUG / "index.html").read_text("utf-8")


def test_source_date_epoch_is_the_day_import_writes(tmp_path, monkeypatch):
    """Reproducible reruns: SOURCE_DATE_EPOCH, when set, is "today" for import, refresh and check."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1000000000")  # 2001-09-09 01:46:40 UTC
    project = make_project(tmp_path)
    assert run_build(project, "import", str(FIXTURES / RECORD)).returncode == 0
    assert "accessed: '2001-09-09'" in trial_text(project)
    checked = project / "content" / "trials" / SLUG / "registry" / "checked.yaml"
    assert checked.read_text(encoding="utf-8").endswith("checked: 2001-09-09\n")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "not a number")
    assert run_build(project, "import", str(FIXTURES / RECORD)).returncode == 0
    assert f"checked: {datetime.date.today().isoformat()}" in checked.read_text(encoding="utf-8")
