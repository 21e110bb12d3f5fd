"""A tiny valid project written from strings, for tests to change one thing at a time."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SITE = """\
title: Test Trials
description: Plain-language pages for tests
language: en
publisher:
  name: Test Network
  url: https://example.org/about
  contact_email: info@example.org
disclaimer: This page explains research. It is not medical advice.
"""

TRIAL = """\
title: A small test trial
official_title: An Open-label Study of Test Cells
summary: This trial tests a new cell treatment in adults.
status: recruiting
phase: "2"
study_type: interventional
enrollment:
  count: 40
  kind: planned
conditions:
  - name: rheumatoid arthritis
    abbr: RA
interventions:
  - name: TC-1
    route: intravenous
last_reviewed: 2026-11-01
sources:
  reg:
    title: Trial record
    publisher: A registry
    url: https://example.org/reg
    accessed: 2026-10-01
  paper:
    title: A paper about it
    publisher: A journal
    url: https://example.org/paper
    accessed: 2026-10-02
"""

SECTION_1 = """\
---
title: Who is studied
---
The trial takes {{ trial.enrollment.count }} adults [@reg].
They have {{ trial.conditions[0].name }} [@reg; @paper].
"""

SECTION_2 = """\
---
title: Treatment plan
---
People get {{ trial.interventions[0].name }} [@paper].
The paper says it again [@paper].
"""

GLOSSARY = """\
intravenous:
  definition: Given into a vein.
RA:
  stands_for: rheumatoid arthritis
  definition: An illness that makes joints hurt and swell.
"""


def base_files(slug: str = "small-trial") -> dict[str, str | bytes]:
    return {
        "content/site.yaml": SITE,
        "content/glossary.yaml": GLOSSARY,
        f"content/trials/{slug}/trial.yaml": TRIAL,
        f"content/trials/{slug}/sections/01-who.md": SECTION_1,
        f"content/trials/{slug}/sections/02-plan.md": SECTION_2,
    }


def write_files(root: Path, files: dict[str, str | bytes | None]) -> Path:
    """Write {relative path: text} under root; None deletes the file."""
    for name, text in files.items():
        path = root / name
        if text is None:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def make_project(root: Path, changes: dict[str, str | bytes | None] | None = None) -> Path:
    """The tiny valid project with some files changed, added or deleted."""
    files = base_files()
    files.update(changes or {})
    return write_files(root, files)


def run_build(project: Path, *args: str, **options) -> subprocess.CompletedProcess:
    """Run build.py the way an editor does, from the project folder. options go to
    subprocess.run (e.g. preexec_fn)."""
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=project, capture_output=True,
                          text=True, timeout=120, **options)


def build_in_process(project: Path, *args: str) -> tuple[int, str]:
    """cli.main in this process (quicker than run_build, and monkeypatches apply): exit code
    and everything it printed."""
    import contextlib
    import io

    from trialsite import cli

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = cli.main(["--content", str(project / "content"), "--out", str(project / "site"), "--jobs", "1", *args])
    return code, out.getvalue()


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under folder with its bytes, to compare before and after."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def case_project(case: Path, good_site: Path, tmp_path: Path) -> tuple[Path, Path, dict[str, bytes]]:
    """A copy of a test content folder with a last good site/ in it: (project, site, site's bytes)."""
    import shutil

    project = tmp_path / "project"
    shutil.copytree(case, project, symlinks=True)
    site = project / "site"
    shutil.copytree(good_site, site)
    return project, site, snapshot(site)
