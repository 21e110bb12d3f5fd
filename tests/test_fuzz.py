"""Property tests (issue 7): whatever an editor's files contain — random bytes, random text,
almost-valid trial.yaml, tricky Markdown — the build either succeeds or stops with clean
file:line messages (exit 1). Never a traceback, never our internal-error message (exit 3),
never a partial or changed site/ after a refusal."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from project import GLOSSARY, SECTION_1, SITE, TRIAL, build_in_process, make_project, snapshot

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
SECTION = "content/trials/small-trial/sections/01-who.md"
TRIAL_FILE = "content/trials/small-trial/trial.yaml"
TRICKY = ["[@reg]", "[@", "]", "[@reg; @", "@nope", "{{ trial.enrollment.count }}", "{{", "}}", "{%", "%}",
          "{{ trial.x[9] }}", "<script>", "</p>", "<b onclick=x>", "](javascript:x)", "[a](", "[a](../nope/)",
          "](#x)", "#", "## ", "```", "\n", "\n\n", "|", "|---|", "*", "_", "> ", "- ", "1. ", "&#106;", "&",
          "ü", "\u202e", "\x00", "\t", "---", "title:", " ", "word", "MTD", "42", ".", "!"]

_good: dict = {}


def good_project() -> Path:
    """One small project built once: every example starts from a copy of it, site/ included."""
    if "path" not in _good:
        root = Path(tempfile.mkdtemp(prefix="fuzz-"))
        project = make_project(root / "p")
        code, text = build(project)
        assert code == 0, text
        _good["path"] = project
    copy = Path(tempfile.mkdtemp(prefix="fuzz-")) / "p"
    shutil.copytree(_good["path"], copy, symlinks=True)
    return copy


def build(project: Path) -> tuple[int, str]:
    # --quiet: only problems are printed (progress lines would pass for the messages looked for below)
    return build_in_process(project, "--templates", str(project / "templates"), "--no-cache", "--quiet")


def assert_clean_outcome(project: Path) -> None:
    before = snapshot(project / "site")
    code, text = build(project)
    try:
        assert code in (0, 1), f"exit {code}: {text}"
        assert "Traceback" not in text and "problem in trialsite itself" not in text, text
        if code == 1:
            assert snapshot(project / "site") == before, "a refused build changed site/"
            errors = [line for line in text.splitlines() if ": " in line and not line.startswith(("Build stopped",))]
            assert errors, text
        else:
            assert (project / "site" / "index.html").is_file()
            assert (project / "site" / "trials" / "small-trial" / "index.html").is_file()
    finally:
        shutil.rmtree(project.parent, ignore_errors=True)


@SETTINGS
@given(data=st.binary(max_size=400))
def test_random_bytes_as_a_section(data):
    project = good_project()
    (project / SECTION).write_bytes(data)
    assert_clean_outcome(project)


@SETTINGS
@given(body=st.lists(st.sampled_from(TRICKY) | st.text(max_size=12), max_size=40).map("".join))
def test_tricky_markdown_in_a_section(body):
    project = good_project()
    (project / SECTION).write_text("---\ntitle: Who\n---\n" + body, encoding="utf-8", errors="surrogatepass")
    assert_clean_outcome(project)


@SETTINGS
@given(text=st.text(max_size=300))
def test_random_text_as_trial_yaml(text):
    project = good_project()
    (project / TRIAL_FILE).write_text(text, encoding="utf-8", errors="surrogatepass")
    assert_clean_outcome(project)


VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20)
                      | st.dates(), lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8),
                                                                                             inner, max_size=3),
                      max_leaves=8)
KEYS = list(yaml.safe_load(TRIAL))


@SETTINGS
@given(changes=st.dictionaries(st.sampled_from(KEYS + ["population", "outcomes", "locations", "colour"]), VALUES,
                               min_size=1, max_size=4))
@example(changes={"interventions": 1})  # the key facts box crashed on it (found by this test)
@example(changes={"outcomes": {"primary": 3}})
def test_almost_valid_trial_yaml(changes):
    project = good_project()
    facts = yaml.safe_load(TRIAL)
    facts.update(changes)
    (project / TRIAL_FILE).write_text(yaml.safe_dump(facts, allow_unicode=True), encoding="utf-8",
                                      errors="surrogatepass")
    assert_clean_outcome(project)


@SETTINGS
@given(front=st.text(max_size=60), extra=st.sampled_from(["", SECTION_1, "---\n", "---\ntitle: x\n---\n"]))
def test_random_front_matter(front, extra):
    project = good_project()
    (project / SECTION).write_text(f"---\n{front}\n---\n{extra}Text [@reg].\n", encoding="utf-8",
                                   errors="surrogatepass")
    assert_clean_outcome(project)


TRANSLATED = "content/trials/small-trial/sections/01-who.fr.md"
MARKDOWN = st.lists(st.sampled_from(TRICKY) | st.text(max_size=12), max_size=30).map("".join)


@settings(SETTINGS, max_examples=40)
@given(front=st.sampled_from(["title: Qui\n", "title: Qui\nsource_hash: 0\n", "", "source_hash: [1]\n"])
       | st.text(max_size=30), body=MARKDOWN,
       own=st.fixed_dictionaries({}, optional={"title": VALUES | MARKDOWN, "summary": VALUES | MARKDOWN}) | VALUES)
def test_random_translation(front, body, own):
    """A second language: a random translated section and random translated title and summary."""
    project = good_project()
    site = project / "content/site.yaml"
    site.write_text(site.read_text() + "languages: [en, fr]\n")
    (project / TRANSLATED).write_text(f"---\n{front}\n---\n{body}", encoding="utf-8", errors="surrogatepass")
    facts = {**yaml.safe_load(TRIAL), "translations": {"fr": own}}
    (project / TRIAL_FILE).write_text(yaml.safe_dump(facts, allow_unicode=True), encoding="utf-8",
                                      errors="surrogatepass")
    assert_clean_outcome(project)


SITE_KEYS = list(yaml.safe_load(SITE)) + ["languages", "base_url", "reading", "colour"]
WORDS = list(yaml.safe_load(GLOSSARY)) + ["MTD", ""]


@settings(SETTINGS, max_examples=40)
@given(site=st.dictionaries(st.sampled_from(SITE_KEYS), VALUES, max_size=3),
       glossary=st.dictionaries(st.sampled_from(WORDS) | st.text(max_size=8), VALUES, max_size=3))
def test_almost_valid_site_and_glossary(site, glossary):
    project = good_project()
    for name, text, changes in (("site.yaml", SITE, site), ("glossary.yaml", GLOSSARY, glossary)):
        data = {**yaml.safe_load(text), **changes}
        (project / "content" / name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8",
                                                errors="surrogatepass")
    assert_clean_outcome(project)
