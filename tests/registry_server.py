"""A stand-in for the ClinicalTrials.gov API v2, on 127.0.0.1 at a free port, for tests.

It replays saved real records (tests/fixtures/ctgov/) at /api/v2/studies/<NCT>, and can be told
to answer any path another way: an error status, a web page, a cut-off body, silence. Every
request is recorded (path, User-Agent, time) so tests can see how the client behaved.
"""
from __future__ import annotations

import contextlib
import http.server
import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "ctgov"


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict = field(default_factory=lambda: {"Content-Type": "application/json"})
    hang: bool = False  # never answer (until the server stops)
    cut: int | None = None  # send only this many bytes of the body, announcing all of it


class Registry:
    """What the fake registry serves: records by NCT number, or scripted answers by path."""

    def __init__(self):
        self.records: dict[str, dict] = {}
        self.scripted: dict[str, list[Answer]] = {}  # path -> answers, one used per request (the last repeats)
        self.requests: list[tuple[str, str, float]] = []
        self.stopping = threading.Event()
        self.url = ""  # the --api-url to give trialsite
        self.host = ""  # 127.0.0.1:<port>, as trialsite names it in messages

    def serve(self, nct: str, record: dict | str) -> dict:
        """Serve a record (a fixture file name, or the data itself); returns the data."""
        data = json.loads((FIXTURES / record).read_text(encoding="utf-8")) if isinstance(record, str) else record
        self.records[nct] = data
        return data

    def script(self, nct: str, *answers: Answer) -> None:
        self.scripted[f"/api/v2/studies/{nct}"] = list(answers)

    def answer(self, path: str) -> Answer:
        answers = self.scripted.get(path)
        if answers:
            return answers.pop(0) if len(answers) > 1 else answers[0]
        nct = path.rsplit("/", 1)[-1]
        if path.startswith("/api/v2/studies/") and nct in self.records:
            return Answer(body=json.dumps(self.records[nct]).encode())
        return Answer(404, b'{"message": "not found"}')


def _handler(registry: Registry):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            registry.requests.append((self.path, self.headers.get("User-Agent", ""), time.monotonic()))
            answer = registry.answer(self.path)
            if answer.hang:
                registry.stopping.wait(60)
                return
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(answer.body if answer.cut is None else answer.body[:answer.cut])
            self.wfile.flush()
            self.close_connection = True

    return Handler


@contextlib.contextmanager
def fake_registry():
    """A running fake registry; .url is the --api-url to give trialsite."""
    registry = Registry()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(registry))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    registry.host = f"127.0.0.1:{server.server_address[1]}"
    registry.url = f"http://{registry.host}/api/v2"
    try:
        yield registry
    finally:
        registry.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
