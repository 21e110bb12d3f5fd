"""ClinicalTrials.gov API v2: one study record -> trial.yaml facts and section skeletons (issue 8).

Pure mapping, no files. Facts are copied, never written: the registry's own words go into
"to rewrite" markers (rewrite.py) and, for free-text facts, into wordings whose plain wording
is still to write ({plain: TO REWRITE, official: ...}, plain-facts-spec.md). Nothing here
invents plain language. A value this module does not know is kept as written, with a warning.
"""
from __future__ import annotations

import re

from . import ctgov_results, ctgov_sections
from .rewrite import VALUE_PREFIX

STUDY_URL = "https://clinicaltrials.gov/study/{}"
NCT_RE = re.compile(r"^NCT\d{8}$")
REGISTRY = "ClinicalTrials.gov"
SOURCE_KEY = "ctgov"

STATUS = {
    "NOT_YET_RECRUITING": "not yet recruiting", "RECRUITING": "recruiting",
    "ENROLLING_BY_INVITATION": "enrolling by invitation", "ACTIVE_NOT_RECRUITING": "active not recruiting",
    "SUSPENDED": "suspended", "TERMINATED": "terminated", "COMPLETED": "completed", "WITHDRAWN": "withdrawn",
    "UNKNOWN": "unknown",
    # Expanded access (a treatment given outside a trial) has statuses of its own: the closest fit.
    "AVAILABLE": "recruiting", "TEMPORARILY_NOT_AVAILABLE": "suspended", "NO_LONGER_AVAILABLE": "completed",
    "APPROVED_FOR_MARKETING": "completed", "WITHHELD": "unknown",
}
APPROXIMATE_STATUS = {"AVAILABLE", "TEMPORARILY_NOT_AVAILABLE", "NO_LONGER_AVAILABLE", "APPROVED_FOR_MARKETING",
                      "WITHHELD"}
PHASES = {
    ("NA",): "not applicable", ("EARLY_PHASE1",): "1", ("PHASE1",): "1", ("PHASE1", "PHASE2"): "1/2",
    ("PHASE2",): "2", ("PHASE2", "PHASE3"): "2/3", ("PHASE3",): "3", ("PHASE4",): "4",
}
STUDY_TYPE = {"INTERVENTIONAL": "interventional", "OBSERVATIONAL": "observational"}
ENROLLMENT_KIND = {"ESTIMATED": "planned", "ACTUAL": "actual"}
SEX = {"ALL": "all", "FEMALE": "female", "MALE": "male"}
INTERVENTION_KIND = {
    "DRUG": "drug", "DEVICE": "device", "BIOLOGICAL": "biological", "PROCEDURE": "procedure",
    "RADIATION": "radiation", "BEHAVIORAL": "behavioral", "GENETIC": "genetic",
    "DIETARY_SUPPLEMENT": "dietary supplement", "COMBINATION_PRODUCT": "combination product",
    "DIAGNOSTIC_TEST": "diagnostic test", "OTHER": "other",
}
LOCATION_STATUS = {k: v for k, v in STATUS.items() if k not in APPROXIMATE_STATUS}
CONTACT_ROLE = {"CONTACT": "contact", "BACKUP": "backup contact", "PRINCIPAL_INVESTIGATOR": "principal investigator",
                "SUB_INVESTIGATOR": "sub-investigator", "STUDY_CHAIR": "study chair",
                "STUDY_DIRECTOR": "study director"}
