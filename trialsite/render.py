"""Render: pages and the theme's templates -> (site path, bytes).

One Jinja environment per run, autoescaped, StrictUndefined. Templates come from the
editor's folder first, then the default theme; "default/x.html" always names the default,
so an override can extend what it replaces. Nothing is written to disk here.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import jinja2
import markupsafe

from . import __version__, i18n, keyfacts, places, results, shards, sharing, words
from .diagnostics import Report
from .glossary import Glossary
from .yamlfile import display_path
from .resolve import TrialPage
from .validate import Site

DEFAULT_THEME = Path(__file__).resolve().parent.parent / "templates"

Output = dict  # posix path inside site/ -> bytes
# Stands for a page's address prefix in a kept card. Text from content is escaped ("<" becomes
# "&lt;") and cleaned HTML has no such tag, so the mark cannot come from anything an editor writes.
BASE_MARK = markupsafe.Markup("<\ue000>")


def capfirst(value: str) -> str:
    """"gout" -> "Gout" at the start of a list item; unlike Jinja's capitalize, "Sjögren's" keeps its capital."""
    return value[:1].upper() + value[1:]


def breakable(address: str) -> markupsafe.Markup:
    """A web or email address that may wrap after its slashes and dots, never inside a word."""
    text = str(address)
    head, sep, rest = text.partition("://")
    if not sep:
        head, rest = "", text
    else:
        head += sep
    pieces = re.split(r"(?<=[/.@?&=])(?=.)", rest)
    return markupsafe.Markup("<wbr>").join([markupsafe.escape(head + pieces[0]), *map(markupsafe.escape, pieces[1:])])


def as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


_bytecode: jinja2.BytecodeCache | None = None


def keep_compiled_templates(folder: Path | None) -> None:
    """Keep compiled templates in folder (the build cache): compiling the theme costs ~0.25 s.
    Takes effect with the next environment(): each build starts with new ones (pipeline.py)."""
    global _bytecode
    _bytecode = jinja2.FileSystemBytecodeCache(str(folder)) if folder else None


@lru_cache(maxsize=16)
def environment(templates: Path | None, lang: str = "en") -> jinja2.Environment:
    """One environment per theme, language and process: templates are compiled once, then reused.
    Interface texts go through gettext (i18n.py): _("...") and ngettext(...) in templates."""
    loaders = []
    if templates and templates.resolve() != DEFAULT_THEME.resolve():
        loaders.append(jinja2.FileSystemLoader(str(templates)))
    loaders.append(jinja2.FileSystemLoader(str(DEFAULT_THEME)))
    loader = jinja2.ChoiceLoader([*loaders, jinja2.PrefixLoader({"default": jinja2.FileSystemLoader(str(DEFAULT_THEME))})])
    env = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             extensions=["jinja2.ext.i18n"], bytecode_cache=_bytecode,
                             auto_reload=False)  # one environment per build: no need to stat templates per page
    env.install_gettext_translations(i18n.translations(lang), newstyle=True)
    env.filters.update(long_date=lambda value: i18n.long_date(value, lang), as_list=as_list, capfirst=capfirst,
                       breakable=breakable,
                       number=lambda value: i18n.number(value, lang),
                       partial_date=lambda value: i18n.partial_date(value, lang))
    env.globals.update(words=words, version=__version__, slug=sharing.slug, language_name=i18n.language_name,
                       FEW_TRIALS=FEW_TRIALS)
    env.globals["results_view"], env.filters["shown"] = results.view, results.text  # templates/results.html
    return env


def glossary_in(terms: tuple, lang: str, default: str) -> tuple:
    """The glossary in one language: translated entries only (an English word would not be
    found in French text), by their translated word."""
    if lang == default:
        return terms
    found = [dict(term.translations)[lang] for term in terms if lang in dict(term.translations)]
    return tuple(sorted(found, key=lambda t: (t.term.casefold(), t.term)))


