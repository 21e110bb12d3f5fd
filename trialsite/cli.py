"""Command line: build | serve | check | import | refresh. The only module that prints or picks an exit code.

Exit codes: 0 done (warnings allowed), 1 the content has errors, 2 the command was typed
wrong, 3 a bug in trialsite itself (reported in one plain paragraph, never a traceback).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

from . import __version__
from .diagnostics import ERROR, INFO, WARNING, Report

COMMANDS = ("build", "serve", "check", "import", "refresh")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python build.py",
        description="Build plain-language clinical-trial pages from content/ into site/.",
        epilog="Examples:  python build.py   |   python build.py serve   |   python build.py check   |   "
               "python build.py import NCT01234567   |   python build.py refresh")
    p.add_argument("command", nargs="?", default="build", choices=COMMANDS,
                   help="build (the default) writes the site; serve shows a live preview; check only checks; "
                        "import starts or updates a trial from ClinicalTrials.gov (an NCT number) or a saved "
                        "record; refresh checks trials against ClinicalTrials.gov and updates the changed ones")
    p.add_argument("names", nargs="*", metavar="NAME",
                   help="import: an NCT number, or a saved record (.json); refresh: trial folder names "
                        "(default: every trial with a ClinicalTrials.gov number)")
    p.add_argument("--slug", help="import: the trial's folder name (default: the folder that already lists this "
                                  "NCT number, else the number, e.g. nct01234567)")
    p.add_argument("--accessed", help="import of a saved file: when the record was saved, YYYY-MM-DD "
                                      "(default: today)")
    p.add_argument("--api-url", default=None,
                   help="import, refresh: the ClinicalTrials.gov API (default: https://clinicaltrials.gov/api/v2)")
    p.add_argument("--timeout", type=float, default=None,
                   help="import, refresh: seconds to wait for one answer (default: 30)")
    p.add_argument("--retries", type=int, default=None,
                   help="import, refresh: more tries when the registry is busy or does not answer (default: 3)")
    p.add_argument("--pause", type=float, default=None,
                   help="refresh: seconds between two requests (default: 1, as ClinicalTrials.gov asks)")
    p.add_argument("--content", default="content", type=Path, help="the content folder (default: content)")
    p.add_argument("--templates", default="templates", type=Path, help="the templates folder (default: templates)")
    p.add_argument("--out", default="site", type=Path, help="where the site is written (default: site)")
    p.add_argument("--port", default=8000, type=int, help="serve: the port to use (default: 8000)")
    p.add_argument("--host", default="127.0.0.1",
                   help="serve: the address to listen on (default: 127.0.0.1, this computer only)")
    p.add_argument("--format", default="text", choices=("text", "json"), help="check: how to print findings")
    p.add_argument("--strict", action="store_true", help="check: treat warnings as errors")
    p.add_argument("--links", action="store_true",
                   help="check: also list every link to another website, to check by hand (nothing is fetched)")
    p.add_argument("--base-url", default=None,
                   help="build: the site's address online, e.g. https://example.org/trials/ (default: base_url in "
                        "site.yaml); used for links shared on social media and search engines")
    p.add_argument("--no-cache", action="store_true",
                   help="build: do not reuse finished pages from .trialsite-cache/ (always safe, just slower)")
    p.add_argument("--jobs", type=int, default=None, help="build: how many processes to use (default: all cores)")
    p.add_argument("--quiet", "-q", action="store_true",
                   help="build: print only errors and warnings (no progress, no summary)")
    p.add_argument("--version", action="version", version=f"trialsite {__version__}")
    return p


class Printer:
    """Prints diagnostics for people: colour only on a terminal."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr  # looked up now, so a redirected stderr is used
        self.colour = self.stream.isatty() and os.environ.get("NO_COLOR") is None

    def paint(self, text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.colour else text

    def report(self, report: Report) -> None:
        for d in report.sorted():
            line = d.format()
            if self.colour:
                colour = "31" if d.severity == ERROR else "33" if d.severity == WARNING else "36"
                where, _, rest = line.partition(": ")
                line = f"{self.paint(where, '1')}: {self.paint(rest, colour)}"
            print(line, file=self.stream)

    def check(self, found: dict) -> None:
        """check's findings, file by file, each file headed by its reading grade."""
        for file in found["files"]:
            reading = file["reading"]
            head = self.paint(file["path"], "1")
            if reading:
                whole = "whole page, " if file["path"].endswith("trial.yaml") else ""
                head += (f" ({whole}reading grade {reading['grade']:g}, {reading['words_per_sentence']:g} words "
                         "per sentence)")
            print(head, file=self.stream)
            for f in file["findings"]:
                where = f"{file['path']}:{f['line']}" if f["line"] else file["path"]
                label = "" if f["severity"] == ERROR else f"{f['severity']}: "
                text = f"{label}{f['message']}"
                if self.colour:
                    text = self.paint(text, "31" if f["severity"] == ERROR else "33" if f["severity"] == WARNING else "36")
                print(f"  {where}: {text}", file=self.stream)
        c = found["counts"]
        print(f"Checked {len(found['trials'])} trial page{'s' * (len(found['trials']) != 1)} against reading grade "
              f"{found['target_grade']:g}: {self.plural(c['error'], 'error')}, {self.plural(c['warning'], 'warning')}, "
              f"{self.plural(c['info'], 'suggestion')}.", file=self.stream)

    def links(self, external: list) -> None:
        """Links to other websites, file by file: trialsite never fetches them, a person should look."""
        print(f"\nLinks to other websites ({len(external)}), to open and check by hand:", file=self.stream)
        current = None
        for path, line, url in external:
            if path != current:
                print(self.paint(path, "1"), file=self.stream)
                current = path
            print(f"  {path}:{line}: {url}", file=self.stream)

    @staticmethod
    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'s' * (n != 1)}"

    def counts(self, report: Report) -> str:
        errors, warnings = report.count(ERROR), report.count(WARNING)
        return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


