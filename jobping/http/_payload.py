"""Response bodies: the streamed size cap, block-page detection and JSON decoding.

JSON is decoded defensively: a body nested deeper than the decoder can go is a
``PayloadError``, not a ``RecursionError``, and invalid UTF-8 bytes are replaced by U+FFFD
(and counted) rather than failing the whole page.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx

from jobping.errors import PayloadError, ResponseTooLarge
from jobping.redact import preview

__all__ = ["JsonBody", "block_reason", "decode_json", "json_body", "read_capped"]

_BLOCK_STATUSES = frozenset({403, 429, 503})
_BLOCK_MARKERS = (
    "captcha",
    "cf-chl",
    "challenge-platform",
    "just a moment...",
    "attention required",
    "access denied",
    "_incapsula_resource",
    "datadome",
    "perimeterx",
    "awswaf",
    "are you a robot",
    "unusual traffic",
    "request blocked",
    "bot detection",
)
_STRIPPED = frozenset({b"content-encoding", b"content-length", b"transfer-encoding"})
_BOM = b"\xef\xbb\xbf"
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")  # an undecodable byte, as surrogateescape keeps it
_SHOWN_CHARS = 120
_SCANNED_BYTES = 16384  # of the body decoded for a preview or a block-page marker


async def read_capped(response: httpx.Response, request: httpx.Request, cap: int) -> httpx.Response:
    """Load the body of ``response`` under ``cap``; the response to hand on.

    A plain body is read into ``response`` itself: as it is when its declared length is
    within the cap (the transports stop at ``Content-Length``), else through a capped
    stream. An encoded one (gzip, ...) is decoded while streaming, so the cap holds for the
    decoded bytes and a compression bomb stops early; it comes back as a new response
    without encoding headers. Raises ``ResponseTooLarge`` (without a URL) as soon as the cap
    is passed.
    """
    length = response.headers.get("content-length", "")
    declared = length.isdigit()
    if declared and int(length) > cap:
        raise ResponseTooLarge(f"response of {length} bytes is over the cap of {cap}")
    stream = response.stream
    if "content-encoding" not in response.headers and isinstance(stream, httpx.AsyncByteStream):
        if not declared:
            response.stream = _CappedStream(stream, cap)
        await response.aread()
        if len(response.content) > cap:  # a transport that read past its Content-Length
            raise ResponseTooLarge(f"response passed the cap of {cap} bytes")
        return response
    body = b"".join([chunk async for chunk in _capped(response.aiter_bytes(), cap)])
    headers = [(k, v) for k, v in response.headers.raw if k.lower() not in _STRIPPED]
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=body,
        request=request,
        extensions=response.extensions,
    )


async def _capped(chunks: AsyncIterable[bytes], cap: int) -> AsyncIterator[bytes]:
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > cap:
            raise ResponseTooLarge(f"response passed the cap of {cap} bytes")
        yield chunk


class _CappedStream(httpx.AsyncByteStream):
    """A response stream that raises ``ResponseTooLarge`` once ``cap`` bytes went through."""

    def __init__(self, stream: httpx.AsyncByteStream, cap: int) -> None:
        self._stream = stream
        self._cap = cap

    def __aiter__(self) -> AsyncIterator[bytes]:
        return _capped(self._stream, self._cap)

    async def aclose(self) -> None:
        await self._stream.aclose()


def block_reason(status: int, headers: httpx.Headers, body: bytes, expect_json: bool) -> str | None:
    """Why the response looks like a WAF or bot-challenge page, or None if it does not.

    Only a 403, 429 or 503, or a success where JSON was expected, can be a block page: one
    with a challenge header, or HTML naming a captcha or a WAF.
    """
    if status not in _BLOCK_STATUSES and not (expect_json and status < 300):
        return None
    if not _looks_html(headers, body):
        return None
    if "cf-mitigated" in headers:
        return "bot challenge (cf-mitigated)"
    text = body[:_SCANNED_BYTES].decode("utf-8", "replace").lower()
    marker = next((m for m in _BLOCK_MARKERS if m in text), None)
    return f"block page ({marker!r} in HTML)" if marker else None


def decode_json(
    status: int,
    headers: httpx.Headers,
    body: bytes,
    *,
    url: str | Callable[[], str],
    secrets: Callable[[], Iterable[str]],
    on_replaced: Callable[[int], None] = lambda _count: None,
) -> Any:
    """The JSON value of a body (a UTF-8 BOM is skipped), or a ``PayloadError`` saying why not.

    ``url`` is the redacted URL for the error, or a function giving it (called only then);
    ``secrets()`` gives the values to scrub from the body's start shown in the error.
    Invalid UTF-8 bytes become U+FFFD and ``on_replaced`` is told how many there were.
    """
    if _looks_html(headers, body):
        raise _payload_error(
            "expected JSON, got HTML", status, headers=headers, body=body, url=url, secrets=secrets
        )
    data = body.removeprefix(_BOM)
    try:
        try:
            return json.loads(data)
        except UnicodeDecodeError:
            text, replaced = _ESCAPED_BYTE.subn("\ufffd", data.decode("utf-8", "surrogateescape"))
            value = json.loads(text)
            on_replaced(replaced)
            return value
    except RecursionError:
        problem = "JSON nested deeper than the decoder's depth limit"
    except ValueError as exc:
        problem = f"invalid JSON ({exc})" if body.strip() else "empty body, expected JSON"
    raise _payload_error(problem, status, headers=headers, body=body, url=url, secrets=secrets)


@dataclass(frozen=True, slots=True)
class JsonBody:
    """A JSON answer not decoded yet, to decode elsewhere (it pickles): a parse worker's page.

    What the run's process knows only from the response is kept with the body, so
    :meth:`decode` raises the very ``PayloadError`` that ``decode_json`` would have raised
    there. HTML was refused before (see :func:`json_body`).
    """

    status: int
    content_type: str | None
    body: bytes = field(repr=False)
    url: str
    """The request's URL, redacted."""
    secrets: tuple[str, ...] = field(repr=False)
    """The request's secret values, scrubbed from the body's start an error shows."""

    def decode(self, on_replaced: Callable[[int], None] = lambda _count: None) -> Any:
        """The JSON value, or the ``PayloadError`` saying why not (see ``decode_json``)."""
        content_type = {} if self.content_type is None else {"content-type": self.content_type}
        return decode_json(
            self.status,
            httpx.Headers(content_type),
            self.body,
            url=self.url,
            secrets=lambda: self.secrets,
            on_replaced=on_replaced,
        )


