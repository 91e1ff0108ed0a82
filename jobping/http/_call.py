"""One logical request: its attempts, the error of each, and the event each one leaves."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import httpx

from jobping.errors import (
    Blocked,
    CircuitOpen,
    HTTPStatusError,
    JobPingError,
    PayloadError,
    QuotaExhausted,
    RequestTimeout,
    ResponseTooLarge,
    TransportError,
)
from jobping.http._breaker import CircuitBreaker
from jobping.http._events import RequestEvent, RequestHook, emit
from jobping.http._registry import domain_of
from jobping.http._retry import RETRYABLE_STATUSES, parse_retry_after
from jobping.redact import redact_url, secret_values

__all__ = ["Call"]

_OUTCOMES: tuple[tuple[type[Exception], str], ...] = (
    (CircuitOpen, "circuit_open"),
    (QuotaExhausted, "quota_exhausted"),
    (Blocked, "blocked"),
    (HTTPStatusError, "http_status"),
    (RequestTimeout, "timeout"),
    (TransportError, "transport"),
    (ResponseTooLarge, "too_large"),
    (PayloadError, "payload"),
)


class Call:
    """One logical request: its attempts, what the last one did, and its events."""

    def __init__(
        self,
        request: httpx.Request,
        parse: Callable[[httpx.Response, Call], Any],
        *,
        http: httpx.AsyncClient,
        breaker: CircuitBreaker,
        hooks: Sequence[RequestHook],
        clock: Callable[[], float],
        now: Callable[[], datetime],
    ) -> None:
        self._request = request
        self._http = http
        self._breaker = breaker
        self._hooks = hooks
        self._clock = clock
        self._now = now
        self._parse = parse
        self.domain = domain_of(request.url)
        self.url = redact_url(str(request.url))
        self.number = 0
        self.retry_after: float | None = None
        self.outcome = "ok"
        self.error: str | None = None
        self.status: int | None = None
        self.size = 0
        self.elapsed = 0.0

    def secrets(self) -> list[str]:
        """The secret values the request carries (to scrub from text that may echo them)."""
        return secret_values(str(self._request.url), self._request.headers.multi_items())

    async def attempt(self) -> Any:
        """Send the request once; raise the attempt's error or return the parsed body."""
        self.number += 1
        self.retry_after, self.status, self.size, self.error = None, None, 0, None
        started = self._clock()
        try:
            response = await self._send()
            self.status, self.size = response.status_code, len(response.content)
            if not 200 <= response.status_code < 300:
                raise self._status_error(response)
            result = self._parse(response, self)
        except JobPingError as exc:
            self.outcome = next((name for cls, name in _OUTCOMES if isinstance(exc, cls)), "error")
            self.error = type(exc).__name__
            if isinstance(exc, HTTPStatusError):
                self.status = exc.status
            raise
        finally:
            self.elapsed = self._clock() - started
        self.outcome = "ok"
        return result

    def before_sleep(self, wait: float) -> None:
        """Called before a wait: the attempt just made is followed by another after ``wait``."""
        self.emit(wait)

    def emit(self, retry_in: float | None) -> None:
        """Hand the event of the last attempt to the hooks."""
        event = RequestEvent(
            method=self._request.method,
            url=self.url,
            domain=self.domain,
            attempt=self.number,
            outcome=self.outcome,
            status=self.status,
            bytes=self.size,
            elapsed_seconds=self.elapsed,
            error=self.error,
            retry_in=retry_in,
            breaker=str(self._breaker.state),
        )
        emit(self._hooks, event)

    async def _send(self) -> httpx.Response:
        try:
            return await self._http.send(self._request)
        except httpx.HTTPError as exc:  # raised by httpx itself: too many redirects, say
            raise TransportError(f"request failed ({type(exc).__name__})", url=self.url) from None

    def _status_error(self, response: httpx.Response) -> HTTPStatusError:
        status = response.status_code
        if status in RETRYABLE_STATUSES:
            header = response.headers.get("retry-after")
            self.retry_after = parse_retry_after(header, self._now())
        return HTTPStatusError(
            f"HTTP {status} {response.reason_phrase}".rstrip(), url=self.url, status=status
        )
