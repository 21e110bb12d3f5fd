"""Issue 21: trial.yaml rewritten by import and refresh keeps what the editor wrote (yamledit.py, merge.py)."""
from __future__ import annotations

import textwrap

import yaml

from trialsite import yamledit
from trialsite.merge import Merger

EDITED = textwrap.dedent("""\
    # My notes on this trial.
    title: Two medicines for lung cancer   # plain title
    official_title: A Phase 1/2a Study
    summary: >-
      This trial tests two medicines
      in adults with lung cancer.
    registrations:
      - {registry: ClinicalTrials.gov, id: NCT05288205, url: https://clinicaltrials.gov/study/NCT05288205}
    status: recruiting

    # The illnesses, in my words
    conditions:
      - name:
          plain: lung cancer          # said this way by our readers' panel
          official: Non-small Cell Lung Cancer
          fr: cancer du poumon
        abbr: NSCLC
      - name: bowel cancer
    locations:
      - facility: Hospital A
        city: Hefei
        status: recruiting

    # Who to call
    contacts:
      - name: Dr B
    last_reviewed: "2026-11-01"
    my_own_key: keep me
    sources:
      ctgov: {title: The record, url: https://clinicaltrials.gov/study/NCT05288205, accessed: 2026-11-01}
    """)


def new_facts(**changes) -> dict:
    facts = {
        "official_title": "A Phase 1/2a Study",
        "status": "recruiting",
        "conditions": [{"name": {"plain": "TO REWRITE", "official": "Non-small Cell Lung Cancer"}},
                       {"name": {"plain": "TO REWRITE", "official": "Bowel Cancer"}}],
        "locations": [{"facility": "Hospital A", "city": "Hefei", "status": "recruiting"}],
        "contacts": [{"name": "Dr B"}],
        "registrations": [{"registry": "ClinicalTrials.gov", "id": "NCT05288205",
                           "url": "https://clinicaltrials.gov/study/NCT05288205"}],
        "sources": {"ctgov": {"title": "The record", "url": "https://clinicaltrials.gov/study/NCT05288205",
                              "accessed": "2026-11-01"}},
    }
    facts.update(changes)
    return facts


def merged(text: str, facts: dict) -> tuple[str, list[str]]:
    document = yamledit.Document(text)
    changes = Merger(document.data).apply(facts)
    return document.write(), [c.text for c in changes]


def test_the_same_facts_change_nothing_at_all():
    text, changes = merged(EDITED, new_facts())
    assert changes == []
    assert text == EDITED


def test_a_changed_status_and_a_new_place_change_only_their_lines():
    places = [{"facility": "Hospital A", "city": "Hefei", "status": "completed"},
              {"facility": "Hospital C", "city": "Lyon", "status": "recruiting"}]
    text, changes = merged(EDITED, new_facts(status="completed", locations=places))
    assert changes == ["status: recruiting → completed", "locations: added Hospital C (Lyon)",
                       "locations: Hospital A (Hefei): status: recruiting → completed"]
    expected = EDITED.replace("status: recruiting\n\n# The", "status: completed\n\n# The").replace(
        "    status: recruiting\n\n# Who to call",
        "    status: completed\n  - facility: Hospital C\n    city: Lyon\n    status: recruiting\n\n# Who to call")
    assert text == expected  # the blank line and "# Who to call" stay above contacts:


def test_the_editor_owns_plain_wordings_the_record_owns_official_ones():
    conditions = [{"name": {"plain": "TO REWRITE", "official": "Lung Cancer, Non-small Cell"}},
                  {"name": {"plain": "TO REWRITE", "official": "Colorectal Cancer"}}]
    text, changes = merged(EDITED, new_facts(conditions=conditions))
    data = yaml.safe_load(text)
    assert data["conditions"][0] == {"name": {"plain": "lung cancer", "official": "Lung Cancer, Non-small Cell",
                                              "fr": "cancer du poumon"}, "abbr": "NSCLC"}
    # a wording written as plain text is the editor's plain wording: kept, the record's words beside it
    assert data["conditions"][1] == {"name": {"plain": "bowel cancer", "official": "Colorectal Cancer"}}
    assert changes == [
        "conditions: Non-small Cell Lung Cancer: official wording changed: Non-small Cell Lung Cancer → "
        "Lung Cancer, Non-small Cell",
        "conditions: bowel cancer: official wording is now “Colorectal Cancer”"]
    assert "plain: lung cancer          # said this way by our readers' panel\n" in text
    assert text.count("\n") == EDITED.count("\n") + 2  # only the two new official lines


def test_a_places_own_contacts_follow_the_record():
    with_contact = [{"facility": "Hospital A", "city": "Hefei", "status": "recruiting",
                     "contacts": [{"name": "Dr C", "phone": "+86 1"}]}]
    text, changes = merged(EDITED, new_facts(locations=with_contact))
    assert changes == ["locations: Hospital A (Hefei): contacts: added Dr C"]
    assert yaml.safe_load(text)["locations"][0]["contacts"] == [{"name": "Dr C", "phone": "+86 1"}]
    again, changes = merged(text, new_facts())  # the record no longer lists them: they go
    assert changes == ["locations: Hospital A (Hefei): contacts: removed Dr C"]
    assert again == EDITED


def test_removed_items_and_keys_keep_the_comments_around_them():
    facts = new_facts()
    del facts["locations"]  # the record no longer lists places
    text, changes = merged(EDITED, facts)
    assert changes == ["locations: removed Hospital A (Hefei)"]
    assert "# Who to call\ncontacts:" in text
    assert "locations" not in yaml.safe_load(text)


def test_lines_ruamel_would_rewrap_are_kept_as_written():
    long = "official_title: A very long official title that an editor wrapped\n  over two lines by hand\n"
    original = long + "status: recruiting\nconditions:\n- name: asthma\n"
    document = yamledit.Document(original)
    document.data["status"] = "completed"
    assert document.base != original  # ruamel alone would join the two lines
    assert document.write() == original.replace("recruiting", "completed")
    # a folded line whose value changed is written again, in ruamel's way, on one line
    document.data["official_title"] = "Shorter"
    assert document.write().startswith("official_title: Shorter\nstatus: completed\n")


def test_indentation_follows_the_file():
    assert yamledit.indents("conditions:\n  - name: x\npopulation:\n    min_age: 1\n") == (4, 4, 2)
    assert yamledit.indents("conditions:\n- name: x\n") == (2, 2, 0)
    assert yamledit.indents("title: x\n") == (2, 4, 2)
