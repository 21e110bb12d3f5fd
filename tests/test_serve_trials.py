"""Preview (issue 6): a trial added, renamed or deleted while `build.py serve` runs appears and
disappears on the home page, the illness pages, its own address and search, without restarting."""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request

from playwright.sync_api import TimeoutError as PlaywrightTimeout, expect

from project import TRIAL
from test_serve_live import ROOT, free_port, read_logs, wait_until_answering

NEW_TRIAL = TRIAL.replace("A small test trial", "A new trial about gout").replace("rheumatoid arthritis", "gout")
SECTION = "---\ntitle: About\n---\nThis trial is for adults with gout [@reg; @paper].\n"


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def wait_for_status(url: str, wanted: int, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while status(url) != wanted:
        assert time.monotonic() < deadline, f"{url} did not answer {wanted}"
        time.sleep(0.1)


def search_finds(page, base: str, words: str, title: str) -> bool:
    page.goto(base + "/search/index.html")
    try:
        page.locator(".pagefind-ui__search-input").wait_for(timeout=2_000)
        page.fill(".pagefind-ui__search-input", words)
        page.locator(".pagefind-ui__result-link", has_text=title).wait_for(timeout=3_000)
        return True
    except PlaywrightTimeout:
        return False  # no index yet, or not this trial in it yet


def test_added_renamed_and_deleted_trials_show_in_the_preview(page, tmp_path):
    # The example's first trial only: the counts below start from one trial.
    shutil.copytree(ROOT / "content", tmp_path / "content", ignore=shutil.ignore_patterns("dupilumab-vaccine-response"))
    trials = tmp_path / "content" / "trials"
    port = free_port()
    logs = {"stdout": tmp_path / "serve.stdout", "stderr": tmp_path / "serve.stderr"}
    with open(logs["stdout"], "wb") as out, open(logs["stderr"], "wb") as err:
        proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", "--port", str(port),
                                 "--content", str(tmp_path / "content")], cwd=tmp_path, stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(base + "/", proc, logs)
        page.goto(base + "/index.html")
        cards = page.locator("#trial-list .card h3 a")
        expect(cards).to_have_count(1)

        # Added: a whole folder appears (trial.yaml first, then its section, like a copy would).
        (trials / "gout-trial" / "sections").mkdir(parents=True)
        (trials / "gout-trial" / "trial.yaml").write_text(NEW_TRIAL)
        (trials / "gout-trial" / "sections" / "01-about.md").write_text(SECTION)
        expect(cards).to_have_count(2, timeout=5_000)  # the open home page reloads by itself
        expect(page.get_by_role("link", name="A new trial about gout")).to_be_visible()
        wait_for_status(base + "/trials/gout-trial/index.html", 200)
        page.goto(base + "/conditions/gout/index.html")
        expect(page.get_by_role("link", name="A new trial about gout")).to_be_visible()

        # Search: the index is remade in the background a moment after the save.
        deadline = time.monotonic() + 30
        while not search_finds(page, base, "gout", "A new trial about gout"):
            assert time.monotonic() < deadline, "the preview's search never found the new trial"
            time.sleep(0.5)

        # Renamed: the old address is gone, the new one works, the home page links to it.
        (trials / "gout-trial").rename(trials / "gout-study")
        wait_for_status(base + "/trials/gout-trial/index.html", 404)
        wait_for_status(base + "/trials/gout-study/index.html", 200)
        page.goto(base + "/index.html")
        expect(page.get_by_role("link", name="A new trial about gout")).to_have_attribute(
            "href", "trials/gout-study/index.html")

        # Deleted: gone from its address, the home page and the illness pages.
        shutil.rmtree(trials / "gout-study")
        wait_for_status(base + "/trials/gout-study/index.html", 404)
        wait_for_status(base + "/conditions/gout/index.html", 404)
        expect(cards).to_have_count(1, timeout=5_000)
    except AssertionError:
        print(read_logs(logs))
        raise
    finally:
        proc.terminate()
        proc.wait(timeout=10)
