"""Schemas: check YAML data against the shipped JSON Schemas and explain each problem in plain words.

A quick compiled check (fastjsonschema) clears the usual, valid file; only a file with a problem
meets the slower jsonschema validator, whose errors become messages at the line of the key.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import marshal
import os
import re
from functools import lru_cache
from pathlib import Path

import fastjsonschema
from fastjsonschema.ref_resolver import RefResolver

from .diagnostics import Report, did_you_mean, dotted
from .yamlfile import YamlFile

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schema"


@lru_cache(maxsize=None)
def _schema(name: str) -> dict:
    return json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def schema_validator(name: str) -> "jsonschema.Draft202012Validator":
    import jsonschema  # only when a file has a problem to explain: importing it takes ~0.1 s

    return jsonschema.Draft202012Validator(_schema(name))


_compiled: Path | None = None


def keep_compiled_schemas(folder: Path | None) -> None:
    """Keep the quick checks' compiled code in folder (the build cache): making it takes ~0.06 s
    per schema (three of them) in every build that checks a file; loading it, under 1 ms."""
    global _compiled
    _compiled = folder
    quick_schema_check.cache_clear()


@lru_cache(maxsize=None)
def quick_schema_check(name: str):
    """The same schema compiled to Python code: ~25x faster, but it stops at the first problem
    and says little. Our schemas use only keywords that mean the same in draft 7, which it knows."""
    definition = {**_schema(name), "$schema": "http://json-schema.org/draft-07/schema#"}
    if _compiled is None:
        return fastjsonschema.compile(definition)
    key = hashlib.sha256(importlib.util.MAGIC_NUMBER + f"{fastjsonschema.VERSION}\0{json.dumps(definition, sort_keys=True)}"
                         .encode()).hexdigest()
    saved = _compiled / f"schema-{name}-{key[:16]}.marshal"
    try:
        code = marshal.loads(saved.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):  # missing or damaged: made again
        code = compile(fastjsonschema.compile_to_code(definition), f"<schema {name}>", "exec")
        try:
            temporary = saved.with_name(f".{saved.name}.{os.getpid()}.tmp")
            temporary.write_bytes(marshal.dumps(code))
            os.replace(temporary, saved)
        except OSError:
            pass  # a cache that cannot be written only makes the next build slower
    namespace: dict = {}
    exec(code, namespace)  # code fastjsonschema made from our own schema, as fastjsonschema.compile runs it
    return namespace[RefResolver.from_schema(definition, store={}).get_scope_name()]


def passes_schema(data, name: str) -> bool:
    """True only if data surely fits the schema (a test checks this against jsonschema)."""
    try:
        quick_schema_check(name)(data)
    except Exception:  # a problem, or data it cannot judge: let the detailed validator look
        return False
    return True


TYPE_WORDS = {
    "string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
    "array": 'a list (one "- " line per item)', "object": "a group of keys (indented lines below it)",
    "null": "empty",
}
EXAMPLES = {
    "title": "title: A plain title readers understand", "official_title": 'official_title: "The registered title"',
    "summary": "summary: One or two short sentences with the main message.", "status": "status: recruiting",
    "phase": 'phase: "2"', "conditions": "conditions:\n      - name: rheumatoid arthritis",
    "last_reviewed": "last_reviewed: 2026-11-01", "name": "name: ...", "definition": "definition: A short, plain explanation.",
    "sources": "sources:\n      ctis:\n        title: ...\n        url: https://...",
    "language": "language: en", "disclaimer": "disclaimer: This page explains a research study. It is not medical advice.",
    "publisher": "publisher:\n      name: ...", "description": "description: ...", "count": "count: 92", "kind": "kind: planned",
    "url": "url: https://...", "measure": "measure: ...", "registry": "registry: ClinicalTrials.gov", "id": "id: NCT00000000",
}


def shown_value(value) -> str:
    if isinstance(value, str):
        return f'"{value}"' if len(value) < 60 else f'"{value[:57]}..."'
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (dict, list)):
        return "a group" if isinstance(value, dict) else "a list"
    return str(value)


def schema_diagnostics(doc: YamlFile, name: str, report: Report) -> None:
    """Check doc against schema/<name>.schema.json; each problem becomes a plain message."""
    if passes_schema(doc.data, name):  # the usual case: skip the slow validator that explains problems
        return
    validator = schema_validator(name)
    errors = sorted(validator.iter_errors(doc.data), key=lambda e: (doc.line(*e.absolute_path), list(map(str, e.absolute_path))))
    for error in errors:
        _explain(error, doc, report)


def _explain(error: "jsonschema.ValidationError", doc: YamlFile, report: Report) -> None:
    path = tuple(error.absolute_path)
    where = dotted(path)
    value = error.instance
    line = doc.line(*path)
    kind = error.validator
    code = f"schema.{kind}"
    if "propertyNames" in error.schema_path:
        report.error(doc.path, doc.line(*path, value), f'the name "{value}" in {where} can only use letters a-z, A-Z, '
                     "digits and _ . : -  (no spaces or accents).", code="schema.key-name")
        return
    if kind == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        for key in sorted(set(value) - set(allowed)) if isinstance(value, dict) else []:
            full = dotted(path + (key,))
            hint = did_you_mean(key, allowed)
            report.warning(doc.path, doc.line(*path, key), f'"{full}" is not a key trialsite knows, so it is ignored.'
                           f"{hint or ' Check the spelling, or remove it.'}", code="schema.unknown-key")
        return
    if kind == "required":
        missing = [k for k in error.validator_value if k not in value]
        for key in missing:
            owner = f" in {where}" if where else ""
            example = EXAMPLES.get(key, f"{key}: ...")
            report.error(doc.path, line, f'"{key}" is missing{owner}. It is required; add a line like:\n    {example}',
                         code=code)
        return
    if kind == "type":
        expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        words = " or ".join(TYPE_WORDS.get(t, t) for t in expected)
        extra = ""
        if "integer" in expected and isinstance(value, str):
            extra = " Write the number with digits, like 92."
        elif "string" in expected and isinstance(value, (int, float, bool)) and not isinstance(value, bool):
            extra = f' Put it in quotes, like "{value}".'
        elif "string" in expected and isinstance(value, bool):
            extra = " Put it in quotes."
        elif "object" in expected and isinstance(value, (str, int, float)) and "name" in error.schema.get("properties", {}):
            extra = f" Write it like:\n    {'- ' if path and isinstance(path[-1], int) else ''}name: {value}"
        report.error(doc.path, line, f"{where or 'this file'} must be {words}, got {shown_value(value)}.{extra}", code=code)
        return
    if kind == "enum":
        options = [o for o in error.validator_value if isinstance(o, str)]
        hint = did_you_mean(value, options) if isinstance(value, str) else ""
        if path and path[-1] == "phase" and not hint:
            hint = _phase_hint(value, options)
        listed = ", ".join(f'"{o}"' for o in options)
        report.error(doc.path, line, f"{where} {shown_value(value)} is not allowed; use one of {listed}.{hint}", code=code)
        return
    if kind == "pattern" and path and path[-1] == "url":
        report.error(doc.path, line, f"{where} {shown_value(value)} is not a safe web address. "
                     "Use a full address that starts with https:// (or http://, or mailto: for email).", code="url.scheme")
        return
    if kind in ("pattern", "format", "oneOf", "anyOf"):
        description = error.schema.get("description") or _parent_description(error)
        if kind == "pattern" and error.schema.get("pattern", "").startswith("^[0-9]{4}"):
            description = "It must be a date written as YYYY-MM-DD, for example 2026-11-01."
        if kind == "pattern" and path and isinstance(path[-1], str) and error.validator_value.startswith("^[^@"):
            description = "It must be an email address like name@example.org."
        report.error(doc.path, line, f"{where} {shown_value(value)} is not valid. {description or ''}".strip(), code=code)
        return
    if kind in ("minItems", "minLength", "minProperties"):
        report.error(doc.path, line, f"{where} is empty. Fill it in, or remove the line if it is optional.", code=code)
        return
    if kind in ("minimum", "maximum"):
        report.error(doc.path, line, f"{where} is {shown_value(value)}, which is out of range "
                     f"({kind} {error.validator_value}).", code=code)
        return
    report.error(doc.path, line, f"{where or 'this file'}: {error.message}.", code=code)


PHASE_WORDS = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "one": "1", "two": "2", "three": "3", "four": "4"}


def _phase_hint(value, options: list) -> str:
    """"Phase 3", "PHASE2", "Phase I/II", "two", "N/A": the value meant, as people and registries write it."""
    text = str(value).lower()
    if text.replace(" ", "") in ("n/a", "na", "none"):
        guess = "not applicable"
    else:
        text = re.sub(r"\b(iv|iii|ii|i|one|two|three|four)\b", lambda m: PHASE_WORDS[m.group(1)], text.replace("phase", " "))
        guess = "/".join(re.findall(r"[0-4]", text))
    return f' Did you mean "{guess}"?' if guess in options else ""


def _parent_description(error) -> str:
    parent = error.parent
    return parent.schema.get("description", "") if parent is not None else ""
