"""Conditional GETs: validators sent back so that an unchanged page costs no body.

A response's ``ETag`` and ``Last-Modified`` go back as ``If-None-Match`` and
``If-Modified-Since``; a source that sends neither is still recognised by a hash of its body,
compared before the body is decoded. What the answer was is a :class:`Revalidated`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "CONDITIONAL",
    "BodyAs",
    "Revalidated",
    "Validators",
    "body_hash",
    "conditional_headers",
    "validators_of",
]

CONDITIONAL = "jobping.conditional"
"""Request extension: a conditional GET, which takes a 304 as an answer (not an error)."""

Freshness = Literal["not_modified", "unchanged", "changed"]
BodyAs = Literal["json", "text", "raw"]
"""How a changed body comes back: decoded JSON, text, or JSON left undecoded (a ``JsonBody``)."""


@dataclass(frozen=True, slots=True)
class Validators:
    """What identifies one version of a page: its ``ETag``, ``Last-Modified`` and body hash."""

    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None


@dataclass(frozen=True, slots=True)
class Revalidated:
    """The answer to a conditional GET.

    ``freshness`` is ``not_modified`` (HTTP 304), ``unchanged`` (a 200 whose body hash is the
    one sent: the body was not decoded) or ``changed`` (``body`` holds the body, as asked).
    ``url`` is the request's URL with its secrets redacted; ``validators`` those of a 200.
    """

    freshness: Freshness
    url: str
    validators: Validators
    body: Any = None


def conditional_headers(validators: Validators) -> dict[str, str]:
    """The ``If-None-Match`` / ``If-Modified-Since`` headers that ``validators`` allow."""
    headers = {}
    if validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    return headers


def validators_of(headers: Mapping[str, str], body: bytes) -> Validators:
    """The validators of a response: its ``ETag``, its ``Last-Modified`` and its body's hash."""
    return Validators(
        etag=headers.get("etag") or None,
        last_modified=headers.get("last-modified") or None,
        body_hash=body_hash(body),
    )


def body_hash(body: bytes) -> str:
    """A short digest of a body (BLAKE2b, 128 bits, hex)."""
    return hashlib.blake2b(body, digest_size=16).hexdigest()
