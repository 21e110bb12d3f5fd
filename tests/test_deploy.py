"""Issue 21: the ready-made workflows in deploy/ are valid, run the README's commands, and their
weekly refresh opens a change for an editor (run here with git, a local remote and a stand-in
for GitHub's `gh`), never publishing by itself."""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from project import ROOT, make_project, run_build
from registry_server import FIXTURES, fake_registry
from test_refresh import NCT, RECORD, TODAY, changed_record

GITHUB = ROOT / "deploy" / "github-pages.yml"
GITLAB = ROOT / "deploy" / "gitlab-ci.yml"
README = (ROOT / "README.md").read_text(encoding="utf-8")


def github() -> dict:
    return yaml.safe_load(GITHUB.read_text(encoding="utf-8"))


def gitlab() -> dict:
    return yaml.safe_load(GITLAB.read_text(encoding="utf-8"))


def steps(job: dict) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def commands(scripts: list[str]) -> list[list[str]]:
    """Every `python build.py ...` and `pip install ...` in shell scripts, as words, up to the
    first redirection or || (what the shell adds around the command)."""
    found = []
    for script in scripts:
        for line in script.replace("\\\n", " ").splitlines():
            line = line.split(" #")[0].strip()
            if line.startswith(("python build.py", "pip install")):
                found.append(shlex.split(re.split(r"\s(?:>|\|\||&&)", line)[0]))
    return found


