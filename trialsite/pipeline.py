"""Pipeline: the order of the stages, and nothing else.

load -> validate -> resolve -> render -> write. Any error stops before write, so the last
good site is never touched; check() runs the same stages and writes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .diagnostics import Report
from .load import load_content
from .render import Output, Renderer
from .resolve import TrialPage, resolve
from .validate import Site, validate
from .write import WriteError, build_lock, write_output


@dataclass
class Result:
    """What a run produced: the report, and the site and pages when it got that far."""

    report: Report = field(default_factory=Report)
    site: Site | None = None
    pages: list[TrialPage] = field(default_factory=list)
    output: Output | None = None
    written: int = 0


def prepare(content: Path, templates: Path | None) -> Result:
    """Load, check and render everything in memory."""
    result = Result()
    report = result.report
    raw = load_content(content, report)
    result.site = validate(raw, report)
    if result.site is None:
        return result
    result.pages = resolve(result.site, report)
    if report.has_errors:
        return result
    result.output = Renderer(result.site, templates, report).render(result.pages)
    return result


def build(content: Path, templates: Path | None, out: Path) -> Result:
    """Build the site into out; on any error out stays exactly as it was."""
    result = prepare(content, templates)
    if result.report.has_errors or result.output is None:
        return result
    try:
        with build_lock(out):
            result.written = write_output(result.output, out)
    except (WriteError, OSError) as exc:
        message = str(exc) if isinstance(exc, WriteError) else f"could not write the site: {exc.strerror or exc}."
        result.report.error(str(out), 0, message, code="write")
    return result


def check(content: Path, templates: Path | None) -> Result:
    """Everything a build checks, without writing anything."""
    return prepare(content, templates)
