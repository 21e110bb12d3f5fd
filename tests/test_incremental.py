"""Cached and incremental builds give exactly the bytes of a clean full build (issue 6)."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trialsite.pipeline import prepare
from trialsite.serve import PreviewState

from project import SECTION_2, TRIAL, make_project, run_build, snapshot, write_files

SLUG = "small-trial"


def test_warm_build_after_an_edit_equals_a_cold_build(tmp_path):
    project = make_project(tmp_path / "p")
    assert run_build(project).returncode == 0
    assert (project / ".trialsite-cache").is_dir()
    section = project / f"content/trials/{SLUG}/sections/02-plan.md"
    section.write_text(section.read_text() + "\nA new sentence [@reg].\n")
    assert run_build(project).returncode == 0  # warm: the cache is used
    warm = snapshot(project / "site")
    assert b"A new sentence" in warm[f"trials/{SLUG}/index.html"]
    shutil.rmtree(project / ".trialsite-cache")
    assert run_build(project, "--no-cache").returncode == 0
    assert not (project / ".trialsite-cache").exists(), "--no-cache neither reads nor writes the cache"
    assert snapshot(project / "site") == warm
    assert run_build(project).returncode == 0  # deleting the cache is always safe
    assert snapshot(project / "site") == warm


def test_a_broken_cache_entry_is_just_computed_again(tmp_path):
    project = make_project(tmp_path / "p")
    assert run_build(project).returncode == 0
    good = snapshot(project / "site")
    cache = project / ".trialsite-cache"
    broken = [*cache.glob("*.pickle"), *cache.glob("compiled-*/*")]
    assert broken, "compiled templates are kept"
    for entry in broken:
        entry.write_bytes(b"not a pickle")
    stream = cache / "site-pages.stream"  # cut short: the first pages are read, then it ends
    stream.write_bytes(stream.read_bytes()[: stream.stat().st_size // 2])
    index = sorted(p for p in (cache / "search").rglob("*") if p.is_file() and not p.name.startswith("."))
    index[0].write_bytes(b"cut")
    result = run_build(project)
    assert result.returncode == 0, result.stderr
    assert snapshot(project / "site") == good
    assert (cache / "site-pages.stream").stat().st_size > stream.stat().st_size // 2 + 1, "made and saved again"


def test_site_pages_and_search_index_come_from_the_cache_a_file_at_a_time(tmp_path, monkeypatch):
    """Saved one page at a time and read back the same way: at 10,000 trials they are ~90 MB."""
    from trialsite import indexer, pipeline

    project = make_project(tmp_path / "p")
    content, site = project / "content", project / "site"
    assert not pipeline.build(content, None, site).report.has_errors
    good = snapshot(site)
    monkeypatch.setattr(pipeline, "render_site_pages", lambda *a: (_ for _ in ()).throw(AssertionError("rendered")))
    monkeypatch.setattr(indexer, "start_pagefind", lambda *a: (_ for _ in ()).throw(AssertionError("indexed")))
    shutil.rmtree(site)
    assert not pipeline.build(content, None, site).report.has_errors
    assert snapshot(site) == good


@pytest.mark.parametrize("same_disk", [True, False])
def test_a_new_search_index_is_kept_for_the_next_build(tmp_path, monkeypatch, same_disk):
    """Moved into the cache when it can be (no copying of thousands of small files), copied when
    the output folder is on another disk; either way the next build does not run Pagefind."""
    from trialsite import cache, indexer, pipeline

    project = make_project(tmp_path / "p")
    content, site = project / "content", project / "site"
    real_rename = os.rename

    def rename(source, target):
        if ".pagefind-new" in str(source) and not same_disk:
            raise OSError(18, "Invalid cross-device link")
        return real_rename(source, target)

    monkeypatch.setattr(cache.os, "rename", rename)
    assert not pipeline.build(content, None, site).report.has_errors
    good = snapshot(site)
    [saved] = (project / ".trialsite-cache" / "search").iterdir()  # one trial: one shard
    assert {f"pagefind/{name}" for name in json.loads((saved / cache.FOLDER_LIST).read_text())} == \
        {name for name in good if name.startswith("pagefind/")}
    assert not list(site.rglob(".pagefind-new")), "nothing left behind in the site"
    monkeypatch.setattr(indexer, "start_pagefind", lambda *a: (_ for _ in ()).throw(AssertionError("indexed")))
    shutil.rmtree(site)
    assert not pipeline.build(content, None, site).report.has_errors
    assert snapshot(site) == good


def test_errors_are_reported_again_from_the_cache(tmp_path):
    project = make_project(tmp_path / "p", {f"content/trials/{SLUG}/sections/02-plan.md":
                                            SECTION_2.replace("[@paper]", "[@nope]", 1)})
    first, second = run_build(project), run_build(project)
    assert first.returncode == second.returncode == 1
    assert "02-plan.md:4:" in first.stderr and "02-plan.md:4:" in second.stderr


def test_a_warm_build_writes_only_what_changed_and_reuses_the_search_index(tmp_path, monkeypatch):
    from trialsite import indexer
    from trialsite.pipeline import build

    runs = []
    real = indexer.pagefind_command
    monkeypatch.setattr(indexer, "pagefind_command", lambda *a, **k: runs.append(1) or real(*a, **k))
    project = make_project(tmp_path / "p")
    content, site = project / "content", project / "site"
    assert not build(content, None, site).report.has_errors
    first = {name: os.stat(site / name).st_ino for name in snapshot(site)}
    assert not build(content, None, site).report.has_errors
    assert len(runs) == 1, "nothing changed: the search index is reused, not made again"
    section = content / f"trials/{SLUG}/sections/02-plan.md"
    section.write_text(section.read_text() + "\nA new sentence [@reg].\n")
    assert not build(content, None, site).report.has_errors
    assert len(runs) == 2, "a trial page changed: the search index is made again"
    now = {name: os.stat(site / name).st_ino for name in snapshot(site)}
    page = f"trials/{SLUG}/index.html"
    assert now[page] != first[page], "the edited page was written"
    assert now["assets/style.css"] == first["assets/style.css"], "an unchanged file was left as it was"
    assert sum(now[n] == first.get(n) for n in now) > len(now) / 2
    warm = snapshot(site)
    assert not build(content, None, site, use_cache=False).report.has_errors
    assert snapshot(site) == warm, "byte-identical to a build from nothing"


def test_an_unchanged_search_index_is_not_even_read(tmp_path, monkeypatch):
    """The cached index lists each file's hash: files the reused folder already has are skipped."""
    from trialsite import pipeline, write

    project = make_project(tmp_path / "p")
    content, site = project / "content", project / "site"
    for _ in range(2):  # the second build makes the folder the third one reuses
        assert not pipeline.build(content, None, site).report.has_errors
    read = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self.as_posix()) or real(self))
    written = []
    real_write = write.Stage.write
    monkeypatch.setattr(write.Stage, "write", lambda self, name, data: written.append(name) or real_write(self, name, data))
    good = snapshot(site)
    assert not pipeline.build(content, None, site).report.has_errors
    assert not [p for p in read if ".trialsite-cache/search/" in p], "no file of the cached index was read"
    assert any(name.startswith("pagefind/") for name in good) and not [n for n in written if n.startswith("pagefind/")]
    monkeypatch.undo()
    assert snapshot(site) == good


