"""Trials: all the work for one trial folder, in parallel and cached (issue 6).

load -> validate -> resolve -> render, for one folder, gives a TrialResult: the finished page
(HTML bytes), a light copy of the page for the site-wide pages (home, glossary, ...), and the
trial's diagnostics. Folders are independent of each other, so they run in a process pool,
and a result is reused whenever the cache key of its inputs is unchanged.
"""
from __future__ import annotations

import dataclasses
import hashlib
import multiprocessing
import os
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .cache import FileHashes, trial_key
from . import reading, wording
from .checks import Rules, check_page, check_translation, highlight_uncited, preview_findings
from .diagnostics import INFO, Diagnostic, Report
from .load import load_trial
from .yamlfile import YamlFile
from .render import Renderer, glossary_in
from .textchecks import check_fingerprint, check_translated_facts
from .resolve import Converter, TrialPage, resolve_trial
from .validate import SiteInfo, Term, Trial, assemble, source_hash, validate_trial

# Long facts only a trial's own page shows. Left out of the light pages kept for site-wide
# pages, so a site of 10,000 trials fits in little memory.
PAGE_ONLY_FACTS = {"outcomes", "locations", "contacts", "inclusion", "exclusion", "official_title", "sources",
                   "taking_part", "results"}
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
    notes: tuple = ()  # findings about site.yaml and glossary.yaml's texts: the preview's panel lists them too


@dataclass(frozen=True, slots=True)
class TrialResult:
    slug: str
    page: TrialPage | None  # light: no section HTML, for site-wide pages
    html: bytes | None  # the trial's page, when it could be rendered
    diagnostics: tuple[Diagnostic, ...]
    translated: tuple = ()  # (site path, bytes) of its pages in the site's other languages
    files: tuple = ()  # in the cache: (site path, sha256) of every page above; the bytes are kept apart
    card: bytes = b""  # in the cache: card_digest(page), so a warm build need not work it out again


_converter: Converter | None = None
_shared: Shared | None = None  # set in each worker (and in the main process) before work starts


def _converter_for_process() -> Converter:
    global _converter
    if _converter is None:
        _converter = Converter()
    return _converter


def light(page: TrialPage, rendered: bool = True) -> TrialPage:
    """The page without its texts and citation places: what the home, glossary and other site
    pages need. Whatever stays here makes those pages depend on it (see incremental.py).
    After rendering, only the page's reading grade is kept (for the build's summary); `check`
    also lists each section's."""
    facts = {k: v for k, v in page.trial.facts.items() if k not in PAGE_ONLY_FACTS}
    if isinstance(page.trial.facts.get("results"), dict):  # lists only say that there are results, and since when
        facts["results"] = {k: v for k, v in page.trial.facts["results"].items() if k == "posted"}
    if isinstance(facts.get("population"), dict):
        facts["population"] = {k: v for k, v in facts["population"].items() if k not in PAGE_ONLY_FACTS}
    trial = dataclasses.replace(page.trial, facts=facts, sources={}, sections=(),
                                yaml=YamlFile(page.trial.yaml.path, None, {}))
    reading = dataclasses.replace(page.reading, sections=(), uncited=()) if rendered and page.reading else page.reading
    return dataclasses.replace(page, trial=trial, sections=(), sources=(), uncited=(), summary_html="", reading=reading,
                               key_facts=None, take_part=None)


def card_digest(page: TrialPage | None) -> bytes:
    """A hash of what the site-wide pages show of a trial (its light page without reading grade
    and links): they are made again only when one of these changes. repr, not pickle: equal
    pages can pickle differently (shared objects)."""
    if page is None:
        return b""
    return hashlib.sha256(repr(dataclasses.replace(page, reading=None, links=(), external_links=())).encode()).digest()


def shared_strings(page: TrialPage | None) -> TrialPage | None:
    """The light page with its fact names and glossary words as one string object each for all
    trials (sys.intern): each result arrives from a worker or the cache with copies of its own,
    and at 10,000 generated trials the copies took ~55 MB (bench/memory.py)."""
    if page is None:
        return None
    trial = dataclasses.replace(page.trial, facts=_interned(page.trial.facts))
    others = tuple((lang, shared_strings(other)) for lang, other in page.others)
    return dataclasses.replace(page, trial=trial, terms_used=tuple(map(sys.intern, page.terms_used)), others=others)


