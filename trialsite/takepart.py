"""Take part: the "Can I take part?" block, right after a trial page's main message.

A short answer from the status (can one join now, soon, or no longer, and what that means),
then one or two sentences each for who can join, where, and the first step (whom to ask), then
the editor's own taking_part: facts (visits, how long, costs, travel, after the trial). All are
made from the facts, in the page's language, and say so plainly when a fact is not known.

sentences() gives the words as parts (text, words in another language, links), so they can be
tested without a page; resolve_take_part() makes them HTML in page order, like the key facts
(keyfacts.py): word-list words marked on first use, and each sentence citing the source of its
facts.
"""
from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass

from babel.lists import format_list
from markdown.serializers import to_html_string

from . import i18n, places
from .citations import PageCitations, fill_citation
from .diagnostics import Report
from .glossary import MarkTerms
from .keyfacts import official, sources_of_facts
from .wording import Wording

# status -> (the short answer, what it means). "authorized" is read as "authorised".
ANSWERS = {
    "recruiting": ("Yes.", "The trial is looking for people now. If the points below fit you, ask about joining."),
    "not yet recruiting": ("Not yet.", "The trial has not started to look for people. It plans to soon."),
    "enrolling by invitation": ("Only if you are asked.", "Only people the study team asks can join."),
    "active not recruiting": ("No.", "The trial is going on, but it is not taking new people."),
    "authorised": ("Maybe soon.", "A regulator has allowed the trial to start. "
                   "The source does not say if it is looking for people yet."),
    "suspended": ("Not now.", "The trial has stopped for now. It may start again."),
    "terminated": ("No.", "The trial ended early. It takes no more people."),
    "completed": ("No.", "The trial has ended. It takes no more people."),
    "withdrawn": ("No.", "The trial was cancelled before anyone took part."),
    "unknown": ("Not known.", "We do not know if the trial is still looking for people."),
}
CLOSED = {"active not recruiting", "terminated", "completed", "withdrawn"}
# The editor's optional facts (trial.yaml taking_part:), in the order they are shown.
EXTRAS = {"visits": "Visits", "duration": "How long", "costs": "Costs", "travel": "Travel", "after": "After the trial"}
SHOWN_NAMES = 5  # countries or cities named in the sentence; the list of places has them all
UNITS = {"year": ("%(num)s year", "%(num)s years"), "month": ("%(num)s month", "%(num)s months"),
         "week": ("%(num)s week", "%(num)s weeks"), "day": ("%(num)s day", "%(num)s days"),
         "hour": ("%(num)s hour", "%(num)s hours"), "minute": ("%(num)s minute", "%(num)s minutes")}
OTHER_CITIES = ("%(num)d other city", "%(num)d other cities")
OTHER_COUNTRIES = ("%(num)d other country", "%(num)d other countries")
AGE_RE = re.compile(r"^([0-9]+(?:\.[0-9]+)?) ?(year|month|week|day|hour|minute)s?$")


@dataclass(frozen=True)
class Foreign:
    """Words shown in another language than the page's (marked with lang)."""
    text: str
    lang: str


@dataclass(frozen=True)
class Link:
    href: str
    text: str


@dataclass(frozen=True)
class Sentence:
    name: str  # "answer", "who", "where", "first_step", or an EXTRAS key
    label: str  # what the block shows before it ("Who can join"), in the page's language
    parts: tuple  # str, Foreign or Link, in order
    groups: tuple[str, ...]  # the fact groups it comes from (keyfacts.GROUPS): what it cites
    wording: Wording | None = None  # an editor's taking_part: fact (its official words go below it)


@dataclass(frozen=True)
class Row:
    name: str
    label: str
    html: str  # the sentence, word-list words marked, with its citation


@dataclass(frozen=True)
class TakePart:
    short: str  # "Yes.", "Not yet.", ...
    answer: str  # HTML: what the status means for a reader, cited
    rows: tuple[Row, ...]
    closed: bool  # nobody new can join
    places: int  # how many places are listed (the block links to them)
    places_cite: str = ""  # the list of places' citation (cite_places), made after the key facts


def text(parts) -> str:
    """The parts as plain text (for tests and checks)."""
    return "".join(p if isinstance(p, str) else p.text for p in parts)


def _fill(message: str, **values) -> tuple:
    """A translated message with %(name)s filled by parts: names of places, links, numbers."""
    parts: list = []
    for piece in re.split(r"(%\(\w+\)[sd])", message):
        name = re.fullmatch(r"%\((\w+)\)[sd]", piece)
        value = values[name.group(1)] if name else piece
        parts.extend(value if isinstance(value, tuple) else (str(value),))
    return tuple(p for p in parts if p != "")


def _joined(items: list[tuple], lang: str, style: str = "standard") -> tuple:
    """Parts of several names, joined the way lang writes a list ("a, b and c", "a, b ou c")."""
    marks = [f"\ue000{i}\ue001" for i in range(len(items))]
    joined = format_list(marks, style=style, locale=i18n._locale(lang)) if items else ""
    parts: list = []
    for piece in re.split("(\ue000\\d+\ue001)", joined):
        parts.extend(items[int(piece[1:-1])] if piece.startswith("\ue000") else (piece,))
    return tuple(p for p in parts if p != "")


