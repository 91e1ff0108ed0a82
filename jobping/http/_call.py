"""One logical request: its attempts, the error of each, and the event each one leaves."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from jobping._retry import parse_retry_after
from jobping.errors import (
    Blocked,
    CircuitOpen,
    HTTPStatusError,
    JobPingError,
    PayloadError,
    QuotaExhausted,
    RateLimited,
    RequestTimeout,
    ResponseTooLarge,
    TooManyRedirects,
    TransportError,
)
from jobping.http._breaker import CircuitBreaker
from jobping.http._conditional import CONDITIONAL
from jobping.http._events import RequestEvent, RequestHook, emit
from jobping.http._stats import StatsHook
from jobping.redact import redact_url, secret_values

logger = logging.getLogger("jobping.http")

__all__ = ["RETRYABLE_STATUSES", "Call", "CallEnv", "is_retryable"]

RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
"""Statuses worth another attempt; never a block page, never another 4xx."""

_OUTCOMES: tuple[tuple[type[Exception], str], ...] = (
    (CircuitOpen, "circuit_open"),
    (QuotaExhausted, "quota_exhausted"),
    (RateLimited, "rate_limited"),
    (TooManyRedirects, "too_many_redirects"),
    (Blocked, "blocked"),
    (HTTPStatusError, "http_status"),
    (RequestTimeout, "timeout"),
    (TransportError, "transport"),
    (ResponseTooLarge, "too_large"),
    (PayloadError, "payload"),
)


def _outcome_of(exc: JobPingError) -> str:
    """The outcome an attempt that raised ``exc`` is counted under."""
    if isinstance(exc, RateLimited) and exc.status is not None:
        return "http_status"  # it was sent: its answer asked us to stay away
    return next((name for cls, name in _OUTCOMES if isinstance(exc, cls)), "error")


def is_retryable(exc: BaseException) -> bool:
    """Whether an attempt that raised ``exc`` may be tried again."""
    if isinstance(exc, HTTPStatusError):
        return not isinstance(exc, Blocked) and exc.status in RETRYABLE_STATUSES
    return isinstance(exc, TransportError)


@dataclass(frozen=True, slots=True)
class CallEnv:
    """What every call of one client shares: the pool, the stats, the hooks and the clocks."""

    http: httpx.AsyncClient
    stats: StatsHook
    hooks: tuple[RequestHook, ...]
    """The hooks besides ``stats``; with none, no ``RequestEvent`` is built."""
    monotonic: Callable[[], float]
    now: Callable[[], datetime]


class Call:
    """One logical request: its attempts, what the last one did, and its events."""

    __slots__ = (
        "_breaker",
        "_conditional",
        "_env",
        "_parse",
        "_request",
        "_url",
        "domain",
        "elapsed",
        "error",
        "number",
        "outcome",
        "replaced",
        "retry_after",
        "size",
        "status",
    )

    def __init__(
        self,
        request: httpx.Request,
        domain: str,
        parse: Callable[[httpx.Response, Call], Any],
        breaker: CircuitBreaker,
        env: CallEnv,
    ) -> None:
        self._request = request
        self._parse = parse
        self._breaker = breaker
        self._env = env
        self._conditional = CONDITIONAL in request.extensions
        self._url: str | None = None
        self.domain = domain
        self.number = 0
        self.retry_after: float | None = None
        self.outcome = "ok"
        self.error: str | None = None
        self.status: int | None = None
        self.size = 0
        self.replaced = 0
        self.elapsed = 0.0

    def url(self) -> str:
        """The request's URL with its secrets redacted (built on first use)."""
        if self._url is None:
            self._url = redact_url(str(self._request.url))
        return self._url

    def secrets(self) -> list[str]:
        """The secret values the request carries (to scrub from text that may echo them)."""
        return secret_values(str(self._request.url), self._request.headers.multi_items())

    async def attempt(self) -> Any:
        """Send the request once; raise the attempt's error or return the parsed body."""
        self.number += 1
        self.retry_after, self.status, self.size, self.error = None, None, 0, None
        self.replaced = 0
        monotonic = self._env.monotonic
        started = monotonic()
        try:
            try:
                response = await self._env.http.send(self._request)
            except httpx.TooManyRedirects as exc:
                limit, last = self._env.http.max_redirects, redact_url(str(exc.request.url))
                raise TooManyRedirects(limit, url=self.url(), last_url=last) from None
            except httpx.HTTPError as exc:  # raised by httpx itself
                message = f"request failed ({type(exc).__name__})"
                raise TransportError(message, url=self.url()) from None
            self.status, self.size = response.status_code, len(response.content)
            not_modified = response.status_code == 304 and self._conditional
            if not (200 <= response.status_code < 300 or not_modified):
                raise self._status_error(response)
            result = self._parse(response, self)
        except JobPingError as exc:
            self.outcome = _outcome_of(exc)
            self.error = type(exc).__name__
            if isinstance(exc, HTTPStatusError | RateLimited) and exc.status is not None:
                self.status = exc.status
            raise
        finally:
            self.elapsed = monotonic() - started
        self.outcome = "not_modified" if not_modified else "ok"
        return result

    def replaced_bytes(self, count: int) -> None:
        """Note that the body's parser replaced ``count`` invalid bytes (invalid UTF-8)."""
        self.replaced = count

    def before_sleep(self, wait: float) -> None:
        """Called before a wait: the attempt just made is followed by another after ``wait``."""
        because = f"HTTP {self.status}" if self.status else (self.error or self.outcome)
        asked = f", Retry-After {self.retry_after:.1f}s" if self.retry_after is not None else ""
        logger.debug(
            "retrying %s %s: attempt %d failed (%s%s), next in %.2fs",
            self._request.method,
            self.url(),
            self.number,
            because,
            asked,
            wait,
        )
        self.emit(wait)

    def emit(self, retry_in: float | None) -> None:
        """Count the last attempt in the stats and hand its event to the other hooks."""
        env = self._env
        env.stats.count(self.domain, self.outcome, self.size, self.elapsed, retry_in)
        if not env.hooks:
            return
        event = RequestEvent(
            method=self._request.method,
            url=self.url(),
            domain=self.domain,
            attempt=self.number,
            outcome=self.outcome,
            status=self.status,
            bytes=self.size,
            elapsed_seconds=self.elapsed,
            error=self.error,
            retry_in=retry_in,
            breaker=str(self._breaker.state),
            replaced_bytes=self.replaced,
        )
        emit(env.hooks, event)

    def _status_error(self, response: httpx.Response) -> HTTPStatusError:
        status = response.status_code
        if status in RETRYABLE_STATUSES:
            self.retry_after = parse_retry_after(response.headers, self._env.now())
        return HTTPStatusError(
            f"HTTP {status} {response.reason_phrase}".rstrip(), url=self.url(), status=status
        )
