"""Fault switches of one sandboxed source, and the middleware that applies them.

Every fault is deterministic: the 5xx draws come from a generator seeded with the seed and
the source's name, and the 429s fall on every other request.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Literal

import anyio
from aiohttp import web
from aiohttp.typedefs import Handler

__all__ = ["MALFORMED_HTML", "FaultInjector", "Faults"]

MALFORMED_HTML = (
    b"<!DOCTYPE html><html><head><title>Scheduled maintenance</title></head>"
    b"<body><h1>We'll be back soon</h1><p>The jobs API is down for maintenance.</p></body></html>"
)
"""The page a ``malformed="html"`` source answers with (no block-page markers: not a WAF)."""
_ERROR_STATUSES = (500, 502, 503)
_DRIP_CHUNKS = 4


@dataclass(frozen=True, slots=True, kw_only=True)
class Faults:
    """What one sandboxed source does wrong; the default is nothing.

    Attributes:
        down: Nothing listens on its port: every connection is refused (a source turned
            down while the sandbox runs drops every connection instead).
        error_rate: Share of requests answered 500, 502 or 503 (seeded, deterministic).
        rate_limited: Every other request (the first, third, ... since it was switched on)
            is answered 429 with ``Retry-After: retry_after_seconds``.
        retry_after_seconds: The ``Retry-After`` of those 429s.
        slow_seconds: Each body arrives in four parts spread over this many seconds.
        malformed: Successful bodies become an HTML maintenance page (``"html"``) or are cut
            in half (``"truncated"``: invalid JSON).
        seed: Seed of the 5xx draws.
    """

    down: bool = False
    error_rate: float = 0.0
    rate_limited: bool = False
    retry_after_seconds: int = 1
    slow_seconds: float = 0.0
    malformed: Literal["html", "truncated"] | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        if not 0.0 <= self.error_rate <= 1.0:
            raise ValueError(f"error_rate must be between 0 and 1, got {self.error_rate}")
        if self.retry_after_seconds < 0:
            raise ValueError(f"retry_after_seconds must be >= 0, got {self.retry_after_seconds}")
        if not (math.isfinite(self.slow_seconds) and self.slow_seconds >= 0):
            raise ValueError(f"slow_seconds must be a finite number >= 0, got {self.slow_seconds}")
        if self.malformed not in (None, "html", "truncated"):
            raise ValueError(f"malformed must be 'html' or 'truncated', got {self.malformed!r}")

    def __str__(self) -> str:
        parts = [
            "down" if self.down else "",
            f"{self.error_rate:.0%} 5xx" if self.error_rate else "",
            f"429 every other request (Retry-After {self.retry_after_seconds})"
            if self.rate_limited
            else "",
            f"slow ({self.slow_seconds:g}s a body)" if self.slow_seconds else "",
            f"malformed ({self.malformed})" if self.malformed else "",
        ]
        return ", ".join(part for part in parts if part) or "none"


class FaultInjector:
    """Applies one source's ``Faults`` to its requests and counts them."""

    def __init__(self, source: str, faults: Faults) -> None:
        self.source = source
        self.faults = faults
        self.requests = 0
        self._limited_turns = 0
        self._draws = random.Random(f"{faults.seed}:{source}")  # noqa: S311 - not for security

    def __repr__(self) -> str:
        return f"<FaultInjector {self.source} requests={self.requests} faults={self.faults}>"

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Answer with a fault before the API, or spoil or slow the API's answer."""
        self.requests += 1
        faults = self.faults
        if faults.down:  # turned down while serving: drop the connection, answer nothing
            if request.transport is not None:
                request.transport.abort()
            raise web.HTTPServiceUnavailable
        if faults.rate_limited:
            self._limited_turns += 1
        if faults.rate_limited and self._limited_turns % 2 == 1:
            headers = {"Retry-After": str(faults.retry_after_seconds)}
            return web.json_response({"message": "Too many requests"}, status=429, headers=headers)
        if faults.error_rate and self._draws.random() < faults.error_rate:
            status = self._draws.choice(_ERROR_STATUSES)
            return web.Response(status=status, text=f"HTTP {status} (sandbox fault)\n")
        response = await handler(request)
        if not isinstance(response, web.Response) or response.status != 200:
            return response
        body = response.body if isinstance(response.body, bytes) else b""
        content_type = response.content_type
        if faults.malformed == "html":
            body, content_type = MALFORMED_HTML, "text/html"
        elif faults.malformed == "truncated":
            body = body[: len(body) // 2]
        if faults.slow_seconds:
            return await _drip(request, body, content_type, faults.slow_seconds)
        return web.Response(body=body, content_type=content_type, charset="utf-8")


async def _drip(
    request: web.Request, body: bytes, content_type: str, seconds: float
) -> web.StreamResponse:
    """Send the headers at once, then ``body`` in parts spread over ``seconds``."""
    response = web.StreamResponse(headers={"Content-Type": f"{content_type}; charset=utf-8"})
    response.content_length = len(body)
    await response.prepare(request)
    size = max(1, math.ceil(len(body) / _DRIP_CHUNKS))
    for start in range(0, max(len(body), 1), size):
        await anyio.sleep(seconds / _DRIP_CHUNKS)
        await response.write(body[start : start + size])
    await response.write_eof()
    return response
