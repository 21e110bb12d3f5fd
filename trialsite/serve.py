"""Serve: live preview with livereload. Never writes to site/, never dies on bad content.

Each save is seen by watchfiles (inotify, ~50 ms), the site is rebuilt in memory and every
open page is told to reload at once. python-livereload's own watcher is switched off: it
polls every 0.8 s and drops reloads within 3 s of the last one, so quick saves were lost.
While the content has errors, every page shows them (file:line) and reloads once fixed.
"""
from __future__ import annotations

import errno
import html
import json
import logging
import mimetypes
import posixpath
import re
import signal
import socket
import sys
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .incremental import SiteModel
from .diagnostics import Report
from .pipeline import Result
from .search import BackgroundIndex

PORT_TRIES = 20


class PreviewState:
    """The latest build: its files in memory, or the report that stopped it."""

    def __init__(self, content: Path, templates: Path | None):
        self.content = content
        self.templates = templates
        self.model = SiteModel(content, templates)
        self.output: dict[str, bytes] = {}
        self.report = Report()
        self.lock = threading.Lock()
        self.search = None  # search.BackgroundIndex, when serving
        self.built_at = 0.0  # time.monotonic() of the last rebuild
        self.served_at: dict[str, float] = {}  # page -> when it was last sent to a browser

    def rebuild(self, changed=None) -> Result:
        """Bring the preview up to date: only what the changed paths affect, or everything."""
        with self.lock:  # one build at a time; requests keep reading the previous state
            result = self.model.update(changed) if changed is not None else self.model.full()
            if not result.report.has_errors and result.output is not None:
                self.output = result.output
                if self.search is not None:
                    self.search.request(self.output)
            self.report = result.report
            self.built_at = time.monotonic()
            return result

    def missed_reload(self, url: str) -> bool:
        """A browser connects for live reload from a page sent before the last rebuild: it
        missed the call to reload (saved while the page was still loading), so it reloads now."""
        key = site_path(urlsplit(url).path)
        return key is not None and self.served_at.get(key, self.built_at) < self.built_at

    @property
    def failed(self) -> bool:
        return self.report.has_errors


def error_page(report: Report) -> bytes:
    items = "\n".join(f"<li><code>{html.escape(d.format())}</code></li>" for d in report.sorted()
                      if d.severity == "error")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Preview: please fix the content</title>
