"""Sharing and being found: condition pages' grouping, schema.org JSON-LD, sitemap, robots.txt.

Everything here is data for other programs (search engines, social media, link previews);
absolute addresses only exist when site.yaml has base_url, so they are left out without it.
"""
from __future__ import annotations

import json
import re
import unicodedata

# schema.org MedicalStudyStatus / MedicalTrialDesign names for our status and phase values.
SCHEMA_STATUS = {
    "not yet recruiting": "NotYetRecruiting", "recruiting": "Recruiting",
    "enrolling by invitation": "EnrollingByInvitation", "active not recruiting": "ActiveNotRecruiting",
    "authorised": "ActiveNotRecruiting", "authorized": "ActiveNotRecruiting", "suspended": "Suspended",
    "terminated": "Terminated", "completed": "Completed", "withdrawn": "Withdrawn",
}


def slug(text: str) -> str:
    """"Sjögren's disease" -> "sjogrens-disease": ASCII letters, digits and hyphens. A translated
    fact (wording.py) keeps the address of its default-language words, so every language's page
    about one illness has the same address and the language switcher finds it."""
    text = getattr(text, "default", text)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.replace("'", "").replace("’", "")).strip("-") or "condition"


def conditions(pages) -> list[dict]:
    """Each condition named by any trial: {slug, name, pages}, by name. Names that differ only
    in capitals or accents share one page (and the name most trials use)."""
    groups: dict[str, dict] = {}
    for page in pages:
        seen = set()
        for condition in page.trial.facts.get("conditions") or []:
            key = slug(condition["name"])
            if key in seen:
                continue
            seen.add(key)
            group = groups.setdefault(key, {"slug": key, "names": {}, "pages": []})
            group["names"][condition["name"]] = group["names"].get(condition["name"], 0) + 1
            group["pages"].append(page)
    result = []
    for group in groups.values():
        name = sorted(group["names"].items(), key=lambda item: (-item[1], item[0]))[0][0]
        result.append({"slug": group["slug"], "name": name, "pages": group["pages"]})
    return sorted(result, key=lambda c: (c["name"].casefold(), c["slug"]))


def trial_jsonld(page, site, url: str | None, words) -> str:
    """schema.org MedicalTrial for a trial page, safe inside <script type="application/ld+json">."""
    facts = page.trial.facts
    data: dict = {
        "@context": "https://schema.org",
        "@type": "MedicalTrial",
        "name": facts["title"],
        "description": page.summary_text,
        "healthCondition": [{"@type": "MedicalCondition", "name": c["name"]} for c in facts["conditions"]],
        "phase": words.PHASE[facts["phase"]][0],
        "status": f"https://schema.org/{SCHEMA_STATUS.get(facts['status'], 'ActiveNotRecruiting')}",
        "dateModified": page.trial.last_reviewed.isoformat() if page.trial.last_reviewed else None,
        "publisher": {"@type": "Organization", "name": site.publisher.name},
    }
    if facts.get("official_title"):
        data["alternateName"] = facts["official_title"]
    if isinstance(facts.get("sponsor"), dict) and facts["sponsor"].get("name"):
        data["sponsor"] = {"@type": "Organization", "name": facts["sponsor"]["name"]}
    places = [_place(p) for p in facts.get("locations") or [] if isinstance(p, dict)]
    if places:
        data["studyLocation"] = [p for p in places if p]
    ids = [{"@type": "PropertyValue", "propertyID": r["registry"], "value": r["id"]}
           for r in facts.get("registrations") or [] if isinstance(r, dict) and r.get("id")]
    if ids:
        data["identifier"] = ids
    if url:
        data["url"] = url
    text = json.dumps({k: v for k, v in data.items() if v is not None}, ensure_ascii=False, sort_keys=False)
    # "</script>" or "<!--" inside a value must not end the script element early.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _place(location: dict) -> dict | None:
    name = ", ".join(str(location[k]) for k in ("facility", "city", "country") if location.get(k))
    return {"@type": "Place", "name": name} if name else None


def sitemap(base_url: str, entries: list[tuple[str, str | None]]) -> bytes:
    """sitemap.xml for (path, last modified date) pairs; only possible with absolute addresses."""
    from xml.sax.saxutils import escape
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path, modified in entries:
        url = escape(base_url + path.removesuffix("index.html"))
        lastmod = f"<lastmod>{modified}</lastmod>" if modified else ""
        lines.append(f"  <url><loc>{url}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode()


def robots(base_url: str | None) -> bytes:
    text = "User-agent: *\nAllow: /\n"
    if base_url:
        text += f"Sitemap: {base_url}sitemap.xml\n"
    return text.encode()
