"""Trials: all the work for one trial folder, in parallel and cached (issue 6).

load -> validate -> resolve -> render, for one folder, gives a TrialResult: the finished page
(HTML bytes), a light copy of the page for the site-wide pages (home, glossary, ...), and the
trial's diagnostics. Folders are independent of each other, so they run in a process pool,
and a result is reused whenever the cache key of its inputs is unchanged.
"""
from __future__ import annotations

import dataclasses
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .cache import trial_key
from . import reading
from .checks import Rules, check_page, highlight_uncited, preview_findings
from .diagnostics import Diagnostic, Report
from .load import YamlFile, load_trial
from .render import Renderer
from .resolve import Converter, TrialPage, resolve_trial
from .validate import SiteInfo, Term, assemble, validate_trial

# Long facts only a trial's own page shows. Left out of the light pages kept for site-wide
# pages, so a site of 10,000 trials fits in little memory.
PAGE_ONLY_FACTS = {"outcomes", "locations", "contacts", "inclusion", "exclusion", "official_title"}
POOL_MIN = 16  # fewer trials than this are quicker in one process than starting a pool


@dataclass(frozen=True)
class Shared:
    """What every trial depends on besides its own folder."""

    content: Path
    templates: Path | None
    info: SiteInfo | None
    glossary: tuple[Term, ...]
    glossary_path: str | None
    key: str  # cache.shared_key of all of the above
    preview: bool = False  # serve: show text marked "to rewrite" instead of refusing it (rewrite.py)
    rules: Rules | None = None  # plain-language checks: target grade and hard words (checks.py)


@dataclass(frozen=True)
class TrialResult:
    slug: str
    page: TrialPage | None  # light: no section HTML, for site-wide pages
    html: bytes | None  # the trial's page, when it could be rendered
    diagnostics: tuple[Diagnostic, ...]


_converter: Converter | None = None
_shared: Shared | None = None  # set in each worker (and in the main process) before work starts


def _converter_for_process() -> Converter:
    global _converter
    if _converter is None:
        _converter = Converter()
    return _converter


def light(page: TrialPage) -> TrialPage:
    """The page without its texts and citation places: what the home, glossary and other site
    pages need. Whatever stays here makes those pages depend on it (see incremental.py)."""
    facts = {k: v for k, v in page.trial.facts.items() if k not in PAGE_ONLY_FACTS}
    if isinstance(facts.get("population"), dict):
        facts["population"] = {k: v for k, v in facts["population"].items() if k not in PAGE_ONLY_FACTS}
    trial = dataclasses.replace(page.trial, facts=facts, sources={}, sections=(),
                                yaml=YamlFile(page.trial.yaml.path, None, {}))
    return dataclasses.replace(page, trial=trial, sections=(), sources=(), uncited=())


def process_trial(folder: Path, shared: Shared, render: bool = True) -> TrialResult:
    """Everything for one trial folder. Never raises for content problems: they are diagnostics."""
    report = Report()
    raw = load_trial(folder, shared.content, report)
    trial = validate_trial(raw, report) if raw else None
    converter = _converter_for_process()
    converter.use_glossary(shared.glossary)
    page = resolve_trial(trial, report, converter, shared.preview) if trial else None
    if page is not None and shared.rules is not None and not report.has_errors:  # checks need sound facts
        page = dataclasses.replace(page, reading=check_page(page, converter.glossary, shared.rules, report))
    html = None
    if render and page is not None and shared.info is not None and not report.has_errors:
        site = assemble(shared.info, shared.glossary, shared.glossary_path, [trial])
        findings = None
        if shared.preview and shared.rules:  # the preview's own panel of check results
            findings = preview_findings(page, report, shared.rules)
        shown = highlight_uncited(page) if findings else page
        html = Renderer(site, shared.templates, report).render_trial(shown, findings)[1]
    return TrialResult(folder.name, light(page) if page else None, html, tuple(report.items))


def _work(folder: Path) -> TrialResult:
    assert _shared is not None
    return process_trial(folder, _shared)


def _start_worker(shared: Shared) -> None:
    global _shared
    _shared = shared


def run_trials(folders: list[Path], shared: Shared, sink=None, cache=None, jobs: int | None = None):
    """TrialResults for all folders, in folder order: from the cache, or computed in parallel.

    Each finished page goes to sink(path, html) as soon as it is ready and is then dropped, so
    memory does not grow with the number of trials. Without a sink nothing is rendered (check).
    """
    render = sink is not None
    keys = [trial_key(folder, shared.key, cache.hashes) for folder in folders] if cache is not None else []
    results: list[TrialResult | None] = [cache.get(k) for k in keys] if keys else [None] * len(folders)

    def finish(i: int, result: TrialResult, computed: bool = True) -> None:
        if keys and computed:
            cache.put(keys[i], result)
        if sink is not None and result.html is not None:
            sink(f"trials/{result.slug}/index.html", result.html)
        results[i] = dataclasses.replace(result, html=None)

    missing = []
    for i, result in enumerate(results):
        if result is None or (render and result.html is None and not _has_errors(result)):
            missing.append(i)
        else:
            finish(i, result, computed=False)
    workers = min(jobs or os.cpu_count() or 1, len(missing))
    if render and workers > 1 and len(missing) >= POOL_MIN:
        if shared.rules is not None:
            reading.prepare()
        # fork: workers start with the code and the shared inputs already loaded. Not from a
        # process with threads (the preview server): a fork can copy a lock another thread holds.
        context = multiprocessing.get_context("fork" if threading.active_count() == 1 else "forkserver")
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                                 initargs=(shared,)) as pool:
            chunk = max(1, min(32, len(missing) // (workers * 8)))
            for i, result in zip(missing, pool.map(_work, [folders[i] for i in missing], chunksize=chunk)):
                finish(i, result)
    else:
        for i in missing:
            finish(i, process_trial(folders[i], shared, render))
    if keys:
        cache.keep_only(set(keys))
    return results


def _has_errors(result: TrialResult) -> bool:
    return any(d.severity == "error" for d in result.diagnostics)
