"""Pipeline: the order of the stages, and nothing else.

site.yaml + glossary -> every trial folder (load, validate, resolve, render: trials.py, in
parallel and cached) -> site-wide pages (home, glossary, ...) -> write. Pages go to a sink as
they are finished; build() points the sink at a fresh folder that replaces site/ only if
there was no error, so the last good site is never touched. check() renders nothing.
"""
from __future__ import annotations

import dataclasses
import hashlib

from dataclasses import dataclass, field
from pathlib import Path

from . import search
from .cache import Damaged, DiskCache, shared_key
from .linkcheck import check_links
from .glossary import Glossary
from .plainwords import load_rules
from .textchecks import check_shared_texts
from .diagnostics import Report
from .freshness import check_freshness
from .load import check_theme, load_shared, trial_folders
from .render import DEFAULT_THEME, Output, Renderer, environment, keep_compiled_templates
from .resolve import TrialPage
from .trials import Shared, card_digest, run_trials
from .schemas import keep_compiled_schemas
from .validate import Site, assemble, validate_shared
from .write import WriteError, build_lock, staged

CACHE_FOLDER = ".trialsite-cache"


@dataclass
class Result:
    """What a run produced: the report, and the site and (light) pages when it got that far."""

    report: Report = field(default_factory=Report)
    site: Site | None = None
    pages: list[TrialPage] = field(default_factory=list)
    output: Output | None = None  # only when prepare() was given no sink of its own
    written: int = 0


def prepare(content: Path, templates: Path | None, sink=None, cache=None, jobs: int | None = None,
            render: bool = True, preview: bool = False, read=None, trials_done=None, have=None,
            base_url: str | None = None, progress=None) -> Result:
    """Load, check and render everything; finished files go to sink(path, bytes), unless
    have(path, sha256) says the output already holds exactly that file.

    Without a sink the files are collected in result.output. With render=False nothing is
    rendered at all (check). read(path) gives back a finished file, for the link check.
    trials_done(result) is called once every trial page is finished, before the site pages.
    base_url: the site's address online, instead of site.yaml's (build --base-url).
    progress(stage, done, total): how far a long run is ("trials", then "search" in a build).
    """
    result = Result()
    report = result.report
    if render and sink is None:
        result.output = {}
        sink = result.output.__setitem__
    shared = load_shared_inputs(content, templates, report, keyed=cache is not None, preview=preview,
                                base_url=base_url)
    paths: set[str] = set()

    def tracked(path: str, data: bytes) -> None:
        paths.add(path)
        sink(path, data)

    def kept(path: str, digest: bytes) -> bool:
        if have(path, digest):
            paths.add(path)
            return True
        return False

    trials = run_trials(trial_folders(content), shared, tracked if render else None, cache, jobs,
                        kept if have else None, progress)
    result.site, result.pages = collect(shared, trials, report)
    if render and not report.has_errors and shared.info is not None:
        if trials_done:
            trials_done(result)
        site_pages(result, shared, templates, cache, tracked, {t.slug: t.card for t in trials})
        check_links(result.pages, paths, read or (result.output or {}).get, report)
    return result


def load_shared_inputs(content: Path, templates: Path | None, report: Report, keyed: bool,
                       preview: bool = False, base_url: str | None = None) -> Shared:
    """site.yaml and the glossary, checked: what every page depends on. preview: see rewrite.py."""
    # Templates are compiled once per build, not once per process: a long-running preview must
    # see a template file added to or removed from the theme (Jinja only notices edited ones).
    environment.cache_clear()
    raw = load_shared(content, report)
    if templates:
        check_theme(templates, report)
    info, terms = validate_shared(raw, report)
    if info is not None and base_url:  # a publishing pipeline knows the address; site.yaml need not
        info = dataclasses.replace(info, base_url=base_url.rstrip("/") + "/")
    rules = load_rules(content, info.reading_grade_target if info else 8.0, report)
    before = len(report.items)
    if not report.has_errors:
        check_shared_texts(raw.site, info, raw.glossary, terms, Glossary(terms), rules, report)
    notes = tuple(report.items[before:])  # shown in the preview's panel too, on every trial page
    key = shared_key(content, templates, DEFAULT_THEME) + (":preview" if preview else "") + \
        (f":base={base_url}" if base_url else "") if keyed else ""
    return Shared(content, templates, info, terms, raw.glossary.path if raw.glossary else None, key, preview,
                  rules, notes)


