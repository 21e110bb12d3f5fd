"""Facts: replace {{ trial.path.to.value }} in a section with the value from trial.yaml.

Only plain fact names are allowed (no filters, calls, {% %} blocks): the text is parsed by
Jinja, every expression is checked against trial.yaml first (for a "did you mean" at the
right line), then rendered in a sandboxed environment with StrictUndefined as a safety net.
"""
from __future__ import annotations

import html
import re

import jinja2
from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment

from .diagnostics import Report, did_you_mean
from .wording import Wording

BLOCK_RE = re.compile(r"\{%")
# "{{ trial.x" with no "}}" before the line ends (or before the next "{{").
UNCLOSED_RE = re.compile(r"\{\{(?:(?!\}\}|\{\{)[^\n])*(?=\n|$|\{\{)")
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]])")
EXAMPLE = "{{ trial.enrollment.count }}"


def format_value(value) -> str:
    """A fact as reader-facing text, safe to drop into Markdown (no HTML, no Markdown syntax)."""
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    return MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def _environment() -> SandboxedEnvironment:
    # Comments are switched off so "{#" in ordinary text is just text.
    return SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False, finalize=format_value,
                                comment_start_string="\x00#", comment_end_string="#\x00",
                                keep_trailing_newline=True)


ENV = _environment()


def fact_path(node) -> list | None:
    """trial.a[0].b as ["a", 0, "b"]; None if the expression is anything else."""
    parts: list = []
    while True:
        if isinstance(node, nodes.Getattr):
            parts.append(node.attr)
            node = node.node
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) \
                and isinstance(node.arg.value, (int, str)) and not isinstance(node.arg.value, bool):
            parts.append(node.arg.value)
            node = node.node
        elif isinstance(node, nodes.Name) and node.name == "trial" and node.ctx == "load":
            return parts[::-1]
        else:
            return None


def shown_path(parts) -> str:
    return "trial" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)


def lookup(facts: dict, parts: list) -> tuple[object, str | None]:
    """(value, None) or (None, a plain explanation of why the name does not work)."""
    value: object = facts
    for i, part in enumerate(parts):
        here = shown_path(parts[:i]) if i else "trial"
        if isinstance(value, dict) and isinstance(part, str):
            if part not in value:
                return None, (f"{shown_path(parts[:i + 1])} does not exist in trial.yaml."
                              f"{did_you_mean(part, value)} Names must match trial.yaml exactly.")
            value = value[part]
        elif isinstance(value, list) and isinstance(part, int):
            if not 0 <= part < len(value):
                return None, (f"{here} has {len(value)} item{'s' if len(value) != 1 else ''}, numbered from 0, "
                              f"so [{part}] does not exist.")
            value = value[part]
        elif isinstance(value, Wording) and part in ("official", "plain"):
            value = value.official if part == "official" else str(value)
        elif isinstance(value, list):
            return None, f"{here} is a list: pick one item by number, like {here}[0]."
        else:
            return None, f"{here} is a single value and has no part called \"{part}\"."
    if isinstance(value, (dict, list)):
        sample = next(iter(value), None) if isinstance(value, dict) else 0
        example = shown_path(parts + [sample]) if sample is not None else shown_path(parts)
        return None, (f"{shown_path(parts)} names a group of facts, not one value. "
                      f"Name one part of it, like {{{{ {example} }}}}.")
    if value is None:
        return None, f"{shown_path(parts)} is empty in trial.yaml, so there is nothing to show."
    return value, None


SIMPLE_RE = re.compile(r"\{\{\s*trial((?:\.[A-Za-z_][A-Za-z0-9_]*|\[[0-9]+\])+)\s*\}\}")
PART_RE = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[([0-9]+)\]")


def _render_simple(text: str, facts: dict, path: str, first_line: int, report: Report) -> str | None:
    """The common case, where every {{ }} is a plain fact name, without compiling a template.

    Jinja compiles each text to Python code (~5 ms a section); plain names need no code at all.
    Returns None when the text needs Jinja's parser (anything else inside braces).
    """
    if "{{" in SIMPLE_RE.sub("", text) or "{%" in text:
        return None
    pieces, last, failed = [], 0, False
    for match in SIMPLE_RE.finditer(text):
        parts = [name if name else int(index) for name, index in PART_RE.findall(match.group(1))]
        value, problem = lookup(facts, parts)
        if problem:
            report.error(path, first_line + text.count("\n", 0, match.start()), problem, code="facts.unknown")
            failed = True
            continue
        pieces += [text[last:match.start()], format_value(value)]
        last = match.end()
    return None if failed else "".join(pieces) + text[last:]


BLOCK_TAG_RE = re.compile(r"\{%.*?%\}", re.S)
TEMPLATE_RE = re.compile(r"\{\{.*?\}\}|" + BLOCK_TAG_RE.pattern, re.S)


def without_facts(text: str) -> str:
    """text with every {{ }} and {% %} blanked out, lines kept: a section whose facts could not
    be filled in can still be checked for its other slips at the right lines."""
    return TEMPLATE_RE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def render_facts(text: str, facts: dict, path: str, first_line: int, report: Report) -> str | None:
    """Section text with every fact filled in, or None after reporting each problem."""
    if "{" not in text:
        return text
    errors_before = len(report.of("error"))
    for match in UNCLOSED_RE.finditer(text):
        line = first_line + text.count("\n", 0, match.start())
        shown = " ".join(match.group(0).split())[:40]
        report.error(path, line, f'the fact "{shown}" is not closed. End it with "}}}}" on the same line, like '
                     f"{EXAMPLE}.", code="facts.syntax")
    for match in BLOCK_RE.finditer(text):
        line = first_line + text.count("\n", 0, match.start())
        report.error(path, line, "{% ... %} is not allowed in a section. To show a fact from trial.yaml, write "
                     f"{EXAMPLE}; for ordinary text, write the words without {{% %}}.", code="facts.syntax")
    if len(report.of("error")) > errors_before:
        if UNCLOSED_RE.search(text):
            return None
        # {% %} only: still check the fact names around it, then give no text
        _render_simple(BLOCK_TAG_RE.sub(lambda m: "\n" * m.group(0).count("\n"), text), facts, path, first_line,
                       report)
        return None
    simple = _render_simple(text, facts, path, first_line, report)
    if simple is not None or len(report.of("error")) > errors_before:
        return simple
    try:
        tree = ENV.parse(text, filename=path)
    except jinja2.TemplateSyntaxError as exc:
        line = first_line + (exc.lineno or 1) - 1
        report.error(path, line, f"this fact reference is not written correctly ({exc.message}). "
                     f"Write it like {EXAMPLE}, with two curly brackets on each side.", code="facts.syntax")
        return None
    for output in tree.find_all(nodes.Output):
        for node in output.nodes:
            if isinstance(node, nodes.TemplateData):
                continue
            line = first_line + node.lineno - 1
            parts = fact_path(node)
            if parts is None:
                report.error(path, line, f"only fact names are allowed inside {{{{ }}}}, like {EXAMPLE}. "
                             "Filters, calculations and other template code are not.", code="facts.syntax")
                continue
            _, problem = lookup(facts, parts)
            if problem:
                report.error(path, line, problem, code="facts.unknown")
    if len(report.of("error")) > errors_before:
        return None
    try:
        return ENV.from_string(tree).render(trial=facts)  # type: ignore[arg-type]
    except jinja2.TemplateError as exc:  # a safety net: the checks above should have caught it
        report.error(path, first_line, f"a fact reference could not be shown: {exc}.", code="facts.unknown")
        return None
