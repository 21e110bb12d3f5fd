"""The preview's search index (search.BackgroundIndex): remade after saves that change a trial
page, never for saves that change none."""
from __future__ import annotations

import time

from trialsite.search import BackgroundIndex

PAGE = ('<!DOCTYPE html><html lang="en"><head><title>{0}</title></head><body>'
        '<main data-pagefind-body><h1>{0}</h1><p>{1}</p></main></body></html>')


def wait_for(condition, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_the_index_is_remade_only_when_a_trial_page_changed():
    index = BackgroundIndex(delay=0.1)
    site = {"trials/a/index.html": PAGE.format("Trial A", "Gout and aspirin").encode(),
            "index.html": b"<!DOCTYPE html><title>Home</title>"}
    index.request(site)
    assert wait_for(lambda: index.runs == 1), "the first request is indexed"
    assert "pagefind/pagefind-entry.json" in index.files
    first = dict(index.files)
    index.request({**site, "index.html": b"<!DOCTYPE html><title>New home</title>"})
    time.sleep(1.5)
    assert index.runs == 1, "only the home page changed: nothing to index again"
    index.request({**site, "trials/a/index.html": PAGE.format("Trial A", "Lupus and a new word").encode()})
    assert wait_for(lambda: index.runs == 2), "a changed trial page is indexed again"
    assert index.files != first


def test_stopping_the_preview_stops_a_pagefind_run_in_progress():
    """Pagefind is a process of its own: when the preview closes mid-run it must not go on
    (on a big site, a minute and gigabytes of memory)."""
    index = BackgroundIndex(delay=0.0)
    pages = {f"trials/t{i}/index.html": PAGE.format(f"Trial {i}", "Gout and aspirin " * 400).encode()
             for i in range(1000)}
    index.request(pages)
    assert wait_for(lambda: index._process is not None and index._process.processes), "Pagefind started"
    runs = index._process
    index.stop()
    processes = list(runs.processes.values())
    assert wait_for(lambda: all(p.poll() is not None for p in processes), 5), "Pagefind still running after stop()"
    assert any(p.returncode < 0 for p in processes), "Pagefind finished its run instead of being stopped"
    assert not runs.queue, "no shard is started after stop()"
    time.sleep(0.5)
    assert index.runs == 0 and index.files == {}
