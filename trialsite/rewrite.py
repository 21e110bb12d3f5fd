"""Rewrite markers: official text that an editor still has to put into plain words (issue 8).

The importer quotes the registry's own wording so the editor can see what to rewrite. Two forms:

    ::: to rewrite  (what the block is, and its citation)   <- in a section: a block, up to
    official text ...                                          a line with only ":::"
    :::

    title: "TO REWRITE: official text"                     <- in trial.yaml: a value that starts so

A build (and check) refuses a trial that still has either, at file:line, so official text is
never published as if it were plain language. The preview shows it, highlighted, as a warning.
"""
from __future__ import annotations

import re

from .diagnostics import Report, dotted

OPEN_RE = re.compile(r"^\s*:::\s*to rewrite\b(.*)$", re.I)
CLOSE_RE = re.compile(r"^\s*:::\s*$")
VALUE_PREFIX = "TO REWRITE"
LABEL = "TO REWRITE (official text, not yet in plain words)"


def blocks(text: str) -> list[tuple[int, int]]:
    """(first, last) 0-based line index of every block; an unclosed block runs to the end."""
    found, start = [], None
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if start is None and OPEN_RE.match(line):
            start = i
        elif start is not None and CLOSE_RE.match(line):
            found.append((start, i))
            start = None
    if start is not None:
        found.append((start, len(lines) - 1))
    return found


def check_section(body: str, path: str, body_line: int, report: Report, preview: bool) -> bool:
    """Report every block; True if there were any (a build then skips the section)."""
    found = blocks(body)
    for first, last in found:
        where = body_line + first
        if preview:
            report.warning(path, where, "official text still waits to be rewritten in plain words (highlighted "
                           "in the preview). The build will stop until it is gone.", code="rewrite.marker")
        else:
            report.error(path, where, f'this section still has official text marked "::: to rewrite" (lines '
                         f"{where}-{body_line + last}). Write it in plain words outside the block, then delete "
                         'the block from "::: to rewrite" to ":::".', code="rewrite.marker")
    return bool(found)


def check_values(facts: dict, yaml_file, report: Report, preview: bool) -> None:
    """Top-level trial.yaml values (title, summary, ...) that start with TO REWRITE."""
    for key, value in facts.items():
        if isinstance(value, str) and value.lstrip().upper().startswith(VALUE_PREFIX):
            line = yaml_file.line(key)
            if preview:
                report.warning(yaml_file.path, line, f"{key} still starts with TO REWRITE. The build will stop "
                               "until you write it in plain words.", code="rewrite.marker")
            else:
                report.error(yaml_file.path, line, f"{key} still starts with TO REWRITE: it is official text. "
                             "Write it in plain words and remove TO REWRITE.", code="rewrite.marker")


def for_preview(body: str) -> str:
    """Each block as a quotation that starts with a visible label, for the preview only.

    Line for line, so later line numbers stay right. Braces are escaped so official text is
    never read as a fact reference."""
    lines = body.split("\n")
    for first, last in blocks(body):
        closed = CLOSE_RE.match(lines[last]) is not None and last > first
        note = OPEN_RE.match(lines[first]).group(1).strip().lstrip(":-– ")
        lines[first] = f"> **{LABEL}** {note}  "  # two spaces: a line break after the label
        for i in range(first + 1, last + (not closed)):
            lines[i] = f"> {lines[i]}".rstrip().replace("{", "&#123;")
        if closed:
            lines[last] = ""
    return "\n".join(lines)


def highlight(html: str) -> str:
    """Mark the quotation made by for_preview, so the stylesheet can make it stand out."""
    return html.replace(f"<blockquote>\n<p><strong>{LABEL}</strong>",
                        f'<blockquote class="to-rewrite">\n<p><strong>{LABEL}</strong>')


def check_wordings(wordings, path: str, report: Report, preview: bool) -> None:
    """Facts whose plain words still say TO REWRITE (import writes that next to the official words)."""
    for w in wordings:
        if not w.rewrite:
            continue
        where = dotted(w.path)
        if preview:
            report.warning(path, w.line, f"{where}: the plain words still say TO REWRITE, so the official words "
                           "show for now. The build will stop until you write plain words.", code="rewrite.marker")
        else:
            report.error(path, w.line, f'{where}: plain: still says TO REWRITE. Write the words a patient would use '
                         f'(the official words "{w.official}" stay next to them), or delete the plain: line to show '
                         "the official words.", code="rewrite.marker")

