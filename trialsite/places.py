"""Places: a trial's locations grouped by country, then city, for the "Can I take part?" block
and the list of places (templates/places.html).

Registries write countries in English ("Korea, Republic of", "Viet Nam"); readers see each
country's name in their own language, from Babel's (CLDR's) names for territory codes. A name
that cannot be matched is shown as written, marked as English on pages in other languages.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from babel import Locale, UnknownLocaleError

# Registry spellings that differ from CLDR's English names (ClinicalTrials.gov and EU registers).
ALIASES = {
    "korea, republic of": "KR", "republic of korea": "KR", "korea": "KR",
    "korea, democratic people's republic of": "KP", "russian federation": "RU", "viet nam": "VN",
    "iran, islamic republic of": "IR", "turkey": "TR", "czech republic": "CZ", "hong kong": "HK", "macau": "MO",
    "macao": "MO", "taiwan, province of china": "TW", "moldova, republic of": "MD", "syrian arab republic": "SY",
    "lao people's democratic republic": "LA", "tanzania, united republic of": "TZ", "tanzania": "TZ",
    "congo, the democratic republic of the": "CD", "democratic republic of the congo": "CD", "congo": "CG",
    "bolivia, plurinational state of": "BO", "venezuela, bolivarian republic of": "VE", "brunei darussalam": "BN",
    "libyan arab jamahiriya": "LY", "macedonia, the former yugoslav republic of": "MK", "north macedonia": "MK",
    "cote d'ivoire": "CI", "côte d'ivoire": "CI", "palestinian territory, occupied": "PS", "palestine, state of": "PS",
    "holy see (vatican city state)": "VA", "micronesia, federated states of": "FM", "virgin islands (u.s.)": "VI",
    "usa": "US", "u.s.a.": "US", "united states of america": "US", "uk": "GB", "great britain": "GB",
    "the netherlands": "NL", "swaziland": "SZ", "cape verde": "CV", "burma": "MM",
}
OTHER = ""  # the group of places whose country is not given


@dataclass(frozen=True)
class Place:
    facility: str | None
    city: str | None
    state: str | None
    status: str | None  # the place's own status, as in trial.yaml (words.STATUS)
    contacts: tuple  # dicts like trial.yaml's contacts
    index: int  # position in trial.yaml's locations: (its line for the editor, and a stable id)


@dataclass(frozen=True)
class City:
    name: str | None
    places: tuple[Place, ...]


@dataclass(frozen=True)
class Country:
    name: str  # in the page's language when known, else as written; "" when not given
    lang: str | None  # set when the name is shown in another language than the page's
    code: str  # "fr", or "other" for places with no country: used in ids
    cities: tuple[City, ...]
    count: int


def _folded(text: str) -> str:
    """For matching and sorting: no accents, no case ("Côte d'Ivoire" ~ "cote d'ivoire")."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def _codes() -> dict[str, str]:
    codes = {_folded(name): code for code, name in Locale("en").territories.items() if re.fullmatch("[A-Z]{2}", code)}
    codes.update({_folded(name): code for name, code in ALIASES.items()})
    return codes


def country_code(name: str) -> str | None:
    """"Korea, Republic of" -> "KR"; None when the name is not known."""
    return _codes().get(_folded(name.strip()))


@lru_cache(maxsize=4096)
def country_name(name: str, lang: str) -> tuple[str, str | None]:
    """(the country's name in lang, the language it is shown in when not lang)."""
    code = country_code(name)
    try:
        shown = Locale.parse(lang.replace("-", "_")).territories.get(code) if code else None
    except (UnknownLocaleError, ValueError):
        shown = None
    if shown:
        return shown, None
    return name, None if lang.split("-")[0] == "en" else "en"


def _text(item: dict, key: str) -> str | None:
    value = item.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def group(locations, lang: str) -> tuple[Country, ...]:
    """Every place, by country (in the page's alphabetical order), then city, then site name.
    Places with no country come last."""
    countries: dict[str, dict[str, list[Place]]] = {}
    shown: dict[str, tuple[str, str | None]] = {}
    for index, item in enumerate(locations if isinstance(locations, list) else []):
        if not isinstance(item, dict):
            continue
        contacts = tuple(c for c in item.get("contacts") or [] if isinstance(c, dict))
        place = Place(_text(item, "facility"), _text(item, "city"), _text(item, "state"), _text(item, "status"),
                      contacts, index)
        country = _text(item, "country") or OTHER
        key = country_code(country) or _folded(country)
        shown.setdefault(key, country_name(country, lang) if country else (OTHER, None))
        countries.setdefault(key, {}).setdefault(place.city or "", []).append(place)
    result = []
    for key, cities in countries.items():
        name, name_lang = shown[key]
        made = tuple(City(city or None, tuple(sorted(places, key=lambda p: _folded(p.facility or ""))))
                     for city, places in sorted(cities.items(), key=lambda c: (not c[0], _folded(c[0]))))
        code = re.sub(r"[^a-z0-9]+", "-", _folded(key)).strip("-") or "other"
        result.append(Country(name, name_lang, code, made, sum(len(c.places) for c in made)))
    return tuple(sorted(result, key=lambda c: (not c.name, _folded(c.name))))
