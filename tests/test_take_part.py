"""The "Can I take part?" block (takepart.py, places.py): its sentences for every status, with and
without places and contacts, in English and every catalog language; and the block on built pages
(cited, translated, the editor's taking_part: facts, every place listed)."""
from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from project import TRIAL, build_in_process, make_project
from trialsite import i18n, places, reading, takepart, words

LANGS = ("en", "fr", "de", "es")
STATUSES = [s for s in words.STATUS if s != "authorized"]
PLACES = [
    {"facility": "Hôpital Saint-Louis", "city": "Paris", "country": "France", "status": "recruiting"},
    {"facility": "Charité", "city": "Berlin", "country": "Germany"},
    {"facility": "Klinikum Mitte", "city": "Berlin", "country": "Germany"},
]
CONTACT = {"name": "Dr Ada Example", "role": "contact", "phone": "+33 1 23 45 67 89", "email": "ada@example.org"}


def facts(status="recruiting", locations=(), contacts=(), **more):
    made = {"status": status, "conditions": [{"name": "rheumatoid arthritis"}, {"name": "lupus"}],
            "population": {"min_age": 18, "max_age": 65, "sexes": "all", "healthy_volunteers": False}}
    if locations:
        made["locations"] = list(locations)
    if contacts:
        made["contacts"] = list(contacts)
    return {**made, **more}


def rows(found):
    return {s.name: s for s in found}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("with_places", [False, True])
@pytest.mark.parametrize("with_contacts", [False, True])
def test_every_status_answers_who_where_and_first_step(lang, status, with_places, with_contacts):
    found = rows(takepart.sentences(facts(status, PLACES if with_places else (), [CONTACT] if with_contacts else ()), lang))
    assert list(found)[:4] == ["answer", "who", "where", "first_step"]
    gettext = i18n.translations(lang).gettext
    short, meaning = takepart.ANSWERS[status]
    assert found["answer"].label == gettext(short) and takepart.text(found["answer"].parts) == gettext(meaning)
    assert found["answer"].groups == ("status",)
    who = takepart.text(found["who"].parts)
    assert "18" in who and "65" in who and "lupus" in who
    where = takepart.text(found["where"].parts)
    if with_places:
        assert "3" in where and "Paris" in where and "Berlin" in where and found["where"].groups == ("locations",)
        assert places.country_name("Germany", lang)[0] in where  # "Allemagne", "Deutschland", "Alemania"
    else:
        assert where == gettext("The source does not list the places yet.") and found["where"].groups == ()
    first = found["first_step"]
    if status in takepart.CLOSED:
        assert takepart.text(first.parts) == gettext(
            "You cannot join this trial. Ask your doctor if another trial could suit you.")
        assert "ada@example.org" not in takepart.text(first.parts)
    elif with_contacts:
        assert "Dr Ada Example" in takepart.text(first.parts) and first.groups == ("contacts",)
        assert takepart.Link("mailto:ada@example.org", "ada@example.org") in first.parts
    else:
        assert takepart.text(first.parts) == gettext("Ask your doctor about this trial. You can show them this page.")


@pytest.mark.parametrize("lang", LANGS[1:])
def test_no_english_left_in_other_languages(lang):
    for status in STATUSES:
        for places_given in (PLACES, ()):
            english = rows(takepart.sentences(facts(status, places_given, [CONTACT]), "en"))
            other = rows(takepart.sentences(facts(status, places_given, [CONTACT]), lang))
            for name in ("answer", "who", "where", "first_step"):
                assert other[name].label != english[name].label or name == "answer"
                assert takepart.text(other[name].parts) != takepart.text(english[name].parts), (status, name)


def test_the_number_of_an_nct_registration_is_the_first_step_without_contacts():
    found = rows(takepart.sentences(facts(registrations=[
        {"registry": "EU CT", "id": "2024-512345-11-00"}, {"registry": "ClinicalTrials.gov", "id": "NCT01234567"}]), "fr"))
    assert takepart.text(found["first_step"].parts) == "Parlez à votre médecin de l'essai NCT01234567."
    assert found["first_step"].groups == ("registrations",)


def test_contacts_only_at_places_point_to_the_list_of_places():
    at_place = [{**PLACES[0], "contacts": [CONTACT]}]
    found = rows(takepart.sentences(facts(locations=at_place), "en"))
    assert "list of places" in takepart.text(found["first_step"].parts) and found["first_step"].groups == ("locations",)