def collect(shared: Shared, trials, report: Report) -> tuple[Site, list[TrialPage]]:
    """The Site and its (light) pages in reading order; every trial's diagnostics reported."""
    for trial in trials:
        report.extend(trial.diagnostics)
    site = assemble(shared.info, shared.glossary, shared.glossary_path, [t.page.trial for t in trials if t.page])
    order = {trial.slug: i for i, trial in enumerate(site.trials)}
    return site, sorted((t.page for t in trials if t.page), key=lambda p: order[p.trial.slug])


def site_pages(result: Result, shared: Shared, templates: Path | None, cache, write, cards: dict) -> None:
    """The site-wide pages, each given to write(path, bytes) as it is made. Reused from the cache
    when no trial's light page changed (a section edit usually changes only its own trial page):
    rendering 1,000 cards takes seconds. cards: slug -> card_digest of its page, where known."""
    if cache is None:
        for path, data in render_site_pages(result.site, result.pages, templates, result.report):
            write(path, data)
        return
    digest = hashlib.sha256(shared.key.encode())
    for page in result.pages:
        digest.update(cards.get(page.trial.slug) or card_digest(page))
    key = digest.hexdigest()
    saved = cache.read_stream("site-pages", key)
    if saved is not None:
        try:
            for path, data in saved:
                write(path, data)
            return
        except Damaged:
            pass  # made again below, over what was written
    report = Report()
    made = render_site_pages(result.site, result.pages, templates, report)
    for path, data in cache.save_stream("site-pages", key, made, keep=lambda: not report.has_errors):
        write(path, data)
    result.report.extend(report.items)


def render_site_pages(site: Site, pages: list[TrialPage], templates: Path | None, report: Report):
    """The pages that depend on all trials together (home, glossary, ...), not on one trial,
    in every language of the site: (path, bytes), one at a time."""
    languages = site.info.languages
    yield from Renderer(site, templates, report).render_site(pages)
    for lang in languages[1:]:
        translated = [dict(page.others).get(lang, page) for page in pages]
        yield from Renderer(site, templates, report, lang).render_site(translated)


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


class _Abandon(Exception):
    """The content has errors: throw the half-written folder away."""


def build(content: Path, templates: Path | None, out: Path, use_cache: bool = True,
          jobs: int | None = None, base_url: str | None = None, progress=None) -> Result:
    """Build the site into out; on any error out stays exactly as it was. progress: see prepare()."""
    cache = DiskCache(content.resolve().parent / CACHE_FOLDER) if use_cache else None
    keep_compiled_templates(cache.compiled if cache else None)
    keep_compiled_schemas(cache.compiled if cache else None)
    result = Result()
    try:
        with build_lock(out), staged(out, reuse=use_cache) as stage:
            count = [0]
            index: list[search.SiteIndex] = []

            def sink(path: str, data: bytes) -> None:
                stage.write(path, data)
                count[0] += 1

            def have(path: str, digest: bytes) -> bool:  # already in the folder reused: not read again
                kept = stage.unchanged(path, digest)
                count[0] += kept
                return kept

            def start_index(done: Result) -> None:  # Pagefind runs while the site pages are made
                if done.pages:
                    index.append(search.SiteIndex(stage, cache, jobs))

            try:
                result = prepare(content, templates, sink, cache, jobs, read=lambda p: _read(stage.root / p),
                                 trials_done=start_index, have=have, base_url=base_url, progress=progress)
                result.written = count[0]
                if index and not result.report.has_errors:
                    index.pop().finish(result.report, progress)
            finally:
                for unfinished in index:
                    unfinished.abandon()
            if result.report.has_errors:
                raise _Abandon
    except _Abandon:
        pass
    except (WriteError, OSError) as exc:
        message = str(exc) if isinstance(exc, WriteError) else f"could not write the site: {exc.strerror or exc}."
        result.report.error(str(out), 0, message, code="write")
    return result


def check(content: Path, templates: Path | None) -> Result:
    """Everything a build checks, without rendering or writing anything; and whether the
    registry facts are fresh (which depends on today, so a build, being cached, leaves it out)."""
    result = prepare(content, templates, render=False)
    check_freshness(content, result.report)
    return result
