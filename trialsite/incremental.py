"""Incremental: the preview's model of the site, re-rendering only what an edit affects (issue 6).

Every output records the inputs it was made from, as data:
    trials/<slug>/index.html   <- "trial:<slug>" (its folder) and "shared"
    every other page           <- "cards" (the light pages of all trials) and "shared"
"shared" is site.yaml, glossary.yaml, any other file at the top of content/, and the templates.
A saved file marks its input as changed; a trial whose light page (title, summary, facts,
sources) changes also changes "cards". Only outputs whose inputs changed are rendered again,
so saving one section costs the same whether the site has 100 trials or 10,000.
"""
from __future__ import annotations

from pathlib import Path

from .diagnostics import Report
from .linkcheck import check_links
from .load import trial_folders
from .pipeline import Result, collect, load_shared_inputs, render_site_pages
from .trials import TrialResult, process_trial, run_trials

SHARED, CARDS = "shared", "cards"


class SiteModel:
    """Per-trial results, the files they made, and which inputs each file depends on."""

    def __init__(self, content: Path, templates: Path | None, preview: bool = True):
        self.content = content
        self.templates = templates
        self.preview = preview  # show text marked "to rewrite" highlighted (rewrite.py)
        self.shared = None
        self.shared_report = Report()
        self.trials: dict[str, TrialResult] = {}  # slug -> latest result (light page, diagnostics)
        self.files: dict[str, bytes] = {}  # every output file, the last one made for it
        self.depends: dict[str, set[str]] = {}  # output path -> the inputs it was made from
        self.rendered = 0  # outputs rendered by the last update, for tests and the terminal
        self.collected = None  # (site, light pages, slugs, pages with links) while no card changes

    def changed_inputs(self, paths) -> set[str] | None:
        """The inputs that the saved paths belong to; None means "everything" (a shared file)."""
        content = self.content.resolve()
        trials = content / "trials"
        inputs: set[str] = set()
        for raw in paths:
            path = Path(raw).resolve()
            if path.is_relative_to(trials) and path != trials:
                inputs.add("trial:" + path.relative_to(trials).parts[0])
            else:
                return None  # site.yaml, glossary.yaml, templates: they shape every page
        return inputs

    def full(self) -> Result:
        """Everything from scratch (at start, and when a shared file changes)."""
        self.shared_report = Report()
        self.shared = load_shared_inputs(self.content, self.templates, self.shared_report, keyed=False,
                                         preview=self.preview)
        self.files, self.depends, self.collected = {}, {}, None
        results = run_trials(trial_folders(self.content), self.shared, sink=self._trial_page)
        self.trials = {r.slug: r for r in results}
        return self._finish(cards_changed=True)

    def warm_up(self) -> None:
        """Take one trial through every step in this process, so that the first save does not
        wait ~0.3 s for what the first build (made in worker processes) loaded there only:
        the Markdown converter, the syllable table, the compiled templates."""
        folders = trial_folders(self.content)
        if folders and self.shared is not None:
            process_trial(folders[0], self.shared)

    def update(self, paths) -> Result:
        """Re-render only what the saved paths affect."""
        inputs = self.changed_inputs(paths)
        if inputs is None or self.shared is None:
            return self.full()
        self.rendered = 0
        cards_changed = False
        for name in sorted(inputs):
            slug = name.split(":", 1)[1]
            folder = self.content / "trials" / slug
            old = self.trials.pop(slug, None)
            for path in [p for p, deps in self.depends.items() if f"trial:{slug}" in deps]:
                self._forget(path)  # its page in every language
            if folder.exists() and not slug.startswith("."):
                new = process_trial(folder, self.shared)
                if new.html is not None:
                    self._trial_page(f"trials/{slug}/index.html", new.html)
                    for path, data in new.translated:
                        self._trial_page(path, data)
                self.trials[slug] = new.__class__(new.slug, new.page, None, new.diagnostics)
                cards_changed |= old is None or old.page != new.page
            else:
                cards_changed |= old is not None
        return self._finish(cards_changed)

    def _trial_page(self, path: str, html: bytes) -> None:
        self.files[path] = html
        self.depends[path] = {SHARED, "trial:" + path.split("trials/", 1)[1].split("/")[0]}
        self.rendered += 1

    def _forget(self, path: str) -> None:
        self.files.pop(path, None)
        self.depends.pop(path, None)

    def _finish(self, cards_changed: bool) -> Result:
        result = Result()
        result.report.extend(self.shared_report.items)
        fresh = cards_changed or self.collected is None
        if fresh:
            slugs = sorted(self.trials)
            site, pages = collect(self.shared, [self.trials[slug] for slug in slugs], result.report)
            linked = [p for p in pages if p.links or any(other.links for _, other in p.others)]
            self.collected = (site, pages, slugs, linked)
        else:  # the same trials and light pages as last time: only diagnostics can differ
            for slug in self.collected[2]:
                result.report.extend(self.trials[slug].diagnostics)
        result.site, result.pages, _, linked = self.collected
        if result.report.has_errors or self.shared.info is None:
            self.collected = None  # site pages were not made: make them next time
            return result
        if fresh:
            for path in [p for p, deps in self.depends.items() if CARDS in deps]:
                self._forget(path)
            for path, data in render_site_pages(result.site, result.pages, self.templates, result.report):
                self.files[path] = data
                self.depends[path] = {SHARED, CARDS}
                self.rendered += 1
        check_links(linked, self.files, self.files.get, result.report)  # pages with links of their own
        result.output = dict(self.files)
        return result
