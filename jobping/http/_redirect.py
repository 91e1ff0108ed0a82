r"""A redirected GET goes out as a plain GET: no body, no body headers.

httpx builds the request after a redirect from the previous one: a 301/302/303 keeps the
body headers of a GET (``Content-Type``), and every redirect hands on the previous request's
body stream unread. aiohttp's transport then sends that empty stream as a chunked body
(``Transfer-Encoding: chunked``, ``Content-Type: application/octet-stream``, ``0\r\n\r\n``),
which a simple keep-alive server reads as the next request. Requests without a body are
passed through as they are; the others are rebuilt once, with an empty, already-read body.
"""

from __future__ import annotations

import httpx

__all__ = ["without_body"]

_BODILESS_METHODS = frozenset({"GET", "HEAD"})
_BODY_HEADERS = ("content-type", "content-length", "transfer-encoding")


def without_body(request: httpx.Request) -> httpx.Request:
    """``request`` itself, or, for a GET or HEAD carrying a body or body headers, a copy without."""
    if request.method not in _BODILESS_METHODS:
        return request
    headers = request.headers
    if _empty_and_read(request) and not any(name in headers for name in _BODY_HEADERS):
        return request
    kept = [(k, v) for k, v in headers.multi_items() if k.lower() not in _BODY_HEADERS]
    return httpx.Request(request.method, request.url, headers=kept, extensions=request.extensions)


def _empty_and_read(request: httpx.Request) -> bool:
    try:
        return request.content == b""
    except httpx.RequestNotRead:  # a stream handed on by a redirect
        return False