class Progress:
    """How far a long build is, for people, on stdout (stderr is for problems): on a terminal a
    live line (tqdm) with what is done, the time so far and the time left, gone when done; in a
    log (CI) a plain line every PLAIN_EVERY seconds and one when each stage ends; nothing with
    --quiet. Library code reports through the callback (pipeline.build's progress), never prints."""

    STAGES = {"trials": ("Trial pages", "trial"), "search": ("Search index", "shard")}
    PLAIN_EVERY = 15.0
    LINE = "{desc}: {n_fmt}/{total_fmt} {unit}s, {elapsed} so far, about {remaining} left"
    DONE = "{desc}: {n_fmt}/{total_fmt} {unit}s in {elapsed}"

    def __init__(self, stream=None, quiet: bool = False):
        self.stream = stream or sys.stdout
        self.quiet = quiet
        self.live = self.stream.isatty()
        self.stage = None
        self.bar = None
        self.started = self.printed = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.quiet:
            return
        desc, unit = self.STAGES.get(stage, (stage, "step"))
        if stage != self.stage:
            self.close()
            self.stage, self.started = stage, time.monotonic()
            self.printed = self.started
            if self.live:
                from tqdm import tqdm  # only on a terminal: importing it costs ~30 ms
                sized = _width(self.stream) > 0  # a terminal that tells no width (0) gets 80 columns
                self.bar = tqdm(total=total, desc=desc, unit=unit, file=self.stream, leave=False, dynamic_ncols=sized,
                                ncols=None if sized else 80, bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} {unit}s [{elapsed} so far, about "
                                           "{remaining} left]")
        if self.bar is not None:
            self.bar.update(done - self.bar.n)
        now = time.monotonic()
        if not self.live and (done == total or now - self.printed >= self.PLAIN_EVERY):
            from tqdm import tqdm
            line = tqdm.format_meter(done, total, now - self.started, prefix=desc, unit=unit,
                                     bar_format=self.DONE if done == total else self.LINE)
            print(line, file=self.stream, flush=True)
            self.printed = now

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _width(stream) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError, AttributeError):
        return 0


