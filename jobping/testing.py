"""Helpers for testing scrapers, for JobPing's own tests and for scraper authors.

``replay`` runs a scraper over recorded payloads: the real ``ScrapeClient`` (on httpx's
transport, without retries) sends each request, and respx answers it from the payloads.
It needs the ``test`` extra (respx). ``FakeClock`` is time that moves only when told: give
it where JobPing takes a ``clock`` (aware wall time), ``monotonic`` or ``sleep``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from contextlib import aclosing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import anyio
import anyio.lowlevel
import respx

from jobping.http import DomainPolicy, ScrapeClient
from jobping.models import Job
from jobping.scraping import ScrapeContext, Scraper, SkippedItem, Target

__all__ = ["PLACEHOLDER_SECRET", "FakeClock", "Replay", "Reply", "replay"]

PLACEHOLDER_SECRET = "replay-placeholder-key"  # noqa: S105 - a stand-in, not a secret
"""The value ``replay`` gives each credential the scraper requires, unless told otherwise."""


class FakeClock:
    """Time that moves only when told: an aware wall clock, a monotonic one, and a sleep.

    ``fake()`` (and the settable ``fake.now``) is the wall time, ``fake.monotonic()`` fake
    seconds; ``advance(...)`` moves both. ``await fake.sleep(s)`` records ``s`` in
    ``sleeps`` and moves both clocks by it, at once; with ``gated=True`` it first waits
    until the test calls ``tick()``, so a test can see what happens between two wake-ups.
    """

    def __init__(
        self,
        now: datetime = datetime(2026, 1, 5, 12, 0, tzinfo=UTC),
        *,
        monotonic: float = 1000.0,
        gated: bool = False,
    ) -> None:
        self.now = now
        """The fake wall time (aware); a test may set it."""
        self.sleeps: list[float] = []
        """Every wait asked for, in order."""
        self.asleep = 0
        """Sleepers waiting for a tick (``gated`` only)."""
        self._monotonic = monotonic
        self._gated = gated
        self._woken = 0
        self._tick: anyio.Event | None = None

    def __repr__(self) -> str:
        return f"<FakeClock {self.now.isoformat()} slept={len(self.sleeps)} asleep={self.asleep}>"

    def __call__(self) -> datetime:
        """The fake wall time: the fake is a ``clock``."""
        return self.now

    def monotonic(self) -> float:
        """Fake monotonic seconds."""
        return self._monotonic

    def advance(self, seconds: float = 0.0, **delta: float) -> None:
        """Move both clocks forward by ``seconds`` plus ``timedelta(**delta)``."""
        step = timedelta(seconds=seconds, **delta)
        self.now += step
        self._monotonic += step.total_seconds()

    async def sleep(self, seconds: float) -> None:
        """Record the wait and move the clocks by it (after a tick, when gated)."""
        self.sleeps.append(seconds)
        if self._gated:
            self.asleep += 1
            await self._event().wait()
            self.asleep -= 1
            self._woken += 1
        self.advance(seconds)
        await anyio.lowlevel.checkpoint()

    async def until_asleep(self, sleepers: int = 1) -> None:
        """Return once ``sleepers`` tasks wait in a gated ``sleep``."""
        while self.asleep != sleepers:
            await anyio.lowlevel.checkpoint()

    async def tick(self, sleepers: int = 1) -> None:
        """Once ``sleepers`` tasks sleep, wake them all and wait until each woke."""
        await self.until_asleep(sleepers)
        woken = self._woken + sleepers
        tick, self._tick = self._event(), anyio.Event()
        tick.set()
        while self._woken < woken:
            await anyio.lowlevel.checkpoint()

    def _event(self) -> anyio.Event:
        """The event the current sleepers wait for (made in the event loop, on first use)."""
        if self._tick is None:
            self._tick = anyio.Event()
        return self._tick


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
