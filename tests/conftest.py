"""Shared pytest fixtures for the trialsite test suite.

Fixtures are grouped by topic; add new groups below with their own header comment.
"""
from __future__ import annotations

import contextlib
import functools
import http.server
import os
import pathlib
import shutil
import subprocess
import sys
import threading

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent

# Make tests/ importable (browser_helpers) whatever pytest's import mode is.
_TESTS_DIR = str(pathlib.Path(__file__).resolve().parent)
if _TESTS_DIR not in sys.path:
    sys.path.insert(0, _TESTS_DIR)


# --- browser and server fixtures ---------------------------------------------
#
# Browser tests use pytest-playwright's normal fixtures (`browser`, `page`, ...),
# driving Debian's chromium (never `playwright install`: browser downloads are
# blocked). Every browser test is guarded by `chromium_path`: missing chromium
# fails the run under CI=true and skips the test elsewhere. The guard is wired
# into `browser_type_launch_args`, so any test using `page`/`browser` gets it.

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = ROOT / "test-results" / "screenshots"


def pytest_configure(config):
    # pytest-playwright 0.10.0 on pytest 9.2 warns about its own `base_url` fixture; harmless.
    config.addinivalue_line(
        "filterwarnings",
        "ignore:Session-scoped fixtures defined as instance methods:pytest.PytestRemovedIn10Warning",
    )


def in_ci() -> bool:
    return os.environ.get("CI") == "true"


def require(condition: bool, reason: str) -> None:
    """A missing tool fails the run in CI (CI=true) and skips the test elsewhere."""
    if not condition:
        if in_ci():
            pytest.fail(f"required tool missing in CI: {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    ok = os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)
    require(ok, f"chromium not found at {CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, chromium_path):
    # No --user-data-dir: launch() rejects it; Playwright uses a fresh temp profile per launch.
    return {**browser_type_launch_args, "executable_path": chromium_path, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def artifacts() -> pathlib.Path:
    """Directory for screenshots kept after the run (test-results/screenshots)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # no access log on stderr
        pass


@contextlib.contextmanager
def serve_directory(path):
    """Serve `path` over http on 127.0.0.1 (free port); yields the base URL (no trailing slash)."""
    handler = functools.partial(QuietHandler, directory=str(path))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def serve_dir():
    """Factory: `url = serve_dir(path)` serves a directory until the end of the session."""
    with contextlib.ExitStack() as stack:
        yield lambda path: stack.enter_context(serve_directory(path))


def build_site(out, content="content", extra_args=()):
    """Run `build.py --content CONTENT --out OUT` from the repo root; returns CompletedProcess."""
    return subprocess.run(
        [sys.executable, "build.py", "--content", str(content), "--out", str(out), *extra_args],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )


@pytest.fixture(scope="session")
def example_site(tmp_path_factory) -> pathlib.Path:
    """The example content (content/) built once per session into a temp dir."""
    assert (ROOT / "build.py").is_file(), "build.py is missing at the repo root"
    out = tmp_path_factory.mktemp("example-site")
    proc = build_site(out)
    assert proc.returncode == 0, (
        f"build.py exited {proc.returncode}\n--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"
    )
    return out


@pytest.fixture(scope="session")
def example_site_url(example_site, serve_dir) -> str:
    """Base URL (no trailing slash) of the built example site served over http."""
    return serve_dir(example_site)


# --- end of browser and server fixtures --------------------------------------


# --- content fixtures ---------------------------------------------------------

@pytest.fixture(scope="session")
def good_site(tmp_path_factory) -> pathlib.Path:
    """A site built from good content: every refused build must leave it exactly as it is."""
    from project import make_project, run_build

    project = make_project(tmp_path_factory.mktemp("good"))
    result = run_build(project)
    assert result.returncode == 0, result.stderr
    return project / "site"


# --- registry fixtures ----------------------------------------------------------

@pytest.fixture
def api():
    """A local stand-in for the ClinicalTrials.gov API (tests/registry_server.py); .url is its --api-url."""
    from registry_server import fake_registry

    with fake_registry() as served:
        yield served