def _name(value, lang: str) -> tuple:
    """A name or wording as parts, marked when it is not in the page's language."""
    if isinstance(value, Wording) and value.lang and value.lang.split("-")[0] != lang.split("-")[0]:
        return (Foreign(str(value), value.lang),)
    return (str(value),)


class _Words:
    def __init__(self, lang: str):
        self.lang = lang
        catalog = i18n.translations(lang)
        self._, self.ngettext = catalog.gettext, catalog.ngettext

    def age(self, value) -> str:
        """18 -> "18 years"; "6 months" -> "6 months", in the page's language."""
        if isinstance(value, (int, float)):
            amount, unit = value, "year"
        else:
            match = AGE_RE.match(str(value).strip())
            if not match:
                return str(value)
            amount, unit = float(match.group(1)), match.group(2)
            amount = int(amount) if amount == int(amount) else amount
        one, many = UNITS[unit]
        return self.ngettext(one, many, amount if isinstance(amount, int) else 2) % {"num": i18n.number(amount, self.lang)}


def sentences(facts: dict, lang: str) -> list[Sentence]:
    """The block's sentences for a trial's facts (as the page's language shows them)."""
    w = _Words(lang)
    _ = w._
    status = facts.get("status") if isinstance(facts.get("status"), str) else None  # else a schema error already
    status = "authorised" if status == "authorized" else status
    found = []
    if status in ANSWERS:
        found.append(Sentence("answer", _(ANSWERS[status][0]), (_(ANSWERS[status][1]),), ("status",)))
    found.append(Sentence("who", _("Who can join"), _who(facts, w), ("population", "conditions")))
    where, groups = _where(facts, w)
    found.append(Sentence("where", _("Where"), where, groups))
    first, groups = _first_step(facts, status, w)
    found.append(Sentence("first_step", _("First step"), first, groups))
    extras = facts.get("taking_part") if isinstance(facts.get("taking_part"), dict) else {}
    for key, label in EXTRAS.items():
        value = extras.get(key)
        if isinstance(value, str) and value.strip():
            found.append(Sentence(key, _(label), _name(value, lang), ("taking_part",), value if isinstance(value, Wording)
                                  else None))
    return found


def _who(facts: dict, w: _Words) -> tuple:
    _ = w._
    names = [_name(c.get("name"), w.lang) for c in _items(facts, "conditions") if isinstance(c.get("name"), str)]
    illnesses = _joined(names, w.lang, "or")
    population = facts.get("population") if isinstance(facts.get("population"), dict) else None
    if population is None:
        return _fill(_("People who have %(illnesses)s. The source does not give the ages."), illnesses=illnesses)
    low, high = population.get("min_age"), population.get("max_age")
    if low is not None and high is not None:
        parts = _fill(_("People aged %(low)s to %(high)s who have %(illnesses)s."), low=w.age(low), high=w.age(high),
                      illnesses=illnesses)
    elif low is not None:
        parts = _fill(_("People aged %(low)s or older who have %(illnesses)s."), low=w.age(low), illnesses=illnesses)
    elif high is not None:
        parts = _fill(_("People up to %(high)s old who have %(illnesses)s."), high=w.age(high), illnesses=illnesses)
    else:
        parts = _fill(_("People of any age who have %(illnesses)s."), illnesses=illnesses)
    sexes = {"all": _("Women and men can join."), "female": _("Only women can join."), "male": _("Only men can join.")}
    sex = population.get("sexes") if isinstance(population.get("sexes"), str) else None
    parts += (" ", sexes.get(sex) or _("The source does not say if both women and men can join."))
    if population.get("healthy_volunteers") is True:
        parts += (" ", _("People without the illness can join too."))
    return parts


def _some(names: list[tuple], w: _Words, other: tuple[str, str]) -> tuple:
    """The first few names, then "and 7 other countries"."""
    shown = names[:SHOWN_NAMES]
    if len(names) > SHOWN_NAMES:
        more = len(names) - SHOWN_NAMES
        shown = shown + [(w.ngettext(*other, more) % {"num": more},)]
    return _joined(shown, w.lang)


def _where(facts: dict, w: _Words) -> tuple[tuple, tuple]:
    _, ngettext = w._, w.ngettext
    countries = places.group(facts.get("locations"), w.lang)
    count = sum(c.count for c in countries)
    if not count:
        return (_("The source does not list the places yet."),), ()
    named = [c for c in countries if c.name]
    cities = list(dict.fromkeys(city.name for c in countries for city in c.cities if city.name))
    city_names = _some([(c,) for c in cities], w, OTHER_CITIES)
    if len(named) > 1:
        few_cities = len(cities) <= SHOWN_NAMES + 3  # "France (Paris, Lyon) and Germany (Berlin)"; else countries only
        country_names = _some([_country(c, w, few_cities) for c in named], w, OTHER_COUNTRIES)
        message = ngettext("%(num)d place in %(count)d countries: %(countries)s.",
                           "%(num)d places in %(count)d countries: %(countries)s.", count)
        return _fill(message, num=count, count=len(named), countries=country_names), ("locations",)
    if named:
        country = (Foreign(named[0].name, named[0].lang),) if named[0].lang else (named[0].name,)
        if cities:
            message = ngettext("%(num)d place in %(country)s: %(cities)s.", "%(num)d places in %(country)s: %(cities)s.",
                               count)
            return _fill(message, num=count, country=country, cities=city_names), ("locations",)
        message = ngettext("%(num)d place in %(country)s.", "%(num)d places in %(country)s.", count)
        return _fill(message, num=count, country=country), ("locations",)
    if cities:
        message = ngettext("%(num)d place: %(cities)s.", "%(num)d places: %(cities)s.", count)
        return _fill(message, num=count, cities=city_names), ("locations",)
    return _fill(ngettext("%(num)d place.", "%(num)d places.", count), num=count), ("locations",)