def test_unknown_facts_are_said_to_be_unknown():
    found = rows(takepart.sentences({"status": "recruiting", "conditions": [{"name": "gout"}]}, "en"))
    assert takepart.text(found["who"].parts) == "People who have gout. The source does not give the ages."
    found = rows(takepart.sentences(facts(population={"min_age": 18}), "de"))
    assert "Die Quelle sagt nicht, ob Frauen und Männer mitmachen können." in takepart.text(found["who"].parts)


@pytest.mark.parametrize("lang, expected", [("en", "People aged 6 months or older who have rheumatoid arthritis or lupus."),
                                            ("fr", "Les personnes de 6 mois ou plus qui ont : rheumatoid arthritis ou lupus."),
                                            ("es", "Personas de 6 meses o más que tienen: rheumatoid arthritis o lupus.")])
def test_ages_with_units_and_lists_of_illnesses_are_written_the_language_s_way(lang, expected):
    found = rows(takepart.sentences(facts(population={"min_age": "6 months", "sexes": "female",
                                                      "healthy_volunteers": True}), lang))
    who = takepart.text(found["who"].parts)
    assert who.startswith(expected)
    assert who.endswith(i18n.translations(lang).gettext("People without the illness can join too."))


def test_many_places_name_a_few_countries_and_count_the_rest():
    generated = [{"facility": f"Site {i}", "city": f"City {i % 30}", "country": country}
                 for i, country in enumerate(["France", "Germany", "Spain", "Italy", "Poland", "Korea, Republic of",
                                              "United States", "Viet Nam", "Czech Republic", "Brazil", "Japan",
                                              "Canada"] * 25)]
    where = takepart.text(rows(takepart.sentences(facts(locations=generated), "fr"))["where"].parts)
    assert where.startswith("300 lieux dans 12 pays : ") and where.endswith("et 7 autres pays.")
    assert "Allemagne" in where and "Brésil" in where  # sorted in French: Allemagne, Brésil, Canada, Corée...
    countries = places.group(generated, "fr")
    assert [c.name for c in countries][:4] == ["Allemagne", "Brésil", "Canada", "Corée du Sud"]
    assert sum(c.count for c in countries) == 300 and all(c.lang is None for c in countries)


def test_a_country_no_one_can_match_is_kept_as_written_and_marked_english():
    (country,) = places.group([{"city": "Atlantis City", "country": "Atlantis"}], "fr")
    assert (country.name, country.lang, country.code) == ("Atlantis", "en", "atlantis")
    assert places.country_name("Korea, Republic of", "de") == ("Südkorea", None)


@pytest.mark.parametrize("status", STATUSES)
def test_the_english_sentences_read_at_grade_8_or_below(status):
    found = takepart.sentences(facts(status, PLACES, [CONTACT]), "en")
    text = " ".join(s.label + ". " + takepart.text(s.parts) for s in found)
    assert reading.grade(text) <= 8, text


# --- the block on a built page ------------------------------------------------