def test_cached_trial_pages_are_read_only_when_the_output_lacks_them(tmp_path, monkeypatch):
    """A trial's pages are cached apart from its light result, with their hashes: a warm build
    reads them only for files the reused folder does not already hold; damaged, they are made again."""
    from trialsite import cache, pipeline

    project = make_project(tmp_path / "p")
    content, site = project / "content", project / "site"
    for _ in range(2):  # the second build makes the folder the third one reuses
        assert not pipeline.build(content, None, site).report.has_errors
    good = snapshot(site)
    reads = []
    real = cache.DiskCache.get
    monkeypatch.setattr(cache.DiskCache, "get", lambda self, key, suffix=".pickle": reads.append(suffix) or real(self, key, suffix))
    result = pipeline.build(content, None, site)
    assert not result.report.has_errors and snapshot(site) == good
    assert ".pickle" in reads and ".pages" not in reads, "nothing edited: no cached page is read"
    assert result.written == len(good) - sum(name.startswith("pagefind/") for name in good)
    for pages in (project / ".trialsite-cache").glob("*.pages"):
        pages.write_bytes(b"damaged")
    shutil.rmtree(site)
    shutil.rmtree(project / ".site.spare")
    reads.clear()
    assert not pipeline.build(content, None, site).report.has_errors
    assert ".pages" in reads and snapshot(site) == good, "a fresh folder needs the pages: damaged, they are made again"


