"""Languages: the interface text of the pages in the reader's language (gettext catalogs, read
with Babel), and dates and numbers written the way that language writes them.

Catalogs are plain .po files in trialsite/locales/<lang>/LC_MESSAGES/messages.po, which a
translator can edit; English is the source text, so English needs no catalog. A text with no
translation shows in English. `python -m trialsite.i18n` rewrites messages.pot and adds new
texts to every catalog (see the README).
"""
from __future__ import annotations

import datetime
import io
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

LOCALES = Path(__file__).resolve().parent / "locales"
DOMAIN = "messages"


def catalog_path(lang: str) -> Path:
    return LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=16)
def translations(lang: str) -> NullTranslations:
    """The interface texts for a language; English (or a language with no catalog) as written."""
    for candidate in (lang, lang.split("-")[0]):
        path = catalog_path(candidate)
        if path.is_file():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=candidate)
            compiled = io.BytesIO()
            write_mo(compiled, catalog)
            compiled.seek(0)
            return Translations(fp=compiled)
    return NullTranslations()


def has_catalog(lang: str) -> bool:
    return lang.split("-")[0] == "en" or catalog_path(lang).is_file() or catalog_path(lang.split("-")[0]).is_file()


def language_name(lang: str, in_lang: str | None = None) -> str:
    """"fr" -> "français" (each language in its own words, for the switcher), or in another
    language: language_name("en", "fr") -> "anglais"."""
    try:
        return Locale.parse(lang.replace("-", "_")).get_display_name(_locale(in_lang or lang)) or lang
    except (UnknownLocaleError, ValueError):
        return lang


@lru_cache(maxsize=4096)  # every trial page shows dates, and most share a few (Babel: ~30 us each)
def long_date(value, lang: str) -> str:
    """2026-11-01 -> "1 November 2026", "1 novembre 2026", "1. November 2026"."""
    if value is None:
        return ""
    return format_date(value, "d MMMM y" if lang.startswith("en") else "long", locale=_locale(lang))


@lru_cache(maxsize=4096)
def partial_date(value, lang: str) -> str:
    """A date as registries write it, in words: "2024" stays, "2024-03" -> "March 2024",
    "2024-03-05" -> "5 March 2024" (each in the reader's language). Anything else as it is."""
    text = str(value)
    try:
        if len(text) == 7:
            month = datetime.date.fromisoformat(text + "-01")
            return format_date(month, "LLLL y", locale=_locale(lang))
        if len(text) == 10:
            return long_date(datetime.date.fromisoformat(text), lang)
    except ValueError:
        pass
    return text


def number(value, lang: str) -> str:
    return format_decimal(value, locale=_locale(lang)) if isinstance(value, (int, float)) else str(value)


@lru_cache(maxsize=64)
def _locale(lang: str) -> str:
    try:
        return str(Locale.parse(lang.replace("-", "_")))
    except (UnknownLocaleError, ValueError):
        return "en"


def extract():
    """Every interface text: from the default templates (_(), ngettext()), the plain words for
    status, phase and study type (words.py), and the few words added to the text by Python."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir, extract_python

    from . import takepart, words
    from .render import DEFAULT_THEME

    catalog = Catalog(project="trialsite", domain=DOMAIN)
    for filename, line, message, comments, context in extract_from_dir(
            DEFAULT_THEME, [("**.html", "jinja2.ext:babel_extract")], options_map={"**.html": {
                "extensions": "jinja2.ext.i18n", "trim_blocks": "yes", "lstrip_blocks": "yes"}}):
        catalog.add(message, locations=[(f"templates/{filename}", line)])
    for table in (words.STATUS, words.PHASE):
        for value in table.values():
            for text in value:
                if text[:1].isalpha() and len(text) > 1:
                    catalog.add(text, locations=[("trialsite/words.py", 0)])
    # Findings the preview's panel shows in the site's language: every report.say(...) and its
    # written-out variants (plainwords.py, textchecks.py).
    package = Path(__file__).resolve().parent
    for filename, line, message, comments, context in extract_from_dir(
            package, [("**.py", "python")], keywords={"say": (5,)}, comment_tags=()):
        catalog.add(message, locations=[(f"trialsite/{filename}", line)])
    from . import plainwords, textchecks
    for table in (plainwords.ABBREVIATION_MESSAGES, plainwords.JARGON_MESSAGES, plainwords.UNEXPLAINED_MESSAGES):
        for text in table.values():
            catalog.add(text, locations=[("trialsite/plainwords.py", 0)])
    for text in (textchecks.KEY_FACTS_MESSAGE, textchecks.SITE_MESSAGE, textchecks.GLOSSARY_MESSAGE):
        catalog.add(text, locations=[("trialsite/textchecks.py", 0)])
    for text in [*words.STUDY_TYPE.values(), *words.SEXES.values(), *words.ROUTES.values(), *words.ROLES.values(),
                 *words.CONTACT_ROLES.values(), "Interventional", "Observational", "source",
                 "More in the word list", "Close", "Table", "Official term:"]:
        catalog.add(text, locations=[("trialsite/words.py", 0)])
    # The "Can I take part?" sentences are made in Python (takepart.py): its _() and ngettext()
    # calls, and its tables of texts.
    source = Path(takepart.__file__)
    with source.open("rb") as handle:
        for line, _function, message, _comments in extract_python(handle, {"_": None, "ngettext": (1, 2)}, [], {}):
            texts = tuple(m for m in (message if isinstance(message, tuple) else (message,)) if isinstance(m, str))
            if texts:  # ngettext(*pair, n) has no text of its own: its pairs are added below
                catalog.add(texts if len(texts) > 1 else texts[0], locations=[("trialsite/takepart.py", line)])
    for text in [*(t for pair in takepart.ANSWERS.values() for t in pair), *takepart.EXTRAS.values()]:
        catalog.add(text, locations=[("trialsite/takepart.py", 0)])
    for pair in [*takepart.UNITS.values(), takepart.OTHER_CITIES, takepart.OTHER_COUNTRIES]:
        catalog.add(pair, locations=[("trialsite/takepart.py", 0)])
    return catalog


def main() -> None:
    """Write messages.pot and bring every catalog up to date with it (new texts untranslated)."""
    from babel.messages.pofile import write_po

    template = extract()
    with (LOCALES / f"{DOMAIN}.pot").open("wb") as handle:
        write_po(handle, template, sort_output=True, include_lineno=False)
    for path in sorted(LOCALES.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=path.parent.parent.name)
        catalog.update(template, no_fuzzy_matching=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, sort_output=True, include_lineno=False, ignore_obsolete=True)


if __name__ == "__main__":
    main()