TRIAL_MORE = """\
registrations:
  - registry: ClinicalTrials.gov
    id: NCT01234567
    url: https://clinicaltrials.gov/study/NCT01234567
locations:
  - {facility: Hôpital Saint-Louis, city: Paris, country: France, status: recruiting,
     contacts: [{name: Dr Ada Example, phone: "+33 1 23 45 67 89", email: ada@example.org}]}
  - {facility: Charité, city: Berlin, country: Germany}
contacts:
  - {name: Study desk, role: contact, email: desk@example.org}
fact_sources:
  taking_part: paper
taking_part:
  visits: 12 visits to the hospital in the first year.
  costs:
    plain: The trial pays for the study treatment.
    official: Study drug provided at no cost
    fr: L'essai paie le traitement étudié.
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("take-part"), {
        "content/trials/small-trial/trial.yaml": TRIAL + TRIAL_MORE})
    code, out = build_in_process(project)
    assert code == 0, out
    return project


def page(project, path="trials/small-trial/index.html"):
    return BeautifulSoup((project / "site" / path).read_text(), "html.parser")


def test_the_block_comes_right_after_the_main_message_and_every_row_is_cited(built):
    soup = page(built)
    block = soup.select_one("#summary").find_next_sibling("section")
    assert block["id"] == "take-part" and block.h2.get_text() == "Can I take part?"
    assert block.select_one(".answer").get_text(" ", strip=True).startswith("Yes. The trial is looking for people now.")
    rows_shown = {div["class"][0]: div for div in block.select("dl > div")}
    assert list(rows_shown) == ["take-part-who", "take-part-where", "take-part-first-step", "take-part-visits",
                                "take-part-costs"]
    sources = {li["id"]: li.get_text() for li in soup.select("ol.sources > li")}
    for name, row in [("answer", block.select_one(".answer")), *rows_shown.items()]:
        links = row.select("sup.cite a.cite-ref")
        assert links, f"{name} cites nothing"
        for link in links:
            assert link["href"].lstrip("#") in sources
    # the editor's facts cite the source fact_sources: names for them
    paper = next(k for k, text in sources.items() if "A paper about it" in text)
    assert rows_shown["take-part-costs"].select_one("a.cite-ref")["href"] == "#" + paper
    assert "Official term: Study drug provided at no cost" in rows_shown["take-part-costs"].get_text()
    first = rows_shown["take-part-first-step"]
    assert "Ask the study team: Study desk" in first.get_text() and first.select_one('a[href="mailto:desk@example.org"]')


def test_every_place_and_its_contact_is_listed_by_country_then_city(built):
    soup = page(built)
    countries = soup.select("#places details.country")
    assert [c.select_one(".country-name").get_text() for c in countries] == ["France", "Germany"]
    assert all(c.has_attr("open") for c in countries)  # few places: open
    france = countries[0]
    assert france.select_one("h3.city").get_text() == "Paris"
    assert "Looking for people" in france.get_text() and "Dr Ada Example" in france.get_text()
    assert france.select_one('a[href="mailto:ada@example.org"]')
    assert soup.select_one("#places sup.cite a.cite-ref")  # the list cites its source too
    assert soup.select_one('#key-facts a[href="#places"]').get_text() == "2 places: see the list"


def test_the_french_page_says_it_in_french(built, tmp_path):
    project = make_project(tmp_path, {"content/site.yaml": (built / "content/site.yaml").read_text()
                                      + "languages: [en, fr]\n",
                                      "content/trials/small-trial/trial.yaml": TRIAL + TRIAL_MORE})
    code, out = build_in_process(project)
    assert code == 0, out
    block = page(project, "fr/trials/small-trial/index.html").select_one("#take-part")
    text = block.get_text(" ", strip=True)
    assert text.startswith("Puis-je participer ? Oui. L'essai cherche des participants maintenant.")
    assert "2 lieux dans 2 pays : Allemagne (Berlin) et France (Paris)." in text
    assert "L'essai paie le traitement étudié." in text
    visits = block.select_one(".take-part-visits dd span[lang]")
    assert visits["lang"] == "en" and visits.get_text() == "12 visits to the hospital in the first year."


def test_taking_part_facts_are_checked_like_other_text(tmp_path):
    long = " ".join(["the visits are long and"] * 6) + " tiring."
    project = make_project(tmp_path, {"content/trials/small-trial/trial.yaml":
                                      TRIAL + f"taking_part:\n  duration: {long}\n  visit: 3\n"})
    code, out = build_in_process(project, "check")
    assert re.search(r"trial\.yaml:\d+: warning: this text has a sentence of 31 words", out), out
    assert re.search(r"trial\.yaml:\d+: warning: .*visit", out), out


def test_page_without_places_has_no_list_and_says_so(tmp_path):
    project = make_project(tmp_path)
    code, out = build_in_process(project)
    assert code == 0, out
    soup = page(project)
    assert soup.select_one("#places") is None and not soup.select('a[href="#places"]')
    assert "The source does not list the places yet." in soup.select_one("#take-part").get_text()


def test_import_copies_each_place_s_own_contacts():
    import json

    from trialsite import ctgov
    from project import ROOT
    record = json.loads((ROOT / "tests/fixtures/ctgov/nct06323538-observational-recruiting.json").read_text())
    locations = ctgov.Mapper(ctgov.studies(record)[0], "2026-01-01").facts()["locations"]
    vienna = next(p for p in locations if p.get("city") == "Vienna")
    assert vienna["contacts"][0] == {"name": "Maria Wakolbinger, Prof", "role": "contact",
                                     "email": "maria.wakolbinger@meduniwien.ac.at"}
