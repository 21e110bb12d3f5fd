"""The command line as editors use it: exit codes, messages, empty sites, warnings."""
from __future__ import annotations

import json

from bs4 import BeautifulSoup

from trialsite import cli

from project import SECTION_1, TRIAL, make_project, run_build, write_files


def test_build_writes_the_site_and_says_how_to_preview(tmp_path):
    project = make_project(tmp_path)
    result = run_build(project)
    assert result.returncode == 0, result.stderr
    assert "python build.py serve" in result.stdout
    assert (project / "site/trials/small-trial/index.html").is_file()


def test_empty_content_builds_a_valid_site_that_says_so(tmp_path):
    project = make_project(tmp_path, {"content/trials/small-trial/trial.yaml": None,
                                      "content/trials/small-trial/sections/01-who.md": None,
                                      "content/trials/small-trial/sections/02-plan.md": None})
    assert not (project / "content/trials").exists()
    result = run_build(project)
    assert result.returncode == 0, result.stderr
    home = BeautifulSoup((project / "site/index.html").read_text(), "html.parser")
    assert "no trials" in home.select_one("main").get_text()


def test_unknown_key_is_a_warning_with_did_you_mean(tmp_path):
    project = make_project(tmp_path, {"content/trials/small-trial/trial.yaml": TRIAL + "sumary: typo\n"})
    result = run_build(project)
    assert result.returncode == 0
    assert 'trial.yaml:28: warning: "sumary" is not a key trialsite knows' in result.stderr
    assert 'Did you mean "summary"?' in result.stderr


def test_unused_source_is_a_warning_at_its_line(tmp_path):
    project = make_project(tmp_path, {"content/trials/small-trial/sections/02-plan.md":
                                      "---\ntitle: Plan\n---\nNo citation here.\n",
                                      "content/trials/small-trial/sections/01-who.md":
                                      SECTION_1.replace("[@reg; @paper]", "[@reg]")})
    result = run_build(project)
    assert result.returncode == 0
    assert 'trial.yaml:23: warning: the source "paper" is never cited' in result.stderr


def test_number_phase_and_american_spelling_are_accepted(tmp_path):
    project = make_project(tmp_path, {"content/trials/small-trial/trial.yaml":
                                      TRIAL.replace('phase: "2"', "phase: 2").replace("recruiting", "authorized")})
    result = run_build(project)
    assert result.returncode == 0, result.stderr
    assert "Allowed to start" in (project / "site/trials/small-trial/index.html").read_text()


def test_check_writes_nothing_and_reports_json(tmp_path, capsys, monkeypatch):
    project = make_project(tmp_path, {"content/trials/small-trial/sections/01-who.md":
                                      SECTION_1.replace("@reg]", "@nope]")})
    monkeypatch.chdir(project)
    code = cli.main(["check", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1 and report["counts"]["error"] == 1
    (file,) = [f for f in report["files"] if f["findings"] and f["findings"][0]["severity"] == "error"]
    assert file["path"] == "content/trials/small-trial/sections/01-who.md" and file["findings"][0]["line"] == 4
    assert not (project / "site").exists()


def test_strict_check_fails_on_warnings(tmp_path, monkeypatch, capsys):
    project = make_project(tmp_path, {"content/trials/small-trial/trial.yaml": TRIAL + "colour: blue\n"})
    monkeypatch.chdir(project)
    assert cli.main(["check"]) == 0
    assert cli.main(["check", "--strict"]) == 1


def test_template_override_can_extend_the_default(tmp_path):
    project = make_project(tmp_path)
    write_files(project, {"templates/trial.html":
                          '{% extends "default/trial.html" %}{% block title %}Custom: {{ trial.title }}{% endblock %}'})
    result = run_build(project)
    assert result.returncode == 0, result.stderr
    soup = BeautifulSoup((project / "site/trials/small-trial/index.html").read_text(), "html.parser")
    assert soup.title.get_text() == "Custom: A small test trial"
    assert soup.select_one("#sources"), "the rest of the default page is still there"


def test_broken_template_is_reported_with_file_and_line(tmp_path):
    project = make_project(tmp_path)
    write_files(project, {"templates/index.html": "line one\n{% if %}\n"})
    result = run_build(project)
    assert result.returncode == 1
    assert "templates/index.html:2: template error" in result.stderr
    assert "Traceback" not in result.stderr


def test_optional_facts_are_shown_when_present(tmp_path):
    extra = ("outcomes:\n  primary:\n    - {measure: Pain score, time_frame: week 12}\n"
             "start_date: 2026-03\ncollaborators: [Helper Org]\n"
             "locations:\n  - {facility: City Hospital, city: Lyon, country: France}\n"
             "contacts:\n  - {name: Study Nurse, email: nurse@example.org}\n")
    project = make_project(tmp_path, {"content/trials/small-trial/trial.yaml": TRIAL + extra})
    result = run_build(project)
    assert result.returncode == 0, result.stderr
    facts = BeautifulSoup((project / "site/trials/small-trial/index.html").read_text(), "html.parser")
    text = facts.select_one("#key-facts").get_text(" ", strip=True)
    for shown in ["Pain score (week 12)", "March 2026", "Helper Org", "1 place: see the list", "Study Nurse"]:
        assert shown in text, shown
    assert facts.select_one('#key-facts a[href="mailto:nurse@example.org"]')
    # every place is listed below the key facts, by country then city
    places = facts.select_one("#places").get_text(" ", strip=True)
    assert "France (1 place) Lyon City Hospital" in places
