"""Registry: fetch one study record from the ClinicalTrials.gov API v2 (issue 21).

Only when an editor asks (import NCT..., refresh): a build never goes online. A polite client:
one request at a time with a pause between two, a timeout on every request, a User-Agent that
says who asks, and a few more tries, each after a longer wait, when the registry answers
"later" (429, 5xx) or not at all, honouring its Retry-After up to a limit. Every way a fetch can
fail becomes FetchError with one plain sentence for the editor. Standard library only.
"""
from __future__ import annotations

import email.utils
import http.client
import json
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request

from . import __version__, ctgov

API_URL = "https://clinicaltrials.gov/api/v2"
TIMEOUT = 30.0  # seconds for one request, from connecting to the last byte
RETRIES = 3  # more tries after a 429, a 5xx, a timeout or a dropped connection
PAUSE = 1.0  # seconds between two requests (ClinicalTrials.gov's robots.txt asks for 1)
LONGEST_WAIT = 60.0  # a Retry-After longer than this is cut to it
RECORD_LIMIT = 100_000_000  # bytes; the largest real records are a few MB
CHUNK = 1 << 16


class FetchError(Exception):
    """A record could not be fetched; str() is one plain sentence. unreachable: the registry
    could not be reached at all (no network, no answer), so trying other records is pointless."""

    def __init__(self, message: str, unreachable: bool = False):
        super().__init__(message)
        self.unreachable = unreachable


class _Later(Exception):
    """An answer worth another try after a wait (None: the usual growing wait)."""

    def __init__(self, message: str, wait: float | None = None, unreachable: bool = False):
        super().__init__(message)
        self.wait, self.unreachable = wait, unreachable


class _NoRedirectElsewhere(urllib.request.HTTPRedirectHandler):
    """Follow redirects only to web addresses (never file: or ftp:)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urllib.parse.urlsplit(newurl).scheme not in ("http", "https"):
            raise urllib.error.HTTPError(newurl, code, f"redirect to {newurl}", headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def check_number(text: str) -> str:
    """An NCT number as the registry writes it (NCT and 8 digits), or FetchError."""
    number = text.strip().upper()
    if not ctgov.NCT_RE.match(number):
        raise FetchError(f'"{text}" is not an NCT number. An NCT number is NCT followed by 8 digits, '
                         "like NCT01234567: copy it from the study's page on ClinicalTrials.gov.")
    return number


def user_agent(contact: str | None = None) -> str:
    """Who is asking: trialsite and its version, and the site's publisher when known."""
    return f"trialsite/{__version__} (+{contact})" if contact else f"trialsite/{__version__}"


