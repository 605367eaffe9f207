"""The one HTTP session every harvest client uses: polite, patient and accountable.

Per source and run: connect/read timeouts, a descriptive User-Agent, one connection at a time
(a blocking pool of size 1), a politeness delay before every request (retries included), and
retries with exponential backoff that honour Retry-After. A retry budget covers transport
failures (429/5xx, resets, timeouts, truncated bodies) and pages that arrive but cannot be used
(malformed, or empty while the totals say more), because to a harvest both mean "ask again".
Every response body is handed to a recorder before it is parsed, so raw/ holds what came back.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol, TypeVar

import requests
import tenacity
from requests.adapters import HTTPAdapter

from ingestion.code_version import code_version

log = logging.getLogger(__name__)

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
T = TypeVar("T")


class PageError(Exception):
    """A response arrived but cannot be used as a page; asking again may help."""


class MalformedPageError(PageError):
    """The body is not a well-formed page (truncated, not XML/JSON, missing totals)."""


class EmptyPageError(PageError):
    """A page with no records although the reported total says more remain."""

    def __init__(self, message: str, reported_total: int | None) -> None:
        super().__init__(message)
        self.reported_total = reported_total


class TransientHTTPError(Exception):
    def __init__(self, status: int, url: str, retry_after: float | None) -> None:
        super().__init__(f"HTTP {status} from {url}")
        self.status = status
        self.retry_after = retry_after


class PermanentHTTPError(Exception):
    """A status that retrying will not fix (400, 404, ...); the body may explain why."""

    def __init__(self, status: int, url: str, body: bytes) -> None:
        excerpt = " ".join(body[:300].decode("utf-8", "replace").split())
        super().__init__(f"HTTP {status} from {url}: {excerpt}")
        self.status = status
        self.url = url
        self.body = body


RETRYABLE_ERRORS = (
    TransientHTTPError,
    PageError,
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


class RawRecorder(Protocol):
    """Keeps each response body as received (the landing writer implements it)."""

    def save(self, url: str, status: int, content_type: str, body: bytes) -> int: ...

    def accept(self, number: int) -> None: ...

    def reject(self, number: int, reason: str) -> None: ...


@dataclass(frozen=True)
class HttpSettings:
    user_agent: str
    connect_timeout_s: float
    read_timeout_s: float
    backoff_factor_s: float
    backoff_max_s: float
    politeness_delay_s: float
    retry_budget: int

    @classmethod
    def from_protocol(cls, protocol: Any, source: str) -> HttpSettings:
        """The protocol's `http` block, overridden key by key by the source's own settings."""
        merged = {**protocol.http, **protocol.source(source)}
        return cls(
            user_agent=merged["user_agent"].format(version=code_version()),
            connect_timeout_s=float(merged["connect_timeout_s"]),
            read_timeout_s=float(merged["read_timeout_s"]),
            backoff_factor_s=float(merged["backoff_factor_s"]),
            backoff_max_s=float(merged["backoff_max_s"]),
            politeness_delay_s=float(merged.get("politeness_delay_s", 0.0)),
            retry_budget=int(merged.get("retry_budget", 0)),
        )


@dataclass
class RequestStats:
    """What run.json reports about the traffic: every attempt, retry and error."""

    requests: int = 0
    retries: int = 0
    http_errors: list[dict[str, Any]] = field(default_factory=list)

    def record_error(self, url: str, **details: Any) -> None:
        at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        self.http_errors.append({**details, "url": url, "at": at})


class Throttle:
    """At least `delay` seconds between the end of one response and the start of the next
    request, so the server sees request starts at least `delay` apart."""

    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s
        self._lock = threading.Lock()
        self._last_finished: float | None = None

    def __enter__(self) -> Throttle:
        self._lock.acquire()
        if self._last_finished is not None:
            remaining = self._last_finished + self.delay_s - time.monotonic()
            if remaining > 0:
                time.sleep(remaining)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._last_finished = time.monotonic()
        self._lock.release()


def retry_wait_seconds(attempt: int, retry_after: float | None, factor: float, cap: float) -> float:
    """Exponential backoff (factor, 2*factor, 4*factor, ...), at least what Retry-After asks,
    never more than `cap`."""
    backoff = factor * 2 ** (attempt - 1)
    return min(max(backoff, retry_after or 0.0), cap)


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


class PoliteSession:
    """One per source and run. `fetch` returns the parsed page or raises after the budget."""

    def __init__(self, settings: HttpSettings, recorder: RawRecorder | None = None) -> None:
        self.settings = settings
        self.stats = RequestStats()
        self._recorder = recorder
        self._throttle = Throttle(settings.politeness_delay_s)
        self._http = requests.Session()
        self._http.headers["User-Agent"] = settings.user_agent
        # One connection per source: a pool of one that blocks instead of opening a second.
        # Retries are ours (below), so urllib3 makes exactly one attempt per call.
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=1, pool_block=True, max_retries=0)
        self._http.mount("http://", adapter)
        self._http.mount("https://", adapter)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PoliteSession:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def fetch(self, url: str, params: dict[str, Any], parse: Callable[[bytes], T]) -> T:
        """GET `url` and return `parse(body)`. `parse` raises PageError for a page worth
        asking for again; any other exception from it is final."""
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(RETRYABLE_ERRORS),
            stop=tenacity.stop_after_attempt(self.settings.retry_budget + 1),
            wait=self._wait,
            before_sleep=self._count_retry,
            reraise=True,
        )
        return retrying(self._attempt, url, params, parse)

    def _attempt(self, url: str, params: dict[str, Any], parse: Callable[[bytes], T]) -> T:
        response = self._get(url, params)
        number = self._save_raw(response)
        status = response.status_code
        if status in RETRYABLE_STATUS:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            self.stats.record_error(response.url, status=status, retry_after=retry_after)
            self._reject(number, f"HTTP {status}")
            raise TransientHTTPError(status, response.url, retry_after)
        if status >= 400:
            self.stats.record_error(response.url, status=status)
            self._reject(number, f"HTTP {status}")
            raise PermanentHTTPError(status, response.url, response.content)
        try:
            page = parse(response.content)
        except Exception as exc:
            self.stats.record_error(response.url, status=status, error=f"{type(exc).__name__}: {exc}")
            self._reject(number, f"{type(exc).__name__}: {exc}")
            raise
        if number is not None and self._recorder is not None:
            self._recorder.accept(number)
        return page

    def _get(self, url: str, params: dict[str, Any]) -> requests.Response:
        timeout = (self.settings.connect_timeout_s, self.settings.read_timeout_s)
        with self._throttle:
            self.stats.requests += 1
            try:
                return self._http.get(url, params=params, timeout=timeout)
            except requests.RequestException as exc:
                self.stats.record_error(url, error=f"{type(exc).__name__}: {exc}")
                raise

    def _save_raw(self, response: requests.Response) -> int | None:
        if self._recorder is None:
            return None
        content_type = response.headers.get("Content-Type", "")
        return self._recorder.save(response.url, response.status_code, content_type, response.content)

    def _reject(self, number: int | None, reason: str) -> None:
        if number is not None and self._recorder is not None:
            self._recorder.reject(number, reason)

    def _wait(self, state: tenacity.RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        return retry_wait_seconds(
            state.attempt_number,
            getattr(error, "retry_after", None),
            self.settings.backoff_factor_s,
            self.settings.backoff_max_s,
        )

    def _count_retry(self, state: tenacity.RetryCallState) -> None:
        self.stats.retries += 1
        error = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        log.warning("retry %d in %.2fs after %s", state.attempt_number, wait, error)
