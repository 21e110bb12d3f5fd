"""Issue 21: the ClinicalTrials.gov client (registry.py) against a local stand-in for the API."""
from __future__ import annotations

import json
import socket
import threading

import pytest

from registry_server import FIXTURES, Answer
from trialsite import __version__, registry
from trialsite.registry import Client, FetchError

NCT = "NCT05288205"
RECORD = "nct05288205-phase1-2-recruiting.json"


class Clock:
    """A clock that moves only when the client sleeps: waits are recorded, never spent."""

    def __init__(self):
        self.now, self.waits = 0.0, []

    def sleep(self, seconds):
        self.waits.append(round(seconds, 3))
        self.now += seconds

    def __call__(self):
        return self.now


def client(api, **options) -> Client:
    options = {"timeout": 5, "retries": 0, "pause": 0, **options}
    return Client(api.url, **options)


def test_fetches_one_record_and_says_who_asks(api):
    api.serve(NCT, RECORD)
    study = client(api, agent=registry.user_agent("https://example.org/about")).study(" nct05288205 ")
    assert study["protocolSection"]["identificationModule"]["nctId"] == NCT
    (path, agent, _), = api.requests
    assert path == f"/api/v2/studies/{NCT}"
    assert agent == f"trialsite/{__version__} (+https://example.org/about)"


def test_a_pause_between_two_requests_and_none_before_the_first(api):
    api.serve(NCT, RECORD)
    clock = Clock()
    fetcher = client(api, pause=1.5, sleep=clock.sleep, clock=clock)
    fetcher.study(NCT)
    fetcher.study(NCT)
    assert clock.waits == [1.5] and len(api.requests) == 2


def test_busy_answers_are_tried_again_after_retry_after_which_is_capped(api):
    api.serve(NCT, RECORD)
    api.script(NCT, Answer(429, b"{}", {"Retry-After": "7"}), Answer(503, b"", {"Retry-After": "86400"}),
               Answer(body=json.dumps(api.records[NCT]).encode()))
    clock = Clock()
    study = client(api, retries=3, sleep=clock.sleep, clock=clock).study(NCT)
    assert study["protocolSection"]["identificationModule"]["nctId"] == NCT
    assert clock.waits == [7.0, registry.LONGEST_WAIT] and len(api.requests) == 3


def test_without_retry_after_each_wait_is_twice_the_last(api):
    api.script(NCT, Answer(500, b"oops"))
    clock = Clock()
    with pytest.raises(FetchError) as failed:
        client(api, retries=3, pause=0.5, sleep=clock.sleep, clock=clock).study(NCT)
    assert clock.waits == [1.0, 2.0, 4.0] and len(api.requests) == 4
    assert str(failed.value) == f"{api.host} had a problem of its own (HTTP 500) (tried 4 times). Try again later."


def test_retry_after_as_a_date_or_nonsense():
    assert registry.retry_after("120") == 120.0
    assert 0 <= registry.retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past: no wait
    assert registry.retry_after("soon") is None and registry.retry_after(None) is None


OTHER = json.loads((FIXTURES / "nct03722472-phase1-completed-with-results.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("answer, message", [
    (Answer(404, b'{"message": "not found"}'), f"has no study {NCT} (HTTP 404). Check the number"),
    (Answer(400, b"bad"), f"did not accept {NCT} as a study number (HTTP 400)"),
    (Answer(500, b"<h1>error</h1>", {"Content-Type": "text/html"}),
     "had a problem of its own (HTTP 500) (tried 1 time)"),
    (Answer(403, b"no"), f"refused to send the record of {NCT} (HTTP 403 Forbidden)"),
    (Answer(200, b"<!DOCTYPE html><title>Maintenance</title>", {"Content-Type": "text/html"}),
     "sent a web page instead of the record"),
    (Answer(200, b'{"protocolSection": {"identificationModule": {"nctId": "NCT05288205"'), "not a complete study "
                                                                                           "record (Expecting"),
    (Answer(200, b"<?xml version='1.0'?><x/>", {"Content-Type": "application/json"}), "sent a web page"),
    (Answer(200, b"not json at all"), "not a complete study record (Expecting value)"),
    (Answer(200, b'{"message": "error"}'), 'not a study record: the answer is not a ClinicalTrials.gov study record'),
    (Answer(200, json.dumps(OTHER).encode()), f"sent the record of NCT03722472 when {NCT} was asked for. "
                                               "Nothing was changed"),
    (Answer(200, json.dumps(OTHER).encode(), cut=1000), "closed the connection before the whole record for "
                                                         f"{NCT} had arrived (tried 1 time)"),
    (Answer(302, b"", {"Location": "file:///etc/passwd"}), "(HTTP 302"),
])
def test_every_bad_answer_is_one_plain_sentence(api, answer, message):
    api.script(NCT, answer)
    with pytest.raises(FetchError) as failed:
        client(api).study(NCT)
    text = str(failed.value)
    assert message in text and "\n" not in text and not failed.value.unreachable


def test_an_old_number_of_a_study_says_which_to_import(api):
    merged = json.loads(json.dumps(OTHER))
    merged["protocolSection"]["identificationModule"]["nctIdAliases"] = [NCT]
    api.serve(NCT, merged)
    with pytest.raises(FetchError, match=f"{NCT} is an old number of NCT03722472: import NCT03722472 instead"):
        client(api).study(NCT)


def test_a_number_that_is_not_one_is_refused_before_asking(api):
    with pytest.raises(FetchError, match='"NCT123" is not an NCT number. An NCT number is NCT followed by 8 digits'):
        client(api).study("NCT123")
    assert api.requests == []


def test_a_server_that_never_answers_is_given_up_in_bounded_time(api):
    api.script(NCT, Answer(hang=True))
    outcome = []
    worker = threading.Thread(target=lambda: outcome.append(_failure(client(api, timeout=0.3, retries=1))))
    worker.start()
    worker.join(timeout=30)  # a bound, not a measurement: it must end, and it does within ~1 s
    assert not worker.is_alive()
    (error,), = outcome
    assert str(error) == f"{api.host} did not answer within 0.3 seconds (tried 2 times). Try again later."
    assert error.unreachable and len(api.requests) == 2


def test_nothing_listening_and_no_such_host(monkeypatch):
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]  # closed again below: nothing listens there
    with pytest.raises(FetchError, match=f"nothing answers at 127.0.0.1:{port} \\(connection refused\\)") as failed:
        Client(f"http://127.0.0.1:{port}/api/v2", pause=0).study(NCT)
    assert failed.value.unreachable

    def no_dns(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    with pytest.raises(FetchError, match="could not find clinicaltrials.gov: no internet connection, or a wrong "
                                         "--api-url") as failed:
        Client(pause=0).study(NCT)
    assert failed.value.unreachable


def test_an_api_url_that_is_not_a_web_address_and_impossible_waits():
    with pytest.raises(FetchError, match='--api-url "file:///etc" is not a web address'):
        Client("file:///etc")
    with pytest.raises(FetchError, match=r"--timeout must be more than 0 seconds.*\(got 0, 1 and 3\)"):
        Client(timeout=0)
    with pytest.raises(FetchError, match=r"--retries 0 or more \(got 30, 1 and -1\)"):
        Client(retries=-1)


def _failure(fetcher: Client):
    try:
        fetcher.study(NCT)
    except FetchError as exc:
        return [exc]
    return []