def language_prefix(lang: str, default: str) -> str:
    """Where a language's pages live: the default at the top, others under <lang>/."""
    return "" if lang == default else f"{lang}/"


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

    def __init__(self, site: Site, templates: Path | None, report: Report, lang: str | None = None):
        self.site = site
        self.languages = site.info.languages
        self.lang = lang or self.languages[0]
        self.prefix = language_prefix(self.lang, self.languages[0])
        self.env = environment(templates, self.lang)
        self.templates = templates
        self.report = report

    def page(self, template: str, path: str, **context) -> bytes | None:
        """path is the same for every language ("trials/x/index.html"); pages in other
        languages than the default are written under <lang>/."""
        info = self.site.info
        root = relative_root(self.prefix + path)
        shown = path.removesuffix("index.html")
        canonical = info.base_url + self.prefix + shown if info.base_url else None
        alternates = []
        if len(self.languages) > 1 and path != "404.html":
            for lang in self.languages:
                target = language_prefix(lang, self.languages[0]) + path
                href = info.base_url + target.removesuffix("index.html") if info.base_url else root + target
                alternates.append({"lang": lang, "name": i18n.language_name(lang), "href": href})
        try:
            html = self.env.get_template(template).render(
                site=info, site_text=info.text(self.lang), lang=self.lang, root=root, base=root + self.prefix,
                path=path, canonical=canonical, alternates=alternates, **context)
        except jinja2.TemplateSyntaxError as exc:
            self.report.error(self._template_path(exc.filename or template), exc.lineno or 0,
                              f"template error: {exc.message}.", code="template.syntax")
            return None
        except jinja2.TemplateError as exc:
            self.report.error(self._template_path(template), _template_line(exc), f"template error: {exc}.",
                              code="template.render")
            return None
        return html.encode("utf-8")

    def _card_maker(self):
        """card(page, base): the theme's trial_card macro, each card made once per trial. A trial
        shows on the home page and on each of its illnesses' pages, at different depths: at
        1,000 trials, making every card anew took seconds. The card is kept with a mark where
        the address prefix goes: one copy per trial, not one per depth."""
        made: dict = {}

        def card(page: TrialPage, base: str, heading: str = "h3"):
            key = (page.trial.slug, heading)
            if key not in made:
                made[key] = str(self.env.get_template("macros.html").module.trial_card(page, BASE_MARK, heading))
            return markupsafe.Markup(made[key].replace(BASE_MARK, markupsafe.escape(base)))

        return card

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
        info = self.site.info
        url = info.base_url + self.prefix + path.removesuffix("index.html") if info.base_url else None
        label = i18n.translations(self.lang).gettext("Official term:")
        cites = page.key_facts.cites if page.key_facts else {}
        explained = page.key_facts.explained if page.key_facts else {}
        terms = {term.term: term for term in glossary_in(self.site.glossary, self.lang, self.languages[0])}
        words_used = sorted((terms[name] for name in page.terms_used if name in terms),
                            key=lambda term: term.term.casefold())
        return self.prefix + path, self.page(
            "trial.html", path, page=page, trial=page.trial.facts, t=page.trial, findings=findings, page_url=url,
            take_part=page.take_part, places=places.group(page.trial.facts.get("locations"), self.lang),
            words_used=words_used,
            jsonld=sharing.trial_jsonld(page, info, url, words),
            said=lambda value: keyfacts.said(value, self.lang, page.key_facts),
            official=lambda value: keyfacts.official(value, self.lang, label),
            cite=lambda group: markupsafe.Markup(cites.get(group, "")),
            explained=lambda name, text: markupsafe.Markup(explained[name]) if name in explained else text)

    def render_site(self, pages: list[TrialPage]):
        """Every page except the trial pages: home, glossary, 404 and the theme's files, as
        (path, bytes), one at a time: at 10,000 trials they are ~50 MB, never all in memory."""
        terms = glossary_in(self.site.glossary, self.lang, self.languages[0])
        glossary_users = glossary_usage(terms, pages)
        made: list[str] = []  # paths of the pages made, for the sitemap

        def put(path: str, data: bytes | None):
            if data is not None:
                made.append(path)
                yield self.prefix + path, data

        groups = sharing.conditions(pages)
        words_known = Glossary(terms)
        for group in groups:  # each illness's page opens with "What is ...?" when the word list has it
            group["term"] = words_known.exact.get(group["name"]) or words_known.folded.get(group["name"].lower())
        card = self._card_maker()
        for shown, pager in paginate(pages, ""):
            yield from put(pager["path"], self.page("index.html", pager["path"], pages=shown, pager=pager,
                                                    conditions=groups, card=card))
        yield from put("conditions/index.html", self.page("conditions.html", "conditions/index.html",
                                                          conditions=groups))
        for group in groups:
            for shown, pager in paginate(group["pages"], f"conditions/{group['slug']}/"):
                yield from put(pager["path"], self.page("condition.html", pager["path"], condition=group,
                                                        pages=shown, pager=pager, card=card))
        yield from put("search/index.html", self.page("search.html", "search/index.html",
                                                      search_shards=shards.merged(p.trial.slug for p in pages)))
        yield from put("glossary/index.html", self.page("glossary.html", "glossary/index.html", terms=terms,
                                                        letters=by_letter(terms), users=glossary_users))
        if self.prefix:
            return  # one 404 page, robots.txt, sitemap and theme for all languages
        yield from put("404.html", self.page("404.html", "404.html"))
        base = self.site.info.base_url
        yield "robots.txt", sharing.robots(base)
        if base:  # a sitemap needs full addresses; every page exists in every language
            entries = [(p, None) for p in sorted(made) if p.endswith(".html") and p != "404.html"]
            entries += [(f"trials/{p.trial.slug}/index.html", p.trial.last_reviewed.isoformat()
                         if p.trial.last_reviewed else None) for p in pages]
            yield "sitemap.xml", sharing.sitemap(base, sorted((language_prefix(lang, self.languages[0]) + path, date)
                                                              for lang in self.languages for path, date in entries))
        for target, source in theme_files(self.templates).items():
            yield target, source.read_bytes()