def template_folder(path: Path) -> Path | None:
    return path if path.is_dir() else None


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    if args.names and args.command not in ("import", "refresh"):
        p.error(f"unexpected {args.names[0]}: only import (an NCT number or a saved record) and refresh "
                "(trial folder names) take names after the command")
    if len(args.names) > 1 and args.command == "import":
        p.error("import takes one NCT number or one saved record at a time; to check several trials "
                "against the registry, use: python build.py refresh")
    try:
        if args.command == "serve":
            from .serve import serve
            return serve(args.content, template_folder(args.templates), args.port, args.host)
        if args.command == "check":
            return run_check(args)
        if args.command == "import":
            return run_import(args)
        if args.command == "refresh":
            return run_refresh(args)
        return run_build(args)
    except KeyboardInterrupt:
        print("\nStopped.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into a command that stopped reading (| head)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # a bug in trialsite, not in the content
        if os.environ.get("TRIALSITE_DEBUG"):
            raise
        print(f"trialsite stopped because of a problem in trialsite itself, not in your content "
              f"({type(exc).__name__}: {exc}). Your site/ folder was not changed. Please report this, "
              "with the command you ran; set TRIALSITE_DEBUG=1 to see the details.", file=sys.stderr)
        return 3


def run_build(args) -> int:
    from .pipeline import build
    printer = Printer()
    if args.base_url is not None and not re.match(r"^https?://[^/\s\"'<>]+(/[^\s\"'<>]*)?$", args.base_url):
        print(f'--base-url "{args.base_url}" is not a web address: give the site\'s address online, starting with '
              "https://, like https://example.org/trials/.", file=sys.stderr)
        return 2
    progress = Progress(quiet=args.quiet)
    try:
        result = build(args.content, template_folder(args.templates), args.out, use_cache=not args.no_cache,
                       jobs=args.jobs, base_url=args.base_url, progress=progress)
    finally:
        progress.close()
    # Plain-language findings can run to thousands on a big site: the build sums them up,
    # `check` lists them. Everything else is shown in full.
    shown, plain = Report(), Report()
    for d in result.report.items:
        (plain if d.code.startswith("plain.") else shown).items.append(d)
    printer.report(shown)
    if result.report.has_errors:
        print(f"Build stopped: {printer.counts(shown)}. Fix the errors above; "
              f"{args.out}/ was not changed.", file=sys.stderr)
        return 1
    if args.quiet:
        return 0
    site = result.site
    trials = len(site.trials) if site else 0
    print(f"Built {trials} trial page{'s' * (trials != 1)} ({result.written} files) into {args.out}/ "
          f"with {printer.counts(shown)}.")
    for line in plain_summary(plain, result.pages, site.info.reading_grade_target if site else 8.0):
        print(line)
    print("To preview it with live reload: python build.py serve")
    return 0


def plain_summary(plain: Report, pages, target: float) -> list[str]:
    """A few lines on how readable the site is: counts, the hardest pages, the trials with most findings."""
    graded = sorted((p for p in pages if p.reading is not None), key=lambda p: -p.reading.grade)
    if not graded:
        return []
    warnings, info = plain.count(WARNING), plain.count(INFO)
    hardest = graded[0]
    lines = [f"Plain language: {Printer.plural(warnings, 'warning')} and {Printer.plural(info, 'suggestion')}. "
             f"Hardest page to read: {hardest.trial.slug} at school grade {hardest.reading.grade:g} "
             f"(target {target:g}; {sum(p.reading.grade > target for p in graded)} page"
             f"{'s' * (sum(p.reading.grade > target for p in graded) != 1)} above it)."]
    per_trial: dict[str, int] = {}
    for d in plain.of(WARNING):
        slug = d.path.split("/trials/", 1)[-1].split("/", 1)[0] if "/trials/" in d.path else d.path
        per_trial[slug] = per_trial.get(slug, 0) + 1
    worst = sorted(per_trial.items(), key=lambda item: (-item[1], item[0]))[:5]
    if worst:
        lines.append("Most warnings: " + ", ".join(f"{slug} ({n})" for slug, n in worst) +
                     ". See them all with: python build.py check")
    return lines


def run_check(args) -> int:
    from .checks import findings_by_file
    from .pipeline import check
    result = check(args.content, template_folder(args.templates))
    report = result.report
    failing = report.has_errors or (args.strict and report.of(WARNING))
    target = result.site.info.reading_grade_target if result.site and result.site.info else 8.0
    found = findings_by_file(report, result.pages, target)
    external = sorted({(path, line, url) for page in result.pages for url, path, line in page.external_links})
    if args.links:
        found["links"] = [{"path": path, "line": line, "url": url} for path, line, url in external]
    if args.format == "json":
        json.dump(found, sys.stdout, indent=2)
        print()
    else:
        printer = Printer(sys.stdout)
        printer.check(found)
        if args.links:
            printer.links(external)
    return 1 if failing else 0


def client(args):
    """The registry client the options ask for, or None after saying why it cannot be made."""
    from . import registry
    from .refresh import publisher_url
    given = {"timeout": args.timeout, "retries": args.retries, "pause": args.pause}
    try:
        return registry.Client(args.api_url or registry.API_URL, agent=registry.user_agent(publisher_url(args.content)),
                               **{key: value for key, value in given.items() if value is not None})
    except registry.FetchError as exc:
        print(exc, file=sys.stderr)
        return None


def looks_like_number(name: str) -> bool:
    """import NCT01234567 (a number to fetch) rather than a saved file: no such file, and no
    folder or .json in the name."""
    return name.strip().upper().startswith("NCT") and not Path(name).exists() and not any(c in name for c in "./\\")


def run_import(args) -> int:
    from .importer import import_number, import_record
    if not args.names:
        print("import needs an NCT number or a saved record: python build.py import NCT01234567 "
              "(or RECORD.json) [--slug SLUG]", file=sys.stderr)
        return 2
    printer = Printer()
    name = args.names[0]
    if looks_like_number(name):
        if args.accessed:
            print("--accessed is only for a saved file: a record fetched now is accessed today.", file=sys.stderr)
            return 2
        registry = client(args)
        if registry is None:
            return 2
        result = import_number(name, args.content, registry, args.slug)
        if result.report.has_errors and not result.trials and len(result.report.items) == 1:
            printer.report(result.report)  # a fetch that failed: one line, nothing was changed
            return 1
    else:
        result = import_record(Path(name), args.content, args.slug, args.accessed)
    printer.report(result.report)
    for trial in result.trials:
        if trial.created:
            print(f"Imported into {trial.folder}/: trial.yaml and {len(trial.sections)} section skeleton"
                  f"{'s' * (len(trial.sections) != 1)}. Rewrite every part marked TO REWRITE in plain words; "
                  "the build refuses the trial until you have.")
        elif trial.changes:
            print(f"Updated the facts in {trial.folder}/trial.yaml. Sections were not touched. What changed "
                  "(review the sentences that mention it, then update last_reviewed):")
            for change in trial.changes:
                print(f"  {change}")
        elif trial.rewritten:
            print(f"{trial.folder}/trial.yaml: the record has no new facts; only the day it was accessed "
                  "(sources: ctgov) changed.")
        else:
            print(f"{trial.folder}/trial.yaml: the record has no new facts. Nothing changed.")
    if result.report.has_errors:
        print(f"Import stopped: {printer.counts(result.report)}.", file=sys.stderr)
        return 1
    return 0


def run_refresh(args) -> int:
    from .refresh import CHANGED, FAILED, UNCHANGED, refresh
    registry = client(args)
    if registry is None:
        return 2
    done = refresh(args.content, args.names, registry)
    for trial in done.trials:
        folder = trial.folder
        if trial.state == CHANGED:
            print(f"{folder}: changed ({trial.detail}):" if trial.changes else
                  f"{folder}: changed ({trial.detail}), but no fact shown on the page changed.")
            for change in trial.changes:
                print(f"  {change}")
        else:
            print(f"{folder}: {trial.state}: {trial.detail}" if trial.state == FAILED else
                  f"{folder}: unchanged ({trial.detail}).")
        for d in trial.report.items:
            if d.format() != trial.detail:  # a failure's first error is its line already
                print(f"  {d.format()}")
    summary = (f"Checked {Printer.plural(len(done.trials), 'trial')} against {registry.name}: "
               f"{done.count(CHANGED)} changed, {done.count(UNCHANGED)} unchanged, {done.count(FAILED)} failed.")
    if done.without_number:
        summary += f" {Printer.plural(done.without_number, 'trial')} without a ClinicalTrials.gov number not checked."
    print(summary)
    if done.count(CHANGED):
        print("Review each change (the sentences that mention it), rewrite every new TO REWRITE, then update "
              "last_reviewed. python build.py check lists what is left to do.")
    return 1 if done.count(FAILED) else 0