<style>body{{font:1.1rem/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}}
.build-error{{border:3px solid #9b1c1c;border-radius:6px;padding:1rem}} code{{white-space:pre-wrap;font-size:1rem}}
li{{margin:.5rem 0}}</style>
</head><body><main>
<div class="build-error" role="alert">
<h1>The preview could not be updated</h1>
<p>Fix the problem below in your content and save. This page will refresh by itself.</p>
<ul>{items}</ul>
</div></main></body></html>""".encode()


def site_path(url_path: str) -> str | None:
    """URL path -> key in the output ("/trials/x/" -> "trials/x/index.html"); None if unsafe."""
    path = unquote(url_path)
    if "\0" in path or "\\" in path:
        return None
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if ".." in parts:
        return None
    key = posixpath.join(*parts) if parts else ""
    return posixpath.join(key, "index.html") if (not key or path.endswith("/")) else key


_CSP_META = re.compile(rb'<meta http-equiv="Content-Security-Policy"[^>]*>\n?')
_SWAP_SCRIPT = b"<script>" + (Path(__file__).parent / "data" / "preview-swap.js").read_bytes() + b"</script>\n"
# What the open pages are told when only the text changed: they may swap in the new body
# (data/preview-swap.js). Any other path makes them reload.
CONTENT_CHANGED = "trialsite:content"
TEXT_FILES = (".md", ".yaml", ".yml")


def for_preview(page: bytes) -> bytes:
    """The preview only: no CSP (livereload injects an inline script, which it would block),
    and the script that updates a page in place when only its text changed."""
    return _CSP_META.sub(b"", page, count=1).replace(b"</head>", _SWAP_SCRIPT + b"</head>", 1)


def reload_path(state: PreviewState, changed: set[str]) -> str:
    """What to tell the open pages: a save of text in content/ can be swapped in place; a theme
    file (template, stylesheet, script) or anything else needs a full reload."""
    content = state.content.resolve()
    theme = state.templates.resolve() if state.templates else None
    for name in changed:
        path = Path(name).resolve()
        if not (path.is_relative_to(content) and path.suffix in TEXT_FILES) or (theme and path.is_relative_to(theme)):
            return "*"
    return CONTENT_CHANGED


def make_app(state: PreviewState):
    """A WSGI app serving the latest build from memory (livereload injects its script)."""

    def app(environ, start_response):
        url_path = environ.get("PATH_INFO", "/")
        key = site_path(url_path)
        output = state.output
        if key and key.startswith("pagefind/") and state.search is not None and key in state.search.files:
            output = state.search.files  # the search index, made in the background
        if key is None:
            start_response("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"This address is not allowed."]
        if key not in output and key + "/index.html" in output:
            start_response("301 Moved Permanently", [("Location", url_path.rstrip("/") + "/")])
            return [b""]
        is_page = key.endswith(".html") or key not in output
        if is_page:
            state.served_at[key] = time.monotonic()
        if state.failed and is_page:
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")])
            return [for_preview(error_page(state.report))]
        if key in output:
            kind = mimetypes.guess_type(key)[0] or "application/octet-stream"
            if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
                kind += "; charset=utf-8"
            start_response("200 OK", [("Content-Type", kind), ("Cache-Control", "no-store")])
            return [for_preview(output[key]) if kind.startswith("text/html") else output[key]]
        start_response("404 Not Found", [("Content-Type", "text/html; charset=utf-8")])
        return [for_preview(output.get("404.html", b"<!DOCTYPE html><title>Not found</title></head><p>Not found</p>"))]

    return app


class _NoPolling:
    """Stands in for python-livereload's polling watcher: changes come from watchfiles."""

    filepath = None

    def __init__(self):
        self._tasks = {"trialsite": None}
        self._changes: list = []

    def watch(self, *args, **kwargs):
        pass

    def examine(self):
        return None, None

    def start(self, callback):
        return True  # "started": livereload then sets up no 0.8 s poll of its own


def reload_late_pages(state: PreviewState, handler_class) -> None:
    """Make livereload's socket handler catch up pages that connect after a reload was sent."""
    own = handler_class.on_message

    def on_message(handler, message):
        own(handler, message)
        try:
            hello = json.loads(message)
        except ValueError:
            return
        if isinstance(hello, dict) and hello.get("command") == "info" and state.missed_reload(str(hello.get("url"))):
            handler.send_message({"command": "reload", "path": "*", "liveCSS": False, "liveImg": False})

    handler_class.on_message = on_message


def free_port(host: str, wanted: int) -> int | None:
    for port in range(wanted, wanted + PORT_TRIES):
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            try:
                probe.bind((host, port))
                return port
            except OSError as exc:
                if exc.errno != errno.EADDRINUSE:
                    raise
    return None


def _print_result(result: Result, elapsed: float) -> None:
    for d in result.report.sorted():
        print(d.format(), file=sys.stderr)
    if result.report.has_errors:
        print("The preview shows these errors until they are fixed.", file=sys.stderr)
    else:
        print(f"Rebuilt in {elapsed * 1000:.0f} ms.", file=sys.stderr)
    sys.stderr.flush()


def watch_and_rebuild(state: PreviewState, stop: threading.Event, on_change) -> None:
    import watchfiles

    folders = [str(p) for p in (state.content, state.templates) if p and p.exists()]
    for changes in watchfiles.watch(*folders, debounce=30, step=10, stop_event=stop, raise_interrupt=False):
        names = sorted({Path(p).name for _, p in changes})
        if all(n.startswith(".") or n.endswith("~") for n in names):
            continue  # editors' swap and backup files
        start = time.perf_counter()
        changed = {p for _, p in changes}
        result = state.rebuild(changed)
        _print_result(result, time.perf_counter() - start)
        on_change(reload_path(state, changed))


def serve(content: Path, templates: Path | None, port: int, host: str) -> int:
    from livereload import Server
    from livereload.handlers import LiveReloadHandler
    from tornado.ioloop import IOLoop

    # Ctrl-C must always stop the preview, even when started from a shell that ignores SIGINT
    # for background jobs; SIGTERM stops it the same clean way.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    logging.getLogger("livereload").setLevel(logging.WARNING)
    logging.getLogger("tornado").setLevel(logging.ERROR)
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"Warning: serving on {host} lets other computers on the network see this preview. "
              "Use this only on a network you trust.", file=sys.stderr)
    chosen = free_port(host, port)
    if chosen is None:
        print(f"Ports {port} to {port + PORT_TRIES - 1} are all in use. Stop the other program, or choose "
              "another port with --port.", file=sys.stderr)
        return 1
    if chosen != port:
        print(f"Port {port} is in use by another program, so the preview uses port {chosen}.", file=sys.stderr)
    state = PreviewState(content, templates)
    state.search = BackgroundIndex()
    first = state.rebuild()
    for d in first.report.sorted():
        print(d.format(), file=sys.stderr)
    state.model.warm_up()

    reload_late_pages(state, LiveReloadHandler)
    server = Server(app=make_app(state), watcher=_NoPolling())
    server._setup_logging = lambda: None  # its INFO lines would bury the messages editors need
    loop_ready = threading.Event()
    loop_holder: list = []

    def reload_browsers(path: str):
        if loop_holder:
            loop_holder[0].add_callback(LiveReloadHandler.reload_waiters, path)

    def remember_loop():
        loop_holder.append(IOLoop.current())
        loop_ready.set()

    stop = threading.Event()
    watcher = threading.Thread(target=watch_and_rebuild, args=(state, stop, reload_browsers), daemon=True)
    watcher.start()
    shown_host = f"[{host}]" if ":" in host else host
    print(f"Preview: http://{shown_host}:{chosen}/  (it refreshes when you save; press Ctrl-C to stop)", flush=True)
    IOLoop.current().add_callback(remember_loop)
    try:
        server.serve(port=chosen, host=host, debug=False, restart_delay=0, live_css=False)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        state.search.stop()
    print("\nPreview stopped.", flush=True)
    return 0
