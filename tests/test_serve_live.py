"""Live preview: `build.py serve` rebuilds on save and the open page updates by itself.

Runs the real server as a subprocess on a copy of content/ and templates/, drives a real
chromium page, edits source files and waits for the page to show the edits WITHOUT reloading
it from the test. Also checks the build-error overlay and a clean Ctrl-C (SIGINT) exit.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from browser_helpers import ROOT, TRIAL_PATH, TRIAL_SLUG

START_TIMEOUT = 20.0   # s until the server answers
VISIBLE_MS = 3_000     # ms from save to visible change
EXIT_TIMEOUT = 5.0     # s from SIGINT to exit


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_one(base, pattern):
    """The single file matching `pattern` under base/trials/<slug>/ (fallback: anywhere under base)."""
    hits = sorted((base / "trials" / TRIAL_SLUG).rglob(pattern)) or sorted(base.rglob(pattern))
    assert len(hits) == 1, f"expected one {pattern} for {TRIAL_SLUG} under {base}, found {hits}"
    return hits[0]


def wait_until_answering(url, proc, log_paths, timeout=START_TIMEOUT):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"`build.py serve` exited early with {proc.returncode}\n{read_logs(log_paths)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                return resp.status
        except urllib.error.HTTPError as exc:   # it answers, even if not 200
            return exc.code
        except (urllib.error.URLError, ConnectionError, socket.timeout) as exc:
            last = exc
            time.sleep(0.2)
    pytest.fail(f"server did not answer {url} within {timeout} s ({last})\n{read_logs(log_paths)}")


def read_logs(log_paths):
    out = []
    for name, path in log_paths.items():
        text = path.read_text(errors="replace") if path.exists() else ""
        out.append(f"--- {name} ---\n{text[-4000:]}")
    return "\n".join(out)


def start_preview(tmp_path):
    """`build.py serve` on a private copy of the example project (edits never touch the repo):
    (process, base URL, log files)."""
    for d in ("content", "templates"):
        shutil.copytree(ROOT / d, tmp_path / d)
    port = free_port()
    logs = {"stdout": tmp_path / "serve.stdout", "stderr": tmp_path / "serve.stderr"}
    cmd = [sys.executable, str(ROOT / "build.py"), "serve", "--port", str(port),
           "--content", str(tmp_path / "content"), "--templates", str(tmp_path / "templates")]
    with open(logs["stdout"], "wb") as out, open(logs["stderr"], "wb") as err:
        proc = subprocess.Popen(cmd, cwd=tmp_path, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(base + "/", proc, logs)
    except BaseException:
        proc.kill()
        raise
    return proc, base, logs


def test_serve_live_reload(page, tmp_path, capsys):
    proc, base, logs = start_preview(tmp_path)
    overview = find_one(tmp_path / "content", "01-overview.md")
    trial_yaml = find_one(tmp_path / "content", "trial.yaml")
    yaml_original = trial_yaml.read_text(encoding="utf-8")
    latencies = []
    try:
        page.set_default_timeout(10_000)
        response = page.goto(base + TRIAL_PATH)
        assert response is not None and response.ok, f"{TRIAL_PATH}: HTTP {response and response.status}"
        page.wait_for_timeout(1_000)

        def edit_and_expect(label, do_edit, expectation):
            t0 = time.monotonic()
            do_edit()
            try:
                expectation()
            except AssertionError as exc:
                raise AssertionError(f"{label}: page did not update within {VISIBLE_MS} ms without reload: "
                                     f"{exc}\n{read_logs(logs)}") from None
            latencies.append((label, time.monotonic() - t0))

        def append(text):
            with open(overview, "a", encoding="utf-8") as f:
                f.write(f"\n\n{text}\n")

        # 1. Two content edits, one second apart.
        edit_and_expect("edit one", lambda: append("Live edit one."),
                        lambda: expect(page.get_by_text("Live edit one.").first).to_be_visible(timeout=VISIBLE_MS))
        page.wait_for_timeout(1_000)
        edit_and_expect("edit two", lambda: append("Live edit two."),
                        lambda: expect(page.get_by_text("Live edit two.").first).to_be_visible(timeout=VISIBLE_MS))

        # 2. Broken YAML: the page shows the build error, naming the file and line.
        if "status: authorised" in yaml_original:
            broken = yaml_original.replace("status: authorised", "status: [unclosed", 1)
        else:
            broken = yaml_original + "\nstatus: [unclosed\n"
        edit_and_expect("break trial.yaml", lambda: trial_yaml.write_text(broken, encoding="utf-8"),
                        lambda: expect(page.locator(".build-error").first)
                        .to_contain_text("trial.yaml:", timeout=VISIBLE_MS))

        # 3. Fixed again: the page is back, the error is gone.
        def restored():
            expect(page.get_by_text("Live edit two.").first).to_be_visible(timeout=VISIBLE_MS)
            expect(page.locator(".build-error")).to_be_hidden(timeout=VISIBLE_MS)
        edit_and_expect("restore trial.yaml", lambda: trial_yaml.write_text(yaml_original, encoding="utf-8"),
                        restored)

        with capsys.disabled():
            print("\nlive preview save-to-visible latency: "
                  + ", ".join(f"{label} {sec * 1000:.0f} ms" for label, sec in latencies))

        # 4. Ctrl-C: clean exit, code 0, no traceback.
        proc.send_signal(signal.SIGINT)
        try:
            rc = proc.wait(timeout=EXIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"server still running {EXIT_TIMEOUT} s after SIGINT\n{read_logs(logs)}")
        stderr = logs["stderr"].read_text(errors="replace")
        assert rc == 0, f"server exited {rc} after SIGINT\n{read_logs(logs)}"
        assert "Traceback" not in stderr, f"traceback on stderr:\n{stderr[-4000:]}"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def test_a_save_while_the_page_is_still_loading_is_not_lost(page, tmp_path):
    """The reload call goes out when the rebuild is done; a page whose live-reload connection
    was not open yet (saved right as it loaded) must still catch up when it connects."""
    proc, base, _ = start_preview(tmp_path)
    overview = find_one(tmp_path / "content", "01-overview.md")
    try:
        delayed = []

        def slow_livereload(route):  # the connection opens only after the save has been rebuilt
            delayed.append(route.request.url)
            if len(delayed) == 1:
                time.sleep(1.5)
            route.continue_()

        page.route("**/livereload.js*", slow_livereload)
        page.goto(base + TRIAL_PATH, wait_until="commit")
        with open(overview, "a", encoding="utf-8") as f:
            f.write("\n\nSaved while the page was loading.\n")
        expect(page.get_by_text("Saved while the page was loading.").first).to_be_visible(timeout=VISIBLE_MS + 1_500)
        assert delayed, "the live-reload script was requested (and held back)"
    finally:
        proc.kill()
        proc.wait(timeout=10)


def test_a_text_save_updates_the_page_in_place_and_a_theme_save_reloads_it(page, tmp_path):
    """Saving a section swaps in the new body (no reload: the editor keeps their place, and it
    shows sooner); saving a theme file reloads the whole page, so a new stylesheet applies; a page
    with scripts of its own (the home page's filters) is reloaded, so its scripts still work; the
    trial page's own script (trial.js) is marked safe to swap: it sets itself up again."""
    proc, base, logs = start_preview(tmp_path)
    overview = find_one(tmp_path / "content", "01-overview.md")
    stylesheet = tmp_path / "templates" / "assets" / "style.css"
    try:
        page.goto(base + TRIAL_PATH)
        page.wait_for_timeout(1_000)
        page.evaluate("window.scrollTo(0, 400); window.sameDocument = true")
        with open(overview, "a", encoding="utf-8") as f:
            f.write("\n\nSwapped in place.\n")
        expect(page.get_by_text("Swapped in place.").first).to_be_visible(timeout=VISIBLE_MS)
        assert page.evaluate("window.sameDocument === true"), "the page was reloaded, not updated in place"
        assert page.evaluate("window.scrollY") > 300, "the editor's place on the page was lost"
        assert page.evaluate("document.querySelectorAll('main').length") == 1
        expect(page.locator(".print-button")).to_be_visible()  # trial.js set itself up again on the new body

        with open(stylesheet, "a", encoding="utf-8") as f:
            f.write("\nbody { outline: 7px solid rgb(1, 2, 3); }\n")
        page.wait_for_function("getComputedStyle(document.body).outlineColor === 'rgb(1, 2, 3)'", timeout=VISIBLE_MS)
        assert page.evaluate("window.sameDocument === undefined"), "a theme change must reload the page"

        page.goto(base + "/")
        page.wait_for_timeout(1_000)
        page.evaluate("window.sameDocument = true")
        with open(overview, "a", encoding="utf-8") as f:
            f.write("\n\nAnother line.\n")  # changes no card, but the preview still tells every page
        page.wait_for_function("window.sameDocument === undefined", timeout=VISIBLE_MS)
        expect(page.locator("#filters")).to_be_visible()  # filter.js ran again after the reload
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{read_logs(logs)}") from None
    finally:
        proc.kill()
        proc.wait(timeout=10)
