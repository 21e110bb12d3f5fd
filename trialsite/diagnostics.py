"""Diagnostics: every content mistake as data (code, severity, file, line, message).

Stages collect diagnostics and never print; only cli.py prints and decides the exit code.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Iterable

ERROR, WARNING, INFO = "error", "warning", "info"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding about the content, pointing at the file the editor should open."""

    code: str  # stable dotted id, e.g. "schema.type" or "cite.unknown"
    severity: str  # ERROR, WARNING or INFO
    path: str  # posix path as the editor typed it, e.g. content/trials/x/trial.yaml
    line: int  # 1-based; 0 when the whole file is meant
    message: str  # what is wrong and how to fix it, in plain words
    # The message with %(name)s where its values go, and the values: the preview's panel shows it in the
    # site's language (Report.say). Empty for messages that are only in English.
    template: str = ""
    values: tuple = ()

    def in_language(self, gettext) -> str:
        return gettext(self.template) % dict(self.values) if self.template else self.message

    def format(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        label = "" if self.severity == ERROR else f"{self.severity}: "
        return f"{where}: {label}{self.message}"


@dataclass
class Report:
    """All diagnostics of one run, in the order they were found."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, code: str, severity: str, path: str, line: int, message: str) -> None:
        self.items.append(Diagnostic(code, severity, path, line, message))

    def say(self, code: str, severity: str, path: str, line: int, template: str, **values) -> None:
        """A finding whose words can be translated: template has %(name)s for each value. Its
        English text goes into trialsite's catalogs (i18n.extract looks for say(...))."""
        self.items.append(Diagnostic(code, severity, path, line, template % values, template,
                                     tuple(sorted(values.items()))))

    def error(self, path: str, line: int, message: str, code: str = "content") -> None:
        self.add(code, ERROR, path, line, message)

    def warning(self, path: str, line: int, message: str, code: str = "content") -> None:
        self.add(code, WARNING, path, line, message)

    def extend(self, other: Iterable[Diagnostic]) -> None:
        self.items.extend(other)

    def of(self, severity: str) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == severity]

    def count(self, severity: str) -> int:
        """How many different findings of this severity: what the editor sees listed (sorted())."""
        return len({d for d in self.items if d.severity == severity})

    @property
    def has_errors(self) -> bool:
        return any(d.severity == ERROR for d in self.items)

    def sorted(self) -> list[Diagnostic]:
        """Errors first, then by file and line, duplicates dropped."""
        rank = {ERROR: 0, WARNING: 1, INFO: 2}
        unique = dict.fromkeys(self.items)
        return sorted(unique, key=lambda d: (rank[d.severity], d.path, d.line, d.message))


class BuildFailed(Exception):
    """Raised to stop a stage early; the report already holds the reason."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' Did you mean "x"?' for the closest choice, or an empty string."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f' Did you mean "{close[0]}"?' if close else ""


def dotted(path) -> str:
    """("conditions", 0, "name") -> "conditions[0].name": a place in a YAML file, as editors read it."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
