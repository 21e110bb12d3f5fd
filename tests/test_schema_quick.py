"""The quick schema check (fastjsonschema) lets a file skip the detailed validator (jsonschema)
only when that file surely fits the schema: it must never let through a file with a problem.
Random changes to the real example files, checked with both."""
from __future__ import annotations

import copy
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trialsite.schemas import passes_schema, schema_validator

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = {
    "trial": sorted((ROOT / "content" / "trials").glob("*/trial.yaml")) + sorted((ROOT / "tests" / "fixtures").rglob("trial.yaml")),
    "site": sorted((ROOT / "content").glob("site.yaml")) + sorted((ROOT / "tests" / "fixtures").rglob("site.yaml")),
    "glossary": sorted((ROOT / "content").glob("glossary.yaml")) + sorted((ROOT / "tests" / "fixtures").rglob("glossary.yaml")),
}
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 300) | st.floats(allow_nan=False) | st.sampled_from(
        ["", " ", "recruiting", "2", "https://example.org", "javascript:x", "2026-02-30", "phase-2", "en", "x" * 300]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["id", "name", "url", "x", "type", "title"]),
                                                              inner, max_size=3),
    max_leaves=6)


def load(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def places(data, path=()):
    """Every path into data, the root included."""
    yield path
    if isinstance(data, dict):
        for key, value in data.items():
            yield from places(value, path + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from places(value, path + (i,))


def changed(data, path, how, value):
    data = copy.deepcopy(data)
    if not path:
        return value
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    if how == "replace":
        parent[path[-1]] = value
    elif how == "delete":
        del parent[path[-1]]
    elif isinstance(parent, dict):
        parent[f"{path[-1]}_extra"] = value
    else:
        parent.append(value)
    return data


def test_every_example_file_passes_both_ways():
    for name, files in EXAMPLES.items():
        assert files, name
        for path in files:
            data = load(path)
            if list(schema_validator(name).iter_errors(data)):
                continue  # fixtures of mistakes
            assert passes_schema(data, name), path


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(st.sampled_from(sorted(EXAMPLES)), st.data(), st.sampled_from(["replace", "delete", "add"]), VALUES)
def test_the_quick_check_never_passes_a_file_the_detailed_one_would_refuse(name, data, how, value):
    source = data.draw(st.sampled_from(EXAMPLES[name]))
    original = load(source)
    where = data.draw(st.sampled_from(list(places(original))))
    doc = changed(original, where, how, value)
    if passes_schema(doc, name):
        problems = [e.message for e in schema_validator(name).iter_errors(doc)]
        assert not problems, f"{source} with {how} at {where} -> {value!r}: {problems}"
