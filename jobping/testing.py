"""Helpers for testing scrapers, for JobPing's own tests and for scraper authors.

``replay`` runs a scraper over recorded payloads: the real ``ScrapeClient`` (on httpx's
transport, without retries) sends each request, and respx answers it from the payloads.
It needs the ``test`` extra (respx).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from contextlib import aclosing
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import respx

from jobping.http import ScrapeClient
from jobping.models import Job
from jobping.scraping import ScrapeContext, Scraper, SkippedItem, Target
from jobping.settings import DomainPolicy

__all__ = ["PLACEHOLDER_SECRET", "Replay", "Reply", "replay"]

PLACEHOLDER_SECRET = "replay-placeholder-key"  # noqa: S105 - a stand-in, not a secret
"""The value ``replay`` gives each credential the scraper requires, unless told otherwise."""


@dataclass(frozen=True, slots=True)
class Reply:
    """A payload served with another status than 200 (an error body: a 404 page, say)."""

    body: Any
    status: int


@dataclass(frozen=True, slots=True)
class Replay:
    """What a replayed scrape produced."""

    jobs: list[Job]
    skipped: list[SkippedItem]
    requests: list[str]
    """The URLs requested, in order (placeholder secrets included); a POST is written
    ``POST <url> <JSON body>``."""
    page_cap_reached: bool


async def replay(
    scraper: Scraper,
    payloads: Mapping[str, Any],
    target: str | Target,
    *,
    secrets: Mapping[str, str] | None = None,
    base_url: str | None = None,
    max_pages: int | None = None,
    assert_all_requested: bool = True,
    now: datetime | None = None,
    limit: int | None = None,
) -> Replay:
    """Run ``scraper`` on ``target`` with ``payloads`` answering its requests.

    Each key of ``payloads`` is a URL, or a path under the base URL (``base_url``, else
    the scraper's); a query in the key must be contained in the request's query (keys with
    more parameters are tried first). A key starting ``POST `` answers POSTs, and its query
    is matched against the JSON body instead (``POST /jobs?offset=20`` answers a body with
    ``"offset": 20``; values are read as JSON when they parse). Each value is served with
    status 200 (a ``Reply`` sets another): ``bytes`` as the raw body (HTML, XML, a body with
    a BOM, an empty body), anything else as JSON. ``secrets`` default to a placeholder for
    each required credential; ``now`` fixes the run's clock; ``limit`` stops the scrape
    after that many jobs, as ``--limit`` does. A request no key answers fails the test, and
    so (with ``assert_all_requested``) does a payload never requested.

    Errors of the scrape propagate (``PayloadError`` for a malformed page).

    Example::

        @pytest.mark.anyio
        async def test_two_pages() -> None:
            result = await replay(
                MyBoard(),
                {"/jobs?page=1": {"jobs": [...], "next": 2}, "/jobs?page=2": {"jobs": []}},
                "acme",
            )
            assert [job.title for job in result.jobs] == ["Engineer"]
            assert result.skipped == []
    """
    target = target if isinstance(target, Target) else Target(target)
    root = (base_url or scraper.base_url).rstrip("/")
    if secrets is None:
        secrets = dict.fromkeys(scraper.credentials, PLACEHOLDER_SECRET)
    policy = DomainPolicy(retry_attempts=1)
    async with (
        ScrapeClient(transport="httpx", policy=policy, sleep=_no_sleep) as client,
        respx.mock(assert_all_called=assert_all_requested) as router,
    ):
        for key, payload in sorted(payloads.items(), key=lambda kv: -_query_size(kv[0])):
            _route(router, key, root, payload)
        ctx = ScrapeContext(
            scraper=scraper.name,
            client=client,
            base_url=root,
            secrets=secrets,
            max_pages=max_pages or scraper.max_pages,
            now=(lambda: now) if now else None,
        )
        jobs: list[Job] = []
        async with aclosing(scraper.scrape(ctx, target)) as scraped:
            async for job in scraped:
                jobs.append(job)
                if limit is not None and len(jobs) >= limit:
                    break
        requested = [_described(call) for call in router.calls]
    return Replay(jobs, ctx.skipped, requested, ctx.page_cap_reached)


def _route(router: respx.MockRouter, key: str, root: str, payload: Any) -> None:
    """Answer requests matching ``key`` (``[POST ]url-or-path[?query]``) with ``payload``."""
    post = key.startswith("POST ")
    url = key.removeprefix("POST ")
    url = url if "://" in url else f"{root}/{url.lstrip('/')}"
    parts = urlsplit(url)
    bare = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    reply = payload if isinstance(payload, Reply) else Reply(payload, 200)
    if post:
        route = router.post(bare, **{f"json__{name}": _json_value(v) for name, v in query.items()})
    else:
        route = router.get(bare, params__contains=query) if query else router.get(bare)
    route.respond(reply.status, content=_body(reply.body), headers=_headers(reply.body))


def _body(body: Any) -> bytes:
    return body if isinstance(body, bytes) else json.dumps(body).encode()


def _headers(body: Any) -> dict[str, str]:
    """The Content-Type of a served body: JSON, HTML, or XML."""
    if not isinstance(body, bytes) or not body.lstrip().startswith(b"<"):
        return {"Content-Type": "application/json"}
    html = body.lstrip()[:14].lower().startswith((b"<!doctype html", b"<html"))
    return {"Content-Type": f"{'text/html' if html else 'application/xml'}; charset=utf-8"}


def _json_value(text: str) -> Any:
    """A query value read as JSON (``20`` is a number) when it parses, else the text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _described(call: respx.models.Call) -> str:
    """The URL of a GET; ``POST <url> <body>`` for a POST."""
    request = call.request
    if request.method == "POST":
        return f"POST {request.url} {request.content.decode()}"
    return str(request.url)


def _query_size(url: str) -> int:
    return len(parse_qsl(urlsplit(url).query, keep_blank_values=True))


async def _no_sleep(_seconds: float) -> None:
    """No waiting in a replay (there are no retries either)."""