# --- every sequence of edits in the preview gives what a clean build gives ---

EDITS = st.sampled_from(["section", "title", "add", "delete", "rename", "glossary", "template", "break", "site"])


def apply(edit: str, project: Path, step: int) -> None:
    content = project / "content"
    trials = sorted(p for p in (content / "trials").iterdir() if p.is_dir()) if (content / "trials").is_dir() else []
    if edit == "section" and trials:
        path = trials[0] / "sections" / "02-plan.md"
        path.write_text(SECTION_2 + f"\nEdit number {step} [@reg].\n")
    elif edit == "title" and trials:
        (trials[-1] / "trial.yaml").write_text(TRIAL.replace("A small test trial", f"Trial title {step}"))
    elif edit == "add":
        source = project / "spare"
        write_files(source, {"trial.yaml": TRIAL.replace("A small test trial", f"Added {step}"),
                             "sections/01-a.md": f"---\ntitle: Added\n---\nAdded text {step} [@reg].\n"})
        shutil.copytree(source, content / "trials" / f"added-{step}", dirs_exist_ok=True)
        shutil.rmtree(source)
    elif edit == "delete" and trials:
        shutil.rmtree(trials[-1])
    elif edit == "rename" and trials:
        trials[0].rename(trials[0].with_name(f"renamed-{step}"))
    elif edit == "glossary":
        (content / "glossary.yaml").write_text(f"word{step}:\n  definition: Meaning {step}.\n")
    elif edit == "template":
        write_files(project, {"templates/index.html": '{% extends "default/index.html" %}'
                              f"{{% block title %}}Home {step}{{% endblock %}}"})
    elif edit == "break" and trials:
        (trials[0] / "trial.yaml").write_text("status: [\n")
    elif edit == "site":
        site = (content / "site.yaml").read_text()
        (content / "site.yaml").write_text(site.replace("Test Trials", f"Test Trials {step}"))


def inputs(project: Path) -> dict[str, bytes]:
    files = {}
    for folder in ("content", "templates"):
        if (project / folder).is_dir():
            files.update({f"{folder}/{k}": v for k, v in snapshot(project / folder).items()})
    return files


def test_saving_one_section_renders_only_its_page(tmp_path):
    project = make_project(tmp_path / "p")
    write_files(project, {"content/trials/other/trial.yaml": TRIAL.replace("A small test trial", "Other"),
                          "content/trials/other/sections/01-a.md": "---\ntitle: A\n---\nText [@reg].\n"})
    preview = PreviewState(project / "content", None)
    preview.rebuild()
    section = project / f"content/trials/{SLUG}/sections/02-plan.md"
    section.write_text(SECTION_2 + "\nOne more sentence [@reg].\n")
    preview.rebuild({section})
    assert preview.model.rendered == 1, "the home page and the other trial were not touched"
    assert b"One more sentence" in preview.output[f"trials/{SLUG}/index.html"]
    trial = project / f"content/trials/{SLUG}/trial.yaml"
    trial.write_text(TRIAL.replace("A small test trial", "A renamed trial"))
    preview.rebuild({trial})
    assert preview.model.rendered > 1, "a new title changes the home page too"
    assert b"A renamed trial" in preview.output["index.html"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(EDITS, min_size=1, max_size=6))