def test_the_workflows_are_valid_and_publish_only_from_the_main_branch():
    flow = github()
    on = flow.get("on", flow.get(True))  # YAML 1.1 reads the key `on` as true
    assert set(on) == {"push", "pull_request", "schedule", "workflow_dispatch"}
    assert on["push"]["branches"] == ["main"] and re.fullmatch(r"[\d*]+ [\d*]+ \* \* \d", on["schedule"][0]["cron"])
    jobs = flow["jobs"]
    assert set(jobs) == {"build", "publish", "refresh"}
    assert jobs["publish"]["needs"] == "build" and "pull_request" not in jobs["publish"]["if"]
    assert "schedule" not in jobs["publish"]["if"] and "schedule" not in jobs["build"]["if"]
    assert jobs["publish"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert jobs["refresh"]["permissions"] == {"contents": "write", "pull-requests": "write"}
    upload = next(s for s in jobs["build"]["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "site/"
    assert not any("deploy-pages" in s.get("uses", "") for s in jobs["refresh"]["steps"])  # never publishes

    lab = gitlab()
    assert lab["stages"] == ["check", "publish", "refresh"]
    assert lab["pages"]["artifacts"]["paths"] == ["public"]
    assert {"if": '$CI_PIPELINE_SOURCE == "schedule"', "when": "never"} in lab["pages"]["rules"]
    assert lab["refresh"]["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "schedule"'}]
    assert "pages" not in " ".join(lab["refresh"]["script"])


def workflow_commands() -> list[list[str]]:
    flow, lab = github(), gitlab()
    scripts = [run for job in flow["jobs"].values() if "steps" in job for run in steps(job)]
    scripts += lab["default"]["before_script"] + [line for name in ("check", "pages", "refresh")
                                                  for line in lab[name]["script"]]
    return commands(scripts)


def test_the_workflows_run_the_commands_the_readme_documents():
    section = README[README.index("## Put the site online"):]
    section = section[:section.index("\n## ")]
    documented = commands([block for block in re.findall(r"```sh\n(.*?)```", section, re.S)])
    assert ["python", "build.py", "check", "--strict"] in documented
    assert ["python", "build.py", "refresh"] in documented
    assert ["pip", "install", "-r", "requirements.txt", "-e", "."] in documented
    used = workflow_commands()
    assert {tuple(c[:3]) for c in used if c[0] == "python"} == {
        ("python", "build.py", "check"), ("python", "build.py", "refresh"), ("python", "build.py", "--base-url"),
        ("python", "build.py")}
    for command in used:
        if command[0] == "pip":
            assert command in documented
            continue
        for word in command[2:]:
            if word.startswith("--"):
                assert f"`{word}" in README, f"{word} is used by a workflow but not explained in the README"
        assert command[:3] in [d[:3] for d in documented] or command == ["python", "build.py"]


def test_the_workflows_commands_work_on_the_example_site(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(ROOT / "content", project / "content")
    with fake_registry() as api:
        for command in workflow_commands():
            if command[0] == "pip":
                continue
            args = [re.sub(r"\$\w+/", "https://example.org/trials/", word) for word in command[2:]]
            if "refresh" in args:
                args += ["--api-url", api.url, "--pause", "0"]
            done = run_build(project, *args)
            assert done.returncode == 0, (args, done.stdout, done.stderr)
            if "--base-url" in args:  # the address online, for shared links and the sitemap
                out = project / ("public" if "--out" in args else "site")
                assert 'rel="canonical" href="https://example.org/trials/"' in (out / "index.html").read_text("utf-8")
                assert "<loc>https://example.org/trials/trials/allonk-rituximab-rheumatic/</loc>" in \
                    (out / "sitemap.xml").read_text(encoding="utf-8")
    assert run_build(project, "--base-url", "javascript:alert(1)").returncode == 2


FAKE_GH = """#!/bin/sh
# Records what the workflow asks GitHub to do. Once a pull request exists, "create" fails (as gh does).
echo "$*" >> "$GH_LOG"
if [ "$2" = "create" ] && [ -e "$GH_LOG.opened" ]; then exit 1; fi
if [ "$2" = "create" ]; then touch "$GH_LOG.opened"; cp body.md "$GH_LOG.body"; fi
"""

PYTHON_SHIM = """#!/bin/sh
# The workflow's python. A site's repository is a copy of trialsite, with build.py at its top: here
# that is this checkout. refresh is pointed at the local stand-in for ClinicalTrials.gov.
script="$1"; shift
[ "$script" = "build.py" ] && script="{root}/build.py"
if [ "$1" = "refresh" ]; then exec "{python}" "$script" "$@" --api-url "{api}" --pause 0; fi
exec "{python}" "$script" "$@"
"""


def git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repository(tmp_path):
    """A site's repository on main with one trial imported in January, and its remote."""
    if shutil.which("git") is None:
        pytest.fail("git is needed to run the workflows' refresh jobs")
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    git(remote, "config", "receive.advertisePushOptions", "true")
    work = make_project(tmp_path / "work")
    assert run_build(work, "import", str(FIXTURES / RECORD), "--accessed", "2026-01-02").returncode == 0
    git(work, "init", "-q", "-b", "main")
    git(work, "config", "user.name", "Editor")
    git(work, "config", "user.email", "editor@example.org")
    git(work, "add", "content")
    git(work, "commit", "-q", "-m", "A trial")
    git(work, "remote", "add", "origin", str(remote))
    git(work, "push", "-q", "origin", "main")
    return work, remote


def run_script(script: str, work: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=work, env=env,
                          capture_output=True, text=True, timeout=120)


def shims(tmp_path: Path, api_url: str) -> dict:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").write_text(PYTHON_SHIM.format(python=sys.executable, api=api_url, root=ROOT), encoding="utf-8")
    (bin_dir / "gh").write_text(FAKE_GH, encoding="utf-8")
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "GH_LOG": str(tmp_path / "gh.log"),
            "GIT_AUTHOR_DATE": "", "GIT_COMMITTER_DATE": ""}


def test_the_github_weekly_check_opens_a_pull_request_to_review(tmp_path, repository):
    work, remote = repository
    job = github()["jobs"]["refresh"]
    check, open_request, fail = [s for s in job["steps"] if "run" in s][1:]
    with fake_registry() as api:
        api.serve(NCT, changed_record(api.serve(NCT, RECORD)))
        env = shims(tmp_path, api.url) | {"GITHUB_OUTPUT": str(tmp_path / "output"), "BASE": "main", "GH_TOKEN": "x"}
        for attempt in (1, 2):  # the second week: the same pull request is updated
            git(work, "checkout", "-q", "main")
            git(work, "reset", "-q", "--hard", "origin/main")
            for step in (check, open_request):
                done = run_script(step["run"], work, env)
                assert done.returncode == 0, done.stdout + done.stderr
            assert "status=0" in (tmp_path / "output").read_text().splitlines()[-1]
    assert "content/trials/nct05288205: changed (the record was updated on 2026-01-15):" in done.stdout + \
        (work / "refresh.txt").read_text(encoding="utf-8")
    calls = (tmp_path / "gh.log").read_text().splitlines()
    title = f"Facts checked against ClinicalTrials.gov on {TODAY}"
    assert calls == [f"pr create --base main --head trialsite-refresh --title {title} --body-file body.md",
                     f"pr create --base main --head trialsite-refresh --title {title} --body-file body.md",
                     f"pr edit trialsite-refresh --title {title} --body-file body.md"]
    body = (tmp_path / "gh.log.body").read_text(encoding="utf-8")
    assert "  status: recruiting → completed" in body and "python build.py check says" in body
    changed = git(remote, "diff", "--name-only", "main", "trialsite-refresh").split()
    assert "content/trials/nct05288205/trial.yaml" in changed
    assert git(remote, "rev-parse", "main") == git(work, "rev-parse", "origin/main")  # main itself untouched
    assert fail["if"] == "steps.refresh.outputs.status != '0'"


def test_the_gitlab_weekly_check_opens_a_merge_request_to_review(tmp_path, repository):
    work, remote = repository
    script = "\n".join(gitlab()["refresh"]["script"])
    project_url = "https://oauth2:secret@gitlab.invalid/group/site.git"
    git(work, "config", f"url.{remote}.insteadOf", project_url)
    with fake_registry() as api:
        api.serve(NCT, changed_record(api.serve(NCT, RECORD)))
        env = shims(tmp_path, api.url) | {"REFRESH_TOKEN": "secret", "CI_SERVER_HOST": "gitlab.invalid",
                                          "CI_PROJECT_PATH": "group/site", "CI_DEFAULT_BRANCH": "main"}
        done = run_script(script, work, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "status: recruiting → completed" in done.stdout
    assert "content/trials/nct05288205/trial.yaml" in git(remote, "diff", "--name-only", "main",
                                                           "trialsite-refresh").split()

    (tmp_path / "again").mkdir()
    api_down = shims(tmp_path / "again", "http://127.0.0.1:9/api/v2")  # nothing listens there
    git(work, "checkout", "-q", "main")
    failed = run_script(script, work, api_down | {"REFRESH_TOKEN": "secret", "CI_SERVER_HOST": "gitlab.invalid",
                                                  "CI_PROJECT_PATH": "group/site", "CI_DEFAULT_BRANCH": "main"})
    assert failed.returncode == 1 and "Nothing changed in content/." in failed.stdout
