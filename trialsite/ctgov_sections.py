"""ClinicalTrials.gov record -> the section skeletons of a finished trial, one per part of a summary of
results (issue 20). Only the registry's own words, quoted in "to rewrite" blocks; called from ctgov.py.
"""
from __future__ import annotations

import re

from .ctgov_results import SOURCE_KEY, _dict, _list, _text

# Annex V of EU Regulation 536/2014: the ten parts of a summary of results for laypersons.
ANNEX_V = {
    1: ("01-the-trial.md", "About this trial"), 2: ("02-who-ran-it.md", "Who ran the trial"),
    3: ("03-why.md", "Why the trial was done"), 4: ("04-who-took-part.md", "Who took part"),
    5: ("05-treatments.md", "The treatments"), 6: ("06-side-effects.md", "Side effects"),
    7: ("07-results.md", "What the trial found"), 8: ("08-what-it-means.md", "What the results mean"),
    9: ("09-next.md", "Next trials"), 10: ("10-learn-more.md", "Where to learn more"),
}


def sections(study: dict) -> dict[str, str]:
    """One skeleton per Annex V element: file name -> Markdown with only the registry's words to rewrite."""
    protocol = _dict(study.get("protocolSection"))
    section = _dict(study.get("resultsSection"))
    ident, desc = _dict(protocol.get("identificationModule")), _dict(protocol.get("descriptionModule"))
    more = _dict(section.get("moreInfoModule"))
    contact = _dict(more.get("pointOfContact"))
    flow, baseline = _dict(section.get("participantFlowModule")), _dict(section.get("baselineCharacteristicsModule"))
    arms = _dict(protocol.get("armsInterventionsModule"))
    harms = _dict(section.get("adverseEventsModule"))
    ids = [_text(ident.get("nctId")), _text(_dict(ident.get("orgStudyIdInfo")).get("id"))] + \
        [_text(s.get("id")) for s in _list(ident.get("secondaryIdInfos")) if isinstance(s, dict)]
    texts = {
        1: ("official title and numbers", [_text(ident.get("officialTitle")), ", ".join(i for i in ids if i)]),
        2: ("sponsor and point of contact", [_text(_dict(_dict(protocol.get("sponsorCollaboratorsModule"))
                                                           .get("leadSponsor")).get("name")),
                                             ", ".join(_text(contact.get(k)) for k in ("title", "organization", "email",
                                                                                       "phone") if _text(contact.get(k)))]),
        3: ("brief summary", [_text(desc.get("briefSummary"))]),
        4: ("description of the people", [_text(flow.get("recruitmentDetails")), _text(flow.get("preAssignmentDetails")),
                                          _text(baseline.get("populationDescription")),
                                          _block(_dict(protocol.get("eligibilityModule")).get("eligibilityCriteria"))]),
        5: ("treatments", [f"{_text(i.get('name'))}: {_text(i.get('description'))}" for i in _list(arms.get("interventions"))
                           if isinstance(i, dict) and _text(i.get("name")) and _text(i.get("description"))]),
        6: ("adverse events", [_text(harms.get("description")), _text(harms.get("timeFrame"))]),
        7: ("primary outcome measures", [f"{_text(m.get('title'))}: {_text(m.get('description'))}"
                                         for m in _list(_dict(section.get("outcomeMeasuresModule")).get("outcomeMeasures"))
                                         if isinstance(m, dict) and m.get("type") == "PRIMARY" and _text(m.get("title"))
                                         and _text(m.get("description"))]),
        8: ("limitations and caveats", [_text(_dict(more.get("limitationsAndCaveats")).get("description"))]),
        9: ("plans for more trials", []),
        10: ("references", [_text(r.get("citation")) for r in _list(_dict(protocol.get("referencesModule")).get("references"))
                            if isinstance(r, dict) and r.get("type") == "RESULT"]),
    }
    return {ANNEX_V[n][0]: _skeleton(n, what, [t for t in found if t]) for n, (what, found) in texts.items()}


def _block(value) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _skeleton(element: int, what: str, official: list[str]) -> str:
    title = ANNEX_V[element][1]
    head = f"---\ntitle: {title}\nannex_v: {element}\n---\n"
    if not official:
        return (head + f"::: to rewrite: the record has no {what}. Write this part yourself, in plain words, "
                f"citing your source, then delete this block.\n:::\n")
    # A ":::" line inside the quote would end the block early and leave official text outside it.
    quote = re.sub(r"^(\s*):::", r"\1\\:::", "\n\n".join(official), flags=re.M)
    return head + f"::: to rewrite: the record's {what}, quoted [@{SOURCE_KEY}]\n{quote}\n:::\n"