def test_preview_after_any_edits_equals_a_clean_build(tmp_path_factory, edits):
    project = make_project(tmp_path_factory.mktemp("p"))
    templates = project / "templates"
    preview = PreviewState(project / "content", templates)
    preview.rebuild()
    for step, edit in enumerate(edits):
        before = inputs(project)
        apply(edit, project, step)
        after = inputs(project)
        saved = {project / name for name in set(before) | set(after) if before.get(name) != after.get(name)}
        incremental = preview.rebuild(saved)  # only what the saved files affect
        clean = prepare(project / "content", templates, preview=True)  # the preview adds its checks panel
        assert [d.format() for d in incremental.report.sorted()] == [d.format() for d in clean.report.sorted()]
        if not clean.report.has_errors:
            assert preview.output == clean.output, f"after {edits[:step + 1]}"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(EDITS, min_size=1, max_size=4))
def test_warm_builds_after_any_edits_equal_a_build_from_nothing(tmp_path_factory, edits):
    """The cache, the reused folder of the build before last and the reused search index,
    after any sequence of edits: the same bytes as --no-cache, or the same errors."""
    from trialsite.pipeline import build

    project = make_project(tmp_path_factory.mktemp("w"))
    content, templates, site = project / "content", project / "templates", project / "site"
    build(content, templates, site)
    for step, edit in enumerate(edits):
        apply(edit, project, step)
        before = snapshot(site) if site.exists() else None
        warm = build(content, templates, site)
        clean = build(content, templates, project / f"clean-{step}", use_cache=False)
        assert [d.format() for d in warm.report.sorted()] == [d.format() for d in clean.report.sorted()]
        if clean.report.has_errors:
            assert (snapshot(site) if site.exists() else None) == before, "a failed build changed nothing"
        else:
            assert snapshot(site) == snapshot(project / f"clean-{step}"), f"after {edits[:step + 1]}"


def test_a_failed_search_index_keeps_the_last_good_site(tmp_path, monkeypatch):
    import sys

    from trialsite import indexer
    from trialsite.pipeline import build

    project = make_project(tmp_path / "p")
    content, site = project / "content", project / "site"
    assert not build(content, None, site).report.has_errors
    good = snapshot(site)
    section = content / f"trials/{SLUG}/sections/02-plan.md"
    section.write_text(section.read_text() + "\nA new sentence [@reg].\n")
    monkeypatch.setattr(indexer, "pagefind_command",
                        lambda *a, **k: [sys.executable, "-c", "import sys; sys.exit('pagefind is broken')"])
    result = build(content, None, site)
    messages = [d.format() for d in result.report.sorted()]
    assert any("search index could not be made (pagefind is broken)" in m for m in messages), messages
    assert snapshot(site) == good


def test_a_site_page_error_stops_the_search_index_it_started(tmp_path, monkeypatch):
    import subprocess

    from trialsite.pipeline import build

    started = []

    class Watched(subprocess.Popen):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            started.append(self)

    monkeypatch.setattr(subprocess, "Popen", Watched)
    project = make_project(tmp_path / "p", {"templates/index.html": "{{ no_such_thing.here }}\n"})
    content, site = project / "content", project / "site"
    result = build(content, project / "templates", site)
    assert result.report.has_errors and not site.exists()
    assert started and all(p.poll() is not None for p in started), "Pagefind was stopped, not left running"
    assert not any(p.name.startswith(".pagefind") for p in project.rglob("*")), "its half-made index is gone"