def json_body(
    status: int,
    headers: httpx.Headers,
    body: bytes,
    *,
    url: Callable[[], str],
    secrets: Callable[[], Iterable[str]],
) -> JsonBody:
    """The body as a :class:`JsonBody` to decode later; HTML raises as ``decode_json`` does.

    What only decoding finds (invalid JSON, invalid UTF-8 replaced) is found where it is
    decoded: the request counts as a good one here.
    """
    if _looks_html(headers, body):
        raise _payload_error(
            "expected JSON, got HTML", status, headers=headers, body=body, url=url, secrets=secrets
        )
    return JsonBody(status, headers.get("content-type"), body, url(), tuple(secrets()))


def _looks_html(headers: httpx.Headers, body: bytes) -> bool:
    return body.removeprefix(_BOM).lstrip()[:1] == b"<" or "html" in headers.get("content-type", "")


def _payload_error(
    problem: str,
    status: int,
    *,
    headers: httpx.Headers,
    body: bytes,
    url: str | Callable[[], str],
    secrets: Callable[[], Iterable[str]],
) -> PayloadError:
    shown = preview(body[:_SCANNED_BYTES].decode("utf-8", "replace"), _SHOWN_CHARS, secrets())
    kind = headers.get("content-type", "no content type")
    return PayloadError(
        f"{problem}: HTTP {status}, {kind}, {len(body)} bytes starting {shown!r}",
        url=url if isinstance(url, str) else url(),
    )