def _country(country, w: _Words, with_cities: bool) -> tuple:
    name = (Foreign(country.name, country.lang),) if country.lang else (country.name,)
    cities = [(city.name,) for city in country.cities if city.name]
    if not with_cities or not cities:
        return name
    return name + (" (",) + _joined(cities, w.lang) + (")",)


def _first_step(facts: dict, status, w: _Words) -> tuple[tuple, tuple]:
    _ = w._
    if status in CLOSED:
        return (_("You cannot join this trial. Ask your doctor if another trial could suit you."),), ()
    contacts = [c for c in _items(facts, "contacts") if c.get("phone") or c.get("email")]
    if contacts:
        return _fill(_("Ask the study team: %(contact)s."), contact=contact_parts(contacts[0], w)), ("contacts",)
    if any(p.get("contacts") for p in _items(facts, "locations")):
        return (_("Ask the team at the place nearest you. The list of places says whom to ask."),), ("locations",)
    registrations = [r for r in _items(facts, "registrations") if r.get("id")]
    if registrations:
        first = next((r for r in registrations if str(r["id"]).startswith("NCT")), registrations[0])
        return _fill(_("Ask your doctor about trial %(number)s."), number=str(first["id"])), ("registrations",)
    return (_("Ask your doctor about this trial. You can show them this page."),), ()


def _items(facts: dict, key: str) -> list[dict]:
    """The entries of a list of facts; anything else is a schema error, reported already."""
    value = facts.get(key)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def contact_parts(contact: dict, w: _Words) -> tuple:
    """"Jane Doe, phone 555 0100, jane@example.org" (the email as a link)."""
    items: list[tuple] = []
    if isinstance(contact.get("name"), str):
        items.append((contact["name"],))
    if isinstance(contact.get("phone"), str):
        items.append((w._("phone") + " " + contact["phone"],))
    if isinstance(contact.get("email"), str):
        items.append((Link("mailto:" + contact["email"], contact["email"]),))
    parts: list = []
    for i, item in enumerate(items):
        parts.extend(((", ",) if i else ()) + item)
    return tuple(parts)


def resolve_take_part(trial, citations: PageCitations, converter, report: Report) -> TakePart:
    """The block as HTML, made in page order (after the main message, before the key facts)."""
    sources = sources_of_facts(trial, Report())  # an unknown fact_sources: key is reported by the key facts
    label = i18n.translations(converter.lang).gettext("Official term:")
    rows, short, answer = [], "", ""
    for sentence in sentences(trial.facts, converter.lang):
        keys = list(dict.fromkeys(sources[g] for g in sentence.groups if g in sources))
        html = _html(sentence.parts, converter, [citations.cite(k) for k in keys])
        if sentence.wording is not None:
            html += str(official(sentence.wording, converter.lang, label))
        if sentence.name == "answer":
            short, answer = sentence.label, html
        else:
            rows.append(Row(sentence.name, sentence.label, html))
    locations = trial.facts.get("locations") if isinstance(trial.facts.get("locations"), list) else []
    return TakePart(short, answer, tuple(rows), str(trial.facts.get("status")) in CLOSED, len(locations))


def cite_places(trial, take_part: TakePart, citations: PageCitations, converter) -> TakePart:
    """The list of places (after the key facts) cites its source too, in page order."""
    key = sources_of_facts(trial, Report()).get("locations")
    if not take_part.places or not key:
        return take_part
    return dataclasses.replace(take_part, places_cite=_html((), converter, [citations.cite(key)]))


def _html(parts, converter, cited: list) -> str:
    root = etree.Element("span")
    last = None
    for part in parts:
        if isinstance(part, str):
            if last is None:
                root.text = (root.text or "") + part
            else:
                last.tail = (last.tail or "") + part
            continue
        last = (etree.SubElement(root, "span", {"lang": part.lang}) if isinstance(part, Foreign)
                else etree.SubElement(root, "a", {"href": part.href}))
        last.text = part.text
    MarkTerms(converter.md, converter).run(root)
    if cited:
        sup = etree.SubElement(root, "sup", {"class": "cite", "data-pagefind-ignore": "all"})
        fill_citation(sup, cited, converter.citations.label)
    return to_html_string(root)[len("<span>"):-len("</span>")]
