"""Helpers for browser-level checks: axe-core (WCAG 2.2 AA) and vnu (HTML validation).

Both tools come from npm (package.json: axe-core, vnu-jar); tests/run-all.sh runs `npm ci`.
"""
from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
from urllib.parse import unquote, urlparse

ROOT = pathlib.Path(__file__).resolve().parent.parent
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# The example trial of content/ and its URL path in the built site.
TRIAL_SLUG = "allonk-rituximab-rheumatic"
TRIAL_PATH = f"/trials/{TRIAL_SLUG}/"

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def open_page(browser, url, viewport, **options):
    """A new browser context (viewport, color_scheme, java_script_enabled, ...) and a page at url."""
    context = browser.new_context(viewport=viewport, **options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(url)
    return context, page


# --- axe-core -----------------------------------------------------------------

def axe_violations(page, tags=WCAG_TAGS):
    """Run axe-core on the page; return [(rule id, impact, [targets...]), ...] ([] = clean).

    axe is injected with page.evaluate (CDP), not a <script> tag, so a page's
    Content-Security-Policy cannot block it.
    """
    assert AXE_JS.is_file(), f"{AXE_JS} missing: run `npm ci`"
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    assert page.evaluate("() => typeof window.axe === 'object' && typeof window.axe.run === 'function'"), \
        "axe-core did not load into the page"
    res = page.evaluate(
        "t => axe.run(document, {runOnly: {type: 'tag', values: t}, resultTypes: ['violations']})",
        list(tags),
    )
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]]) for v in res["violations"]]


def format_axe(violations) -> str:
    return "\n".join(f"  {rule} ({impact}): {targets}" for rule, impact, targets in violations)


# --- vnu (Nu HTML Checker) ----------------------------------------------------

def java_path():
    return shutil.which("java")


def vnu_errors(paths):
    """Validate many HTML files with ONE java call; return the list of vnu messages.

    Each message is vnu's JSON dict: "type" ("error" or "non-document-error"),
    "url" (file:// URL), "lastLine", "firstColumn", "message", "extract", ...
    Asserts that vnu really ran (java present, JSON parsed); [] means valid.
    """
    paths = [str(p) for p in paths]
    assert paths, "vnu_errors: no files given"
    java = java_path()
    assert java, "java not found (apt-get install openjdk-17-jre-headless)"
    assert VNU_JAR.is_file(), f"{VNU_JAR} missing: run `npm ci`"
    cmd = [java, "-Xss4m", "-XX:TieredStopAtLevel=1", "-jar", str(VNU_JAR),
           "--errors-only", "--format", "json", "--stdout", *paths]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "LC_ALL": "C.UTF-8"})
    # vnu exits 0 (valid) or 1 (errors found); anything else is a crash.
    assert proc.returncode in (0, 1), f"vnu failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}"
    try:
        report = json.loads(proc.stdout)
    except ValueError as exc:
        raise AssertionError(f"vnu output is not JSON ({exc}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    assert isinstance(report, dict) and "messages" in report, f"unexpected vnu output: {proc.stdout[:500]}"
    errors = [m for m in report["messages"] if m.get("type") in ("error", "non-document-error")]
    assert errors or proc.returncode == 0, f"vnu exited 1 but reported no errors:\n{proc.stdout[-2000:]}"
    return errors


def format_vnu(messages, root=None) -> str:
    """One line per message: file:line:col: message."""
    lines = []
    for m in messages:
        where = m.get("url", "?")
        if root is not None and where.startswith("file:"):
            try:
                where = str(pathlib.Path(unquote(urlparse(where).path)).relative_to(root))
            except ValueError:
                pass
        lines.append(f"  {where}:{m.get('lastLine', '?')}:{m.get('firstColumn', '?')}: {m.get('message')}")
    return "\n".join(lines)
