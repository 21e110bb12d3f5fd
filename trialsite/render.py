"""Render: pages and the theme's templates -> an Output (site path -> bytes), all in memory.

One Jinja environment per run, autoescaped, StrictUndefined. Templates come from the
editor's folder first, then the default theme; "default/x.html" always names the default,
so an override can extend what it replaces. Nothing is written to disk here.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from . import __version__, sharing, words
from .diagnostics import Report
from .load import display_path
from .resolve import TrialPage
from .validate import Site

DEFAULT_THEME = Path(__file__).resolve().parent.parent / "templates"
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]

Output = dict  # posix path inside site/ -> bytes


def long_date(value) -> str:
    """2026-11-01 -> "1 November 2026": no locale, no clock."""
    if value is None:
        return ""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


@lru_cache(maxsize=4)
def environment(templates: Path | None) -> jinja2.Environment:
    """One environment per theme and process: templates are compiled once, then reused."""
    loaders = []
    if templates and templates.resolve() != DEFAULT_THEME.resolve():
        loaders.append(jinja2.FileSystemLoader(str(templates)))
    loaders.append(jinja2.FileSystemLoader(str(DEFAULT_THEME)))
    loader = jinja2.ChoiceLoader([*loaders, jinja2.PrefixLoader({"default": jinja2.FileSystemLoader(str(DEFAULT_THEME))})])
    env = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(long_date=long_date, as_list=as_list)
    env.globals.update(words=words, version=__version__, slug=sharing.slug)
    return env


def relative_root(path: str) -> str:
    """The way back to the site root from a page: "trials/x/index.html" -> "../../"."""
    depth = path.count("/")
    return "../" * depth


def theme_files(templates: Path | None) -> dict[str, Path]:
    """Files under assets/ of the default theme, overridden by the editor's theme."""
    files: dict[str, Path] = {}
    for folder in (DEFAULT_THEME, templates):
        assets = folder / "assets" if folder else None
        if assets and assets.is_dir():
            for file in sorted(assets.rglob("*")):
                if file.is_file() and not file.name.startswith("."):
                    files["assets/" + file.relative_to(assets).as_posix()] = file
    return files


class Renderer:
    """Renders every page of a site with one template environment."""

    def __init__(self, site: Site, templates: Path | None, report: Report):
        self.site = site
        self.env = environment(templates)
        self.templates = templates
        self.report = report

    def page(self, template: str, path: str, **context) -> bytes | None:
        info = self.site.info
        root = relative_root(path)
        canonical = info.base_url + path.removesuffix("index.html") if info.base_url else None
        try:
            html = self.env.get_template(template).render(
                site=info, root=root, path=path, canonical=canonical, **context)
        except jinja2.TemplateSyntaxError as exc:
            self.report.error(self._template_path(exc.filename or template), exc.lineno or 0,
                              f"template error: {exc.message}.", code="template.syntax")
            return None
        except jinja2.TemplateError as exc:
            self.report.error(self._template_path(template), _template_line(exc), f"template error: {exc}.",
                              code="template.render")
            return None
        return html.encode("utf-8")

    def _template_path(self, name: str) -> str:
        for folder in (self.templates, DEFAULT_THEME):
            if folder and (folder / name).is_file():
                return display_path(folder / name)
        return name

    def render_trial(self, page: TrialPage, findings: dict | None = None) -> tuple[str, bytes | None]:
        """One trial's page. It may depend only on its own trial, site.yaml, the glossary and the
        templates: that is what lets trials be rendered in parallel and cached (issue 6).
        findings: the preview's panel of check results (checks.preview_findings); never in site/."""
        path = f"trials/{page.trial.slug}/index.html"
        url = self.site.info.base_url + path.removesuffix("index.html") if self.site.info.base_url else None
        return path, self.page("trial.html", path, page=page, trial=page.trial.facts, t=page.trial,
                               findings=findings, jsonld=sharing.trial_jsonld(page, self.site.info, url, words))

    def render_site(self, pages: list[TrialPage]) -> Output:
        """Every page except the trial pages: home, glossary, 404 and the theme's files."""
        out: Output = {}
        glossary_users = glossary_usage(self.site, pages)

        def put(path: str, data: bytes | None) -> None:
            if data is not None:
                out[path] = data

        groups = sharing.conditions(pages)
        put("index.html", self.page("index.html", "index.html", pages=pages, conditions=groups))
        put("conditions/index.html", self.page("conditions.html", "conditions/index.html", conditions=groups))
        for group in groups:
            path = f"conditions/{group['slug']}/index.html"
            put(path, self.page("condition.html", path, condition=group, pages=group["pages"]))
        put("search/index.html", self.page("search.html", "search/index.html"))
        put("glossary/index.html", self.page("glossary.html", "glossary/index.html", terms=self.site.glossary,
                                              users=glossary_users))
        put("404.html", self.page("404.html", "404.html"))
        base = self.site.info.base_url
        put("robots.txt", sharing.robots(base))
        if base:  # a sitemap needs full addresses
            entries = [(p, None) for p in sorted(out) if p.endswith(".html") and p != "404.html"]
            entries += [(f"trials/{p.trial.slug}/index.html", p.trial.last_reviewed.isoformat()
                         if p.trial.last_reviewed else None) for p in pages]
            put("sitemap.xml", sharing.sitemap(base, sorted(entries)))
        for target, source in theme_files(self.templates).items():
            out[target] = source.read_bytes()
        return out


USERS_SHOWN = 10  # trials named under a glossary word; a big site says "and 990 more"


def glossary_usage(site: Site, pages: list[TrialPage]) -> dict[str, dict]:
    """term -> {"trials": the first trials whose page marks it (glossary.py), "more": how many else}."""
    users: dict[str, dict] = {term.term: {"trials": [], "more": 0} for term in site.glossary}
    for page in pages:
        for term in page.terms_used:
            entry = users.setdefault(term, {"trials": [], "more": 0})
            if len(entry["trials"]) < USERS_SHOWN:
                entry["trials"].append(page.trial)
            else:
                entry["more"] += 1
    return users


def _template_line(exc: Exception) -> int:
    tb = exc.__traceback__
    line = 0
    while tb:
        if tb.tb_frame.f_code.co_filename.endswith(".html"):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line

