"""Browser check of issue 8: the preview of an imported trial, with its "to rewrite" blocks
highlighted, is still accessible (axe-core, WCAG 2.2 AA), valid HTML, and fits a 320 px phone."""
from __future__ import annotations

from pathlib import Path

from browser_helpers import axe_violations, format_axe, format_vnu, vnu_errors
from project import make_project, run_build
from trialsite.incremental import SiteModel

RECORD = Path(__file__).parent / "fixtures" / "ctgov" / "nct06323538-observational-recruiting.json"


def test_preview_of_imported_trial_is_accessible(tmp_path, browser, serve_dir, artifacts):
    project = make_project(tmp_path / "project")
    done = run_build(project, "import", str(RECORD), "--accessed", "2026-11-28")
    assert done.returncode == 0, done.stderr
    result = SiteModel(project / "content", None).full()
    assert not result.report.has_errors, [d.format() for d in result.report.items]
    out = tmp_path / "preview"
    for path, data in result.output.items():
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_bytes(data)
    trial = out / "trials" / "nct06323538" / "index.html"
    errors = vnu_errors([trial])
    assert not errors, format_vnu(errors)

    context = browser.new_context(viewport={"width": 320, "height": 700})
    try:
        page = context.new_page()
        page.goto(serve_dir(out) + "/trials/nct06323538/")
        blocks = page.locator("blockquote.to-rewrite")
        assert blocks.count() == 4
        assert blocks.first.is_visible()
        blocks.first.screenshot(path=str(artifacts / "import-preview-block-phone.png"))
        violations = axe_violations(page)
        assert not violations, format_axe(violations)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    finally:
        context.close()