def _interned(value):
    if isinstance(value, dict):
        return {sys.intern(k) if isinstance(k, str) else k: _interned(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_interned(v) for v in value]
    if type(value) is str and len(value) <= 40:  # names and words that many trials share (not Wordings: str only)
        return sys.intern(value)
    return value


def process_trial(folder: Path, shared: Shared, render: bool = True, read: dict | None = None) -> TrialResult:
    """Everything for one trial folder. Never raises for content problems: they are diagnostics.
    read: bytes of its files read already, by path (load.read_text)."""
    report = Report()
    raw = load_trial(folder, shared.content, report, read)
    languages = shared.info.languages if shared.info else ("en",)
    trial = validate_trial(raw, report, languages[0]) if raw else None
    pages = {}
    for lang in languages:  # the default language first: the others may fall back to it
        view = trial if lang == languages[0] or trial is None else translated(trial, lang, languages, report)
        converter = _converter_for_process()
        converter.use_language(lang, glossary_in(shared.glossary, lang, languages[0]))
        own = report if lang == languages[0] else Report()
        page = resolve_trial(view, own, converter, shared.preview) if view else None
        if own is not report:  # sections shown in the default language were reported already
            known = set(report.items)
            report.extend(d for d in own.items if d not in known)
        if page is None:
            break
        if shared.rules is not None and not report.has_errors:  # checks need sound facts
            if lang == languages[0]:
                page = dataclasses.replace(page, reading=check_page(page, converter.glossary, shared.rules, report))
            else:
                check_translation(page, lang, shared.rules, report)
        pages[lang] = page
    files = []
    if render and len(pages) == len(languages) and shared.info is not None and not report.has_errors:
        site = assemble(shared.info, shared.glossary, shared.glossary_path, [trial])
        for lang, page in pages.items():
            findings = None
            if shared.preview and shared.rules and lang == languages[0]:  # the preview's own panel of checks
                findings = preview_findings(page, report, shared.rules, shared.notes, lang)
            shown = highlight_uncited(page) if findings else page
            files.append(Renderer(site, shared.templates, report, lang).render_trial(shown, findings))
    main = pages.get(languages[0])
    if main is not None:
        main = dataclasses.replace(light(main, render), others=tuple((lang, light(p, render)) for lang, p in pages.items()
                                                             if lang != languages[0]))
    html = files[0][1] if files and not report.has_errors else None
    return TrialResult(folder.name, main, html, tuple(report.items), tuple(files[1:]) if html else ())


def translated(trial: Trial, lang: str, languages: tuple, report: Report) -> Trial:
    """The trial as readers of another language see it: translated title, summary and sections
    where there are some, the default language's where not (the page says so)."""
    own = (trial.facts.get("translations") or {}).get(lang) if isinstance(trial.facts.get("translations"), dict) else None
    own = own if isinstance(own, dict) else {}  # another shape is a schema error already: do not crash on it
    facts = {**wording.in_language(trial.facts, lang, languages[0]),
             **{k: v for k, v in own.items() if k in ("title", "summary") and isinstance(v, str)}}
    check_translated_facts(facts, lang, trial.path, report)
    check_fingerprint(trial, lang, report)
    sections = []
    for section in trial.sections:
        translation = trial.translations.get(lang, {}).get(section.id)
        if translation is None:
            sections.append(dataclasses.replace(section, lang=languages[0]))
            continue
        current = source_hash(section.body)
        if translation.source_hash != current:
            report.warning(translation.path, 1, f"this translation may be out of date: {section.path.rsplit('/', 1)[-1]} "
                           f"has changed since it was translated (or the translation does not say which version it "
                           f"is from). Check it against the original, then put source_hash: {current} in its front "
                           "matter.", code="i18n.outdated")
        sections.append(translation)
    missing = [s.path.rsplit("/", 1)[-1] for s in sections if s.lang == languages[0]]
    fallback = [key for key in ("title", "summary") if not isinstance(own.get(key), str)]
    missing += [f"{key} (in trial.yaml, under translations: {lang}:)" for key in fallback]
    if missing:
        report.add("i18n.missing", INFO, trial.path, 0, f'not translated into "{lang}" yet: {", ".join(missing)}. '
                   "Readers of that language see these in the default language, with a note.")
    return dataclasses.replace(trial, facts=facts, sections=tuple(sections),
                               shown_in={key: languages[0] for key in fallback})


def keyed_work(folder: Path, shared: Shared, render: bool, cache_folder: Path | None):
    """(key, file hashes, result) for a folder whose cache key is not known yet (a file is new
    or changed): its files are read once, hashed, and parsed from the same bytes. The result
    is None when the cache turns out to hold it. Without cache_folder: (None, {}, result)."""
    if cache_folder is None:
        return None, {}, process_trial(folder, shared, render)
    hashes, read = FileHashes(), {}
    key = trial_key(folder, shared.key, lambda path: hashes.of(path, keep=read))
    if (cache_folder / f"{key}.pickle").is_file():
        return key, hashes.used, None
    return key, hashes.used, process_trial(folder, shared, render, read)


def _work(job: tuple[Path, Path | None]):
    assert _shared is not None
    return keyed_work(job[0], _shared, True, job[1])


def _start_worker(shared: Shared) -> None:
    global _shared
    _shared = shared


def run_trials(folders: list[Path], shared: Shared, sink=None, cache=None, jobs: int | None = None, have=None,
               progress=None):
    """TrialResults for all folders, in folder order: from the cache, or computed in parallel.

    Each finished page goes to sink(path, html) as soon as it is ready and is then dropped, so
    memory does not grow with the number of trials. Without a sink nothing is rendered (check).
    have(path, sha256) says the output already holds exactly that file: a cached trial's pages
    are then not even read (at 10,000 trials they are ~450 MB).
    A trial's cache key comes from the remembered hashes of its files where none changed; where
    one did, the worker that parses the folder hashes it too, so no file is read twice.
    progress(stage, done, total) hears of each trial finished (stage "trials").
    """
    render = sink is not None
    keys: list[str | None] = [None] * len(folders)
    if cache is not None:
        keys = [trial_key(folder, shared.key, lambda path: cache.hashes.of(path, read=False)) for folder in folders]
    results: list[TrialResult | None] = [cache.get(k) if k else None for k in keys] if cache else [None] * len(folders)

    def finish(i: int, result: TrialResult) -> None:
        outputs = [(f"trials/{result.slug}/index.html", result.html), *result.translated] if result.html else []
        if keys[i]:  # the pages first: a light result in the cache always has its pages
            if outputs:
                cache.put(keys[i], dict(outputs), suffix=".pages")
            files = tuple((path, hashlib.sha256(data).digest()) for path, data in outputs)
            result = dataclasses.replace(result, card=card_digest(result.page))
            cache.put(keys[i], dataclasses.replace(result, html=None, translated=(), files=files))
        for path, data in outputs:
            sink(path, data)
        done(i, result)

    finished = [0]

    def done(i: int, result: TrialResult) -> None:
        results[i] = dataclasses.replace(result, html=None, translated=(), page=shared_strings(result.page))
        finished[0] += 1
        if progress:
            progress("trials", finished[0], len(folders))

    def reuse(i: int, result: TrialResult) -> bool:
        """A cached result, its pages given to the sink; False if they are needed and gone."""
        if render and not _has_errors(result):
            if not result.files:
                return False  # not rendered then (site.yaml had errors)
            pages = None
            for path, digest in result.files:
                if have is not None and have(path, digest):
                    continue
                pages = cache.get(keys[i], suffix=".pages") if pages is None else pages
                if not isinstance(pages, dict) or not isinstance(pages.get(path), bytes):
                    return False
                sink(path, pages[path])
        done(i, result)
        return True

    def settle(i: int, work) -> None:
        key, hashes, result = work
        if key is not None:
            keys[i] = key
            cache.hashes.used.update(hashes)
        if result is None:  # the cache has it after all (files touched, not changed)
            cached = cache.get(key)
            if isinstance(cached, TrialResult) and reuse(i, cached):
                return
            result = process_trial(folders[i], shared, render)
        finish(i, result)

    missing = []
    for i, result in enumerate(results):
        if not isinstance(result, TrialResult) or not reuse(i, result):
            missing.append(i)
    # A folder with no key yet is keyed by its worker, which then looks the key up in the cache folder.
    cache_folder = cache.folder if cache is not None else None
    jobs_list = [(folders[i], cache_folder if keys[i] is None else None) for i in missing]
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
            for i, work in zip(missing, pool.map(_work, jobs_list, chunksize=chunk)):
                settle(i, work)
    else:
        for i, (folder, folder_cache) in zip(missing, jobs_list):
            settle(i, keyed_work(folder, shared, render, folder_cache))
    if cache is not None:
        cache.keep_only(set(keys))
    return results


def _has_errors(result: TrialResult) -> bool:
    return any(d.severity == "error" for d in result.diagnostics)