class Client:
    """Fetches study records one at a time. timeout, retries and pause are in seconds and tries."""

    def __init__(self, api_url: str = API_URL, timeout: float = TIMEOUT, retries: int = RETRIES,
                 pause: float = PAUSE, agent: str | None = None, sleep=time.sleep, clock=time.monotonic):
        parts = urllib.parse.urlsplit(api_url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(f'--api-url "{api_url}" is not a web address. Leave it out to use '
                             f"{API_URL}, or give one that starts with https://.")
        if not timeout > 0 or not 0 <= pause < 3600 or retries < 0:
            raise FetchError("--timeout must be more than 0 seconds, --pause 0 or more seconds, and --retries 0 "
                             f"or more (got {timeout:g}, {pause:g} and {retries}).")
        self.api = api_url.strip().rstrip("/")
        self.host = parts.netloc
        self.name = "ClinicalTrials.gov" if parts.hostname.endswith("clinicaltrials.gov") else self.host
        self.timeout, self.retries, self.pause = timeout, retries, pause
        self.agent = agent or user_agent()
        self.sleep, self.clock = sleep, clock
        self.last = None  # when the last request ended
        self.opener = urllib.request.build_opener(_NoRedirectElsewhere)

    def study(self, number: str) -> dict:
        """The record of one study, checked to be that study's record."""
        nct = check_number(number)
        body = self.get(f"{self.api}/studies/{nct}", nct)
        try:
            data = json.loads(body.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "not text"
            raise FetchError(f"{self.name} sent an answer for {nct} that is not a complete study record "
                             f"({reason}); it may have been cut off. Try again later.") from None
        try:
            found = ctgov.studies(data)
        except ctgov.NotAStudy as exc:
            raise FetchError(f"{self.name} sent an answer for {nct} that is not a study record: "
                             f"{str(exc).replace('the file', 'the answer')}.") from None
        got = ctgov.nct_id(found[0])
        if len(found) != 1 or got != nct:
            aliases = found[0]["protocolSection"]["identificationModule"].get("nctIdAliases") or []
            hint = (f" {nct} is an old number of {got}: import {got} instead." if nct in aliases else
                    " Nothing was changed; try again later.")
            raise FetchError(f"{self.name} sent the record of {got} when {nct} was asked for.{hint}")
        return found[0]

    def get(self, url: str, nct: str) -> bytes:
        """The body of a successful answer, after as many tries as needed and allowed."""
        for attempt in range(self.retries + 1):
            if self.last is not None:
                self._wait(self.pause - (self.clock() - self.last))
            try:
                try:
                    return self._once(url, nct)
                finally:
                    self.last = self.clock()
            except _Later as later:
                if attempt == self.retries:
                    raise FetchError(f"{later} (tried {attempt + 1} time{'s' * (attempt > 0)}). Try again later.",
                                     later.unreachable) from None
                wait = later.wait if later.wait is not None else self.pause * 2 ** (attempt + 1)
                self._wait(min(wait, LONGEST_WAIT))
        raise AssertionError("unreachable")

    def _wait(self, seconds: float) -> None:
        if seconds > 0:
            self.sleep(seconds)

    def _once(self, url: str, nct: str) -> bytes:
        request = urllib.request.Request(url, headers={"User-Agent": self.agent, "Accept": "application/json"})
        deadline = self.clock() + self.timeout
        try:
            with self.opener.open(request, timeout=self.timeout) as answer:
                kind = answer.headers.get("Content-Type", "")
                body = self._read(answer, deadline)
        except urllib.error.HTTPError as exc:
            raise self._refused(exc, nct) from None
        except urllib.error.URLError as exc:
            raise self._unreachable(exc.reason) from None
        except (TimeoutError, socket.timeout):
            raise _Later(f"{self.name} did not answer within {self.timeout:g} seconds", unreachable=True) from None
        except (http.client.IncompleteRead, http.client.RemoteDisconnected, ConnectionError):
            raise _Later(f"{self.name} closed the connection before the whole record for {nct} had arrived") \
                from None
        except (http.client.HTTPException, OSError) as exc:
            raise self._unreachable(exc) from None
        if "html" in kind.lower() or body.lstrip()[:1] == b"<":
            raise FetchError(f"{self.name} sent a web page instead of the record of {nct}; the service may be "
                             "down for maintenance. Try again later.")
        return body

    def _read(self, answer, deadline: float) -> bytes:
        """The whole body, within the deadline and the size limit."""
        parts, size = [], 0
        while True:
            if self.clock() > deadline:
                raise TimeoutError
            part = answer.read(CHUNK)
            if not part:
                if answer.length:  # the connection ended before the announced length
                    raise http.client.IncompleteRead(b"".join(parts), answer.length)
                return b"".join(parts)
            size += len(part)
            if size > RECORD_LIMIT:
                raise FetchError(f"{self.name} sent more than {RECORD_LIMIT // 1_000_000} MB, far more than "
                                 "one study record. Check --api-url.")
            parts.append(part)

    def _refused(self, exc: urllib.error.HTTPError, nct: str) -> Exception:
        code = exc.code
        if code == 404:
            return FetchError(f"{self.name} has no study {nct} (HTTP 404). Check the number on the study's page.")
        if code == 400:
            return FetchError(f"{self.name} did not accept {nct} as a study number (HTTP 400). Check the number "
                              "on the study's page.")
        if code == 429 or code >= 500:
            what = "asked trialsite to slow down" if code == 429 else "had a problem of its own"
            return _Later(f"{self.name} {what} (HTTP {code})", retry_after(exc.headers.get("Retry-After")))
        return FetchError(f"{self.name} refused to send the record of {nct} (HTTP {code} {exc.reason}).")

    def _unreachable(self, reason) -> Exception:
        if isinstance(reason, (TimeoutError, socket.timeout)):
            return _Later(f"{self.name} did not answer within {self.timeout:g} seconds", unreachable=True)
        if isinstance(reason, socket.gaierror):
            return FetchError(f"could not find {self.host}: no internet connection, or a wrong --api-url.",
                              unreachable=True)
        if isinstance(reason, ConnectionRefusedError):
            return FetchError(f"nothing answers at {self.host} (connection refused): check the internet "
                              "connection and --api-url.", unreachable=True)
        if isinstance(reason, ssl.SSLError):
            why = getattr(reason, "reason", None) or reason
            return FetchError(f"the secure connection to {self.host} failed ({why}). Check the computer's date and "
                              "certificates.", unreachable=True)
        if isinstance(reason, (ConnectionError, http.client.HTTPException)):
            return _Later(f"{self.name} closed the connection before answering")
        text = getattr(reason, "strerror", None) or str(reason)
        return FetchError(f"could not reach {self.host} ({text}).", unreachable=True)


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: a number of seconds or a date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())
