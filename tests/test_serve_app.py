"""serve.py without sockets: paths, the error page, and the rebuild-on-change state."""
from __future__ import annotations

import pytest

from trialsite.serve import CONTENT_CHANGED, PreviewState, make_app, reload_path, site_path

from project import make_project


def call(app, path):
    seen = {}

    def start_response(status, headers):
        seen["status"], seen["headers"] = status, dict(headers)

    body = b"".join(app({"PATH_INFO": path}, start_response))
    return int(seen["status"].split()[0]), seen["headers"], body


@pytest.mark.parametrize("url, key", [
    ("/", "index.html"), ("/trials/x/", "trials/x/index.html"), ("/assets/style.css", "assets/style.css"),
    ("/./glossary/", "glossary/index.html"),
])
def test_site_paths(url, key):
    assert site_path(url) == key


@pytest.mark.parametrize("url", ["/../etc/passwd", "/..%2f..%2fetc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
                                 "/trials/..\\..\\x", "/a%00b"])
def test_traversal_never_leaves_the_site(url):
    assert site_path(url) is None


@pytest.fixture
def state(tmp_path):
    project = make_project(tmp_path)
    preview = PreviewState(project / "content", None)
    assert not preview.rebuild().report.has_errors
    return project, preview


def test_serves_pages_from_memory_and_redirects_folders(state):
    _, preview = state
    app = make_app(preview)
    status, headers, body = call(app, "/trials/small-trial/")
    assert status == 200 and b"A small test trial" in body and headers["Content-Type"].startswith("text/html")
    assert call(app, "/trials/small-trial")[:2] == (301, {"Location": "/trials/small-trial/"})
    assert call(app, "/nope.html")[0] == 404
    assert call(app, "/../../etc/passwd")[0] == 400


def test_errors_show_on_every_page_and_go_away_when_fixed(state):
    project, preview = state
    app = make_app(preview)
    trial = project / "content/trials/small-trial/trial.yaml"
    good = trial.read_text()
    trial.write_text(good.replace("status: recruiting", "status: [oops"))
    preview.rebuild()
    status, _, body = call(app, "/trials/small-trial/")
    assert status == 200 and b'class="build-error"' in body and b"trial.yaml:4:" in body
    assert call(app, "/assets/style.css")[0] == 200, "assets keep coming from the last good build"
    trial.write_text(good.replace("A small test trial", "A renamed trial"))
    preview.rebuild()
    body = call(app, "/trials/small-trial/")[2]
    assert b"build-error" not in body and b"A renamed trial" in body


@pytest.mark.parametrize("url", ["/%2e%2e%2f%2e%2e%2fetc/passwd", "/%252e%252e/etc/passwd", "//etc/passwd",
                                 "/trials/%2e%2e/%2e%2e/%2e%2e/x", "/..;/x", "/C:/Windows/win.ini",
                                 "/trials/small-trial/../../../../etc/passwd", "/%c0%ae%c0%ae/etc/passwd"])
def test_more_traversal_never_reads_outside_the_site(state, url):
    """Whatever site_path makes of it, the app only ever answers from the in-memory site."""
    _, preview = state
    status, _, body = call(make_app(preview), url)
    assert status in (400, 404), status
    assert b"root:" not in body and b"[fonts]" not in body


def test_preview_drops_the_csp_so_livereload_can_run_and_errors_do_not_leak_paths(state, monkeypatch):
    project, preview = state
    monkeypatch.chdir(project)  # serve runs in the project folder: paths are shown relative to it
    app = make_app(preview)
    built = preview.output["trials/small-trial/index.html"]
    assert b'http-equiv="Content-Security-Policy"' in built, "the built page carries the CSP"
    status, _, body = call(app, "/trials/small-trial/")
    assert status == 200 and b"Content-Security-Policy" not in body
    (project / "content/trials/small-trial/trial.yaml").write_text("title: [oops\n")
    preview.rebuild()
    body = call(app, "/trials/small-trial/")[2]
    assert b"trial.yaml:" in body and str(project).encode() not in body
    assert b"LiveReloadPluginTrialsiteSwap" in body, "the error page too can be swapped for the fixed page"


def test_only_saves_of_content_text_may_update_pages_in_place(state):
    project, built = state
    theme = project / "theme"
    (theme / "assets").mkdir(parents=True)
    preview = PreviewState(project / "content", theme)
    trial = project / "content/trials/small-trial"
    assert reload_path(preview, {str(trial / "sections/01-overview.md")}) == CONTENT_CHANGED
    assert reload_path(preview, {str(trial / "trial.yaml"), str(project / "content/glossary.yaml")}) == CONTENT_CHANGED
    for other in (trial / "photo.png", theme / "assets/style.css", theme / "trial.html", project / "elsewhere.md"):
        assert reload_path(preview, {str(trial / "trial.yaml"), str(other)}) == "*", other
    page = call(make_app(built), "/trials/small-trial/")[2]
    assert page.count(b"LiveReloadPluginTrialsiteSwap") == 1 and page.index(b"Swap") < page.index(b"</head>")