# A route is copied only when the record says it in so many words, and says only one.
ROUTES = {
    "intravenous": r"\bintravenous(ly)?\b|\bIV infusion\b", "by mouth": r"\borally\b|\bby mouth\b|\boral\b",
    "subcutaneous": r"\bsubcutaneous(ly)?\b", "intramuscular": r"\bintramuscular(ly)?\b",
    "topical": r"\btopical(ly)?\b", "inhaled": r"\binhal(ed|ation)\b", "intrathecal": r"\bintrathecal(ly)?\b",
}
MAX_YEARS = 130  # the oldest age trial.yaml takes (schema)
AGE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(year|month|week|day|hour|minute)s?\s*$", re.I)
DATE_RE = re.compile(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+$")
EXCLUSION_RE = re.compile(r"^\s*(?:\*\*)?exclusion criteria:?(?:\*\*)?:?\s*$", re.I | re.M)
INCLUSION_RE = re.compile(r"^\s*(?:\*\*)?inclusion criteria:?(?:\*\*)?:?\s*$", re.I | re.M)


class NotAStudy(ValueError):
    """The JSON is not a ClinicalTrials.gov study record; the message says why, in plain words."""


def studies(data) -> list[dict]:
    """The study objects in a saved file: one study, or the {"studies": [...]} search envelope."""
    if isinstance(data, dict) and "studies" in data and "protocolSection" not in data:
        found = data["studies"]
        if not isinstance(found, list) or not found:
            raise NotAStudy('its "studies" list is empty, so there is nothing to import')
        for i, study in enumerate(found, 1):
            _check_study(study, f"study {i} in the file")
        return found
    _check_study(data, "the file")
    return [data]


def _check_study(study, what: str) -> None:
    if not isinstance(study, dict) or not isinstance(study.get("protocolSection"), dict):
        raise NotAStudy(f'{what} is not a ClinicalTrials.gov study record (it has no "protocolSection")')
    ident = study["protocolSection"].get("identificationModule")
    nct = ident.get("nctId") if isinstance(ident, dict) else None
    if not isinstance(nct, str) or not NCT_RE.match(nct.strip()):
        raise NotAStudy(f"{what} has no valid NCT number (protocolSection.identificationModule.nctId)")


def nct_id(study: dict) -> str:
    return study["protocolSection"]["identificationModule"]["nctId"].strip()


def _module(protocol: dict, name: str) -> dict:
    value = protocol.get(name)
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _text(value) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def wording(official: str) -> dict:
    """A free-text fact in the registry's words, with its plain wording still to write."""
    return {"plain": VALUE_PREFIX, "official": ctgov_results.as_read(official)}  # refused until rewritten


def last_update(study: dict) -> str | None:
    """The day the registry last changed the record (statusModule.lastUpdatePostDateStruct)."""
    status = _module(study.get("protocolSection") or {}, "statusModule")
    struct = status.get("lastUpdatePostDateStruct")
    return _text(struct.get("date")) if isinstance(struct, dict) else None


def status_value(study: dict):
    """The record's overall status as the registry writes it (RECRUITING, COMPLETED, ...)."""
    return _module(study.get("protocolSection") or {}, "statusModule").get("overallStatus")


def has_results(study: dict) -> bool:
    return study.get("hasResults") is True or isinstance(study.get("resultsSection"), dict)


class Mapper:
    """Maps one study; warnings (plain words) collect in self.warnings."""

    def __init__(self, study: dict, accessed: str):
        self.study = study
        self.protocol = study["protocolSection"]
        self.nct = nct_id(study)
        self.accessed = accessed
        self.warnings: list[str] = []

    def enum(self, table: dict, value, field: str):
        """A known value mapped; an unknown one kept as written, with a warning."""
        if value in table:
            return table[value]
        self.warnings.append(f'{field} "{value}" is not a value trialsite knows; it was kept as written. '
                             "Change it to one of the values in the README before you build.")
        return value

    def facts(self) -> dict:
        p = self.protocol
        ident, status, design = _module(p, "identificationModule"), _module(p, "statusModule"), \
            _module(p, "designModule")
        brief = _text(ident.get("briefTitle")) or _text(ident.get("officialTitle")) or self.nct
        summary = _text(_module(p, "descriptionModule").get("briefSummary"))
        facts: dict = {
            "title": f"TO REWRITE: {brief}",
            "official_title": _text(ident.get("officialTitle")) or brief,
            "short_name": _text(ident.get("acronym")),
            "summary": f"TO REWRITE: {summary}" if summary else
            "TO REWRITE: one or two sentences: what this study tests, and who it is for.",
            "registrations": [{"registry": REGISTRY, "id": self.nct, "url": STUDY_URL.format(self.nct)}],
            "status": self.status(status.get("overallStatus")),
            "phase": self.phase(design),
            "study_type": self.enum(STUDY_TYPE, design["studyType"], "study type") if design.get("studyType")
            else None,
            "enrollment": self.enrollment(_module(design, "enrollmentInfo")),
            "conditions": [{"name": wording(c.strip())} for c in _list(_module(p, "conditionsModule").get("conditions"))
                           if _text(c)],
            "population": self.population(_module(p, "eligibilityModule")),
            "interventions": self.interventions(_module(p, "armsInterventionsModule")),
            "outcomes": self.outcomes(_module(p, "outcomesModule")),
            "sponsor": self.sponsor(_module(p, "sponsorCollaboratorsModule")),
            "collaborators": [c["name"].strip() for c in _list(_module(p, "sponsorCollaboratorsModule")
                                                               .get("collaborators"))
                              if isinstance(c, dict) and _text(c.get("name"))],
            "locations": self.locations(_module(p, "contactsLocationsModule")),
            "contacts": self.contacts(_module(p, "contactsLocationsModule")),
            "start_date": self.date(status.get("startDateStruct"), "start date"),
            "completion_date": self.date(status.get("completionDateStruct"), "completion date"),
            "results": ctgov_results.results(self.study, self.warnings),
            "sources": {SOURCE_KEY: {"title": f"{brief} (ClinicalTrials.gov record {self.nct})",
                                     "publisher": "U.S. National Library of Medicine",
                                     "url": STUDY_URL.format(self.nct), "accessed": self.accessed}},
        }
        if not facts["conditions"]:
            self.warnings.append("the record lists no conditions. Add at least one under conditions: "
                                 "before you build.")
        return {key: value for key, value in facts.items() if value not in (None, [], {})}

    def status(self, value):
        if value is None:
            self.warnings.append("the record has no overall status; it was set to unknown. Check it.")
            return "unknown"
        if value in APPROXIMATE_STATUS:
            self.warnings.append(f'status "{value}" is an expanded-access status; it was written as '
                                 f'"{STATUS[value]}", the closest status trialsite has. Check it.')
        return self.enum(STATUS, value, "status")

    def phase(self, design: dict):
        phases = tuple(sorted(p for p in _list(design.get("phases")) if isinstance(p, str)))
        if not phases:  # observational studies have no phases
            return "not applicable"
        if phases in PHASES:
            return PHASES[phases]
        return self.enum(PHASES, "+".join(phases), "phase")

    def enrollment(self, info: dict):
        count = info.get("count")
        if not isinstance(count, int) or isinstance(count, bool):
            return None
        if info.get("type") not in ENROLLMENT_KIND:
            self.warnings.append(f"the record gives {count} people but not whether that number is planned or "
                                 f"actual; add enrollment: {{count: {count}, kind: planned}} (or actual) yourself.")
            return None
        return {"count": count, "kind": ENROLLMENT_KIND[info["type"]]}

    def age(self, value, field: str):
        text = _text(value)
        if text is None or text.upper() in ("N/A", "NA"):
            return None
        match = AGE_RE.match(text)
        if not match:
            self.warnings.append(f'{field} "{text}" is not an age trialsite can read; it was left out. Add it.')
            return None
        number, unit = match.group(1), match.group(2).lower()
        if unit == "year" and float(number) > MAX_YEARS:
            # Some records write "150 Years" for no upper age limit.
            self.warnings.append(f'{field} "{text}" is older than anyone lives; it was read as no age limit. Check it.')
            return None
        if unit == "year":
            return float(number) if "." in number else int(number)
        return f"{number} {unit}{'s' * (number != '1')}"

    def population(self, module: dict) -> dict:
        out = {"min_age": self.age(module.get("minimumAge"), "minimum age"),
               "max_age": self.age(module.get("maximumAge"), "maximum age"),
               "sexes": self.enum(SEX, module["sex"], "sex") if module.get("sex") else None,
               "healthy_volunteers": module.get("healthyVolunteers")
               if isinstance(module.get("healthyVolunteers"), bool) else None}
        out["inclusion"], out["exclusion"] = split_criteria(_text(module.get("eligibilityCriteria")))
        return {k: v for k, v in out.items() if v is not None}

    def interventions(self, module: dict) -> list:
        out = []
        for item in _list(module.get("interventions")):
            if not isinstance(item, dict) or not _text(item.get("name")):
                continue
            entry = {"name": wording(item["name"].strip())}
            others = [o.strip() for o in _list(item.get("otherNames")) if _text(o)]
            if others:
                entry["other_names"] = others
            if item.get("type"):
                entry["kind"] = self.enum(INTERVENTION_KIND, item["type"], "intervention type")
            route = stated_route(_text(item.get("description")) or "")
            if route:
                entry["route"] = route
            out.append(entry)
        return out

    def outcomes(self, module: dict) -> dict:
        out = {}
        for ours, theirs in (("primary", "primaryOutcomes"), ("secondary", "secondaryOutcomes"),
                             ("other", "otherOutcomes")):
            items = []
            for item in _list(module.get(theirs)):
                if isinstance(item, dict) and _text(item.get("measure")):
                    entry = {"measure": wording(item["measure"].strip())}
                    if _text(item.get("timeFrame")):
                        entry["time_frame"] = wording(item["timeFrame"].strip())
                    items.append(entry)
            if items:
                out[ours] = items
        return out

    def sponsor(self, module: dict):
        lead = module.get("leadSponsor")
        return {"name": lead["name"].strip()} if isinstance(lead, dict) and _text(lead.get("name")) else None

    def locations(self, module: dict) -> list:
        out = []
        for item in _list(module.get("locations")):
            if not isinstance(item, dict):
                continue
            entry = {key: item[key].strip() for key in ("facility", "city", "state", "country") if _text(item.get(key))}
            if item.get("status"):
                entry["status"] = self.enum(LOCATION_STATUS, item["status"], "location status")
            # The place's own contacts (issue 19: whom to ask at each place), read like the central ones.
            contacts = self.contacts({"centralContacts": item.get("contacts")})
            if contacts:
                entry["contacts"] = contacts
            if entry:
                out.append(entry)
        return out

    def contacts(self, module: dict) -> list:
        out = []
        for item in _list(module.get("centralContacts")):
            if not isinstance(item, dict):
                continue
            entry = {"name": _text(item.get("name")),
                     "role": self.enum(CONTACT_ROLE, item["role"], "contact role") if item.get("role") else None,
                     "phone": _text(item.get("phone"))}
            if entry["phone"] and _text(item.get("phoneExt")):
                entry["phone"] += f" ext. {item['phoneExt'].strip()}"
            email = _text(item.get("email"))
            if email and EMAIL_RE.match(email):
                entry["email"] = email
            elif email:
                self.warnings.append(f'contact email "{email}" does not look like an email address; left out.')
            entry = {k: v for k, v in entry.items() if v}
            if entry:
                out.append(entry)
        return out

    def date(self, struct, field: str):
        value = _text(struct.get("date")) if isinstance(struct, dict) else None
        if value and not DATE_RE.match(value):
            self.warnings.append(f'{field} "{value}" is not a date as YYYY-MM-DD; it was left out.')
            return None
        return value

    def sections(self) -> dict[str, str]:
        """Section skeletons: file name -> Markdown holding only quoted official text to rewrite."""
        if self.study.get("resultsSection"):  # a finished trial: one part per element of a lay summary
            return ctgov_sections.sections(self.study)
        p = self.protocol
        description = _module(p, "descriptionModule")
        eligibility = _module(p, "eligibilityModule")
        arms = _module(p, "armsInterventionsModule")
        outcomes = _module(p, "outcomesModule")
        treatments = "\n\n".join(f"**{i['name'].strip()}**: {i['description'].strip()}"
                                 for i in _list(arms.get("interventions"))
                                 if isinstance(i, dict) and _text(i.get("name")) and _text(i.get("description")))
        measures = "\n".join(f"- {o['measure'].strip()}" + (f": {o['description'].strip()}"
                                                            if _text(o.get("description")) else "")
                             for o in _list(outcomes.get("primaryOutcomes"))
                             if isinstance(o, dict) and _text(o.get("measure")))
        parts = [
            ("01-about.md", "About this study", "brief summary", _text(description.get("briefSummary"))),
            ("02-what-happens.md", "What happens in the study", "detailed description",
             _text(description.get("detailedDescription"))),
            ("03-treatments.md", "The treatments", "interventions", treatments or None),
            ("04-who-can-take-part.md", "Who can take part", "eligibility criteria",
             _text(eligibility.get("eligibilityCriteria"))),
            ("05-what-is-measured.md", "What the study measures", "primary outcome measures", measures or None),
        ]
        return {name: skeleton(title, what, text) for name, title, what, text in parts if text}


def skeleton(title: str, what: str, official: str) -> str:
    # The front-matter title is a plain heading, not the registry's words; the body is only the quote.
    # A ":::" line inside the quote would end the block early and leave official text outside it.
    quote = re.sub(r"^(\s*):::", r"\1\\:::", official.strip(), flags=re.M)
    return (f"---\ntitle: {title}\n---\n::: to rewrite: the record's {what}, quoted [@{SOURCE_KEY}]\n"
            f"{quote}\n:::\n")


def split_criteria(text: str | None) -> tuple[str | None, str | None]:
    """The official eligibility text split at its "Exclusion Criteria:" heading, when it has one."""
    if not text:
        return None, None
    parts = EXCLUSION_RE.split(text, maxsplit=1)
    inclusion = INCLUSION_RE.sub("", parts[0]).strip() or None
    exclusion = parts[1].strip() or None if len(parts) > 1 else None
    return inclusion, exclusion


def stated_route(description: str) -> str | None:
    found = [route for route, pattern in ROUTES.items() if re.search(pattern, description, re.I)]
    return found[0] if len(found) == 1 else None
