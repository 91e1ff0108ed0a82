"""The sandbox's validators: an ETag and a Last-Modified on every answer, and 304s.

Each GET answered 200 gets an ``ETag`` (a hash of its body) and a ``Last-Modified`` that
moves forward, by a second at least, whenever the body of that URL changes; a request whose
``If-None-Match`` names the current ETag (or, without one, whose ``If-Modified-Since`` is not
older than the ``Last-Modified``) is answered ``304 Not Modified`` with no body. Turned off
(``enabled = False``), answers carry no validator: a source that sends none.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from email.utils import formatdate, parsedate_to_datetime

from aiohttp import web
from aiohttp.typedefs import Handler

__all__ = ["ConditionalAnswers"]


class ConditionalAnswers:
    """The middleware giving answers validators and honouring conditional requests."""

    def __init__(self, *, enabled: bool = True, clock: Callable[[], float] = time.time) -> None:
        self.enabled = enabled
        """Whether answers carry validators (and conditional requests get 304s)."""
        self.not_modified = 0
        """304 answers sent so far."""
        self._clock = clock
        self._versions: dict[str, tuple[str, int]] = {}

    def __repr__(self) -> str:
        return f"<ConditionalAnswers enabled={self.enabled} not_modified={self.not_modified}>"

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Add the validators to a 200 answer to a GET, or answer 304 when the client has it."""
        response = await handler(request)
        if not (self.enabled and request.method == "GET" and isinstance(response, web.Response)):
            return response
        if response.status != 200 or not isinstance(response.body, bytes):
            return response
        etag, modified = self._version(str(request.url), response.body)
        headers = {"ETag": etag, "Last-Modified": formatdate(modified, usegmt=True)}
        if _fresh(request, etag, modified):
            self.not_modified += 1
            return web.Response(status=304, headers=headers)
        response.headers.update(headers)
        return response

    def _version(self, url: str, body: bytes) -> tuple[str, int]:
        """The ETag and Last-Modified (epoch seconds) of the body ``url`` answers now."""
        etag = f'"{hashlib.blake2b(body, digest_size=8).hexdigest()}"'
        known = self._versions.get(url)
        if known is None or known[0] != etag:
            floor = known[1] + 1 if known else 0
            self._versions[url] = (etag, max(int(self._clock()), floor))
        return self._versions[url]


def _fresh(request: web.Request, etag: str, modified: int) -> bool:
    """Whether the client's copy is the current one (RFC 9110: If-None-Match wins)."""
    if (match := request.headers.get("If-None-Match")) is not None:
        tags = {tag.strip().removeprefix("W/") for tag in match.split(",")}
        return "*" in tags or etag in tags
    if (since := request.headers.get("If-Modified-Since")) is not None:
        try:
            return parsedate_to_datetime(since).timestamp() >= modified
        except (TypeError, ValueError):
            return False
    return False