FEW_TRIALS = 10  # a home page with fewer trials lists them first, its choices folded below the title
CARDS_PER_PAGE = 100  # a longer list is split into pages: 1,000 cards are ~1 MB for a phone to lay out


def paginate(cards: list, folder: str) -> list[tuple[list, dict]]:
    """A list of cards in pages of CARDS_PER_PAGE: folder/index.html, then folder/page/2/index.html
    and so on. Each page gets its cards and a pager: where it is, and the links to the others
    (first, last, and two either side; a gap is None)."""
    count = max(1, -(-len(cards) // CARDS_PER_PAGE))

    def path(number: int) -> str:
        return f"{folder}index.html" if number == 1 else f"{folder}page/{number}/index.html"

    result = []
    for number in range(1, count + 1):
        links: list = []
        for other in sorted({1, count, *range(max(1, number - 2), min(count, number + 2) + 1)}):
            if links and links[-1]["number"] < other - 1:
                links.append(None)
            links.append({"number": other, "path": path(other), "current": other == number})
        shown = cards[(number - 1) * CARDS_PER_PAGE: number * CARDS_PER_PAGE]
        first = (number - 1) * CARDS_PER_PAGE + 1
        result.append((shown, {
            "number": number, "count": count, "path": path(number), "total": len(cards),
            "first": first, "last": first + len(shown) - 1, "links": links,
            "previous": path(number - 1) if number > 1 else None, "next": path(number + 1) if number < count else None,
        }))
    return result


USERS_SHOWN = 3  # trials named under a glossary word; more are counted ("Used on 990 trials, such as: ...")


def by_letter(terms: tuple) -> list[tuple[str, list]]:
    """The word list in groups by first letter, for its A-Z links: "É" goes with "E"; words that
    start with a digit or sign come first, under "#"."""
    groups: dict[str, list] = {}
    for term in terms:
        first = unicodedata.normalize("NFKD", term.term[:1])[:1].upper()
        groups.setdefault(first if first.isalpha() else "#", []).append(term)
    return sorted(groups.items(), key=lambda item: (item[0] != "#", item[0]))


def glossary_usage(terms: tuple, pages: list[TrialPage]) -> dict[str, dict]:
    """term -> {"trials": the first trials whose page marks it (glossary.py), "more": how many else}."""
    users: dict[str, dict] = {term.term: {"trials": [], "more": 0} for term in terms}
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