def test_the_preview_still_checks_links_into_a_page_that_changed(tmp_path):
    """A save that changes no card still re-checks links from other trials to the saved one."""
    from trialsite.incremental import SiteModel

    plan = "---\ntitle: Plan\n---\n## Dosing\n\nThe dose is given once [@reg].\n"
    project = make_project(tmp_path / "p", {
        "content/trials/other/trial.yaml": TRIAL.replace("A small test trial", "Other"),
        "content/trials/other/sections/02-plan.md": plan,
        f"content/trials/{SLUG}/sections/03-more.md":
            "---\ntitle: More\n---\nSee [how the other trial doses](../other/index.html#plan-dosing) [@reg].\n"})
    model = SiteModel(project / "content", None)
    assert not model.full().report.has_errors
    saved = project / "content/trials/other/sections/02-plan.md"
    saved.write_text(plan.replace("## Dosing", "## Doses"))
    before = model.collected
    result = model.update({saved})
    assert result.pages is before[1], "no card changed: the site's list of pages was reused, not made again"
    errors = [d.format() for d in result.report.sorted() if d.severity == "error"]
    assert any("03-more.md:4:" in e and "#plan-dosing" in e for e in errors), errors
    saved.write_text(plan)
    assert not model.update({saved}).report.has_errors


def test_the_preview_sees_a_template_added_to_the_theme(tmp_path):
    """Jinja notices an edited template, not a new file that now overrides a default one."""
    project = make_project(tmp_path / "p")
    templates = project / "templates"
    templates.mkdir(exist_ok=True)
    preview = PreviewState(project / "content", templates)
    preview.rebuild()
    assert b"Home from the new template" not in preview.output["index.html"]
    override = templates / "index.html"
    override.write_text('{% extends "default/index.html" %}{% block title %}Home from the new template{% endblock %}')
    preview.rebuild({override})
    assert b"Home from the new template" in preview.output["index.html"]
    override.unlink()
    preview.rebuild({override})
    assert b"Home from the new template" not in preview.output["index.html"]


def test_a_build_reads_each_content_file_once_and_a_touched_file_is_not_parsed_again(tmp_path, monkeypatch):
    """Issue 6: no file is read twice. The cache key needs each file's hash; a file that is new
    or changed is hashed from the same bytes the loader then parses. A file saved again without
    a change is read once to hash it, and its trial comes from the cache."""
    import builtins
    import io

    from trialsite import pipeline, trials

    project = make_project(tmp_path / "p")
    content, site = project / "content", project / "site"
    trial_files = sorted(str(p) for p in (content / "trials").rglob("*") if p.is_file())
    opened: list[str] = []
    real_open = io.open

    def counting_open(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", counting_open)
    monkeypatch.setattr(io, "open", counting_open)
    processed: list[str] = []
    real_process = trials.process_trial
    monkeypatch.setattr(trials, "process_trial", lambda folder, *a, **k: processed.append(folder.name) or real_process(folder, *a, **k))

    def reads() -> dict[str, int]:
        return {path: opened.count(path) for path in trial_files}

    assert not pipeline.build(content, None, site).report.has_errors
    assert set(reads().values()) == {1}, "a build from nothing reads every file once"
    assert processed == ["small-trial"]
    good = snapshot(site)
    touched = content / "trials" / "small-trial" / "sections" / "02-plan.md"
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 10 ** 9))
    opened.clear(), processed.clear()
    assert not pipeline.build(content, None, site).report.has_errors
    assert reads()[str(touched)] == 1 and max(reads().values()) == 1
    assert processed == [] and snapshot(site) == good, "saved without a change: taken from the cache"
    touched.write_text(touched.read_text() + "\nOne more sentence.\n")
    opened.clear(), processed.clear()
    assert not pipeline.build(content, None, site).report.has_errors
    assert set(reads().values()) == {1}, "the edited trial is hashed and parsed from one read of each file"
    assert processed == ["small-trial"]
    opened.clear()
    assert not pipeline.build(content, None, site).report.has_errors
    assert set(reads().values()) == {0}, "nothing changed: no content file is read at all"
