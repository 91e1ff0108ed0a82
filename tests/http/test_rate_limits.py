"""A site's word is kept (#12, DESIGN invariant 11): against the local hostile server.

A ``Retry-After`` longer than the retry cap, or ``rate_limit_after_429s`` 429s without one in
a row, is not retried: the domain is held (rate-limited) in the store until the time asked,
and every client on that store sends nothing to it until then.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from jobping.errors import HTTPStatusError, RateLimited, SkipError
from jobping.http import BreakerState, DomainPolicy
from jobping.store import Store
from jobping.testing import FakeClock
from tests.http.conftest import ClientFactory
from tests.servers import HostileServer

pytestmark = pytest.mark.anyio

POLICY = DomainPolicy(
    daily_quota=1000, retry_attempts=4, retry_backoff_seconds=1, retry_max_wait_seconds=30
)
ASKED = "Retry-After 3600s, longer than the retry cap"


async def test_a_retry_after_past_the_cap_holds_the_domain_for_every_client_issue_12(
    make_client: ClientFactory, server: HostileServer, store: Store, clock: FakeClock
) -> None:
    """3600 s asked: 1 request, held in the store; a new client sends nothing until then."""
    until = clock() + timedelta(seconds=3600)
    async with make_client(POLICY) as client:
        with pytest.raises(RateLimited) as caught:
            await client.get_json(server.url("/status/429?retry_after=3600"))
        with pytest.raises(RateLimited):
            await client.get_json(server.url("/json"))
        stats = (await client.stats_report())["domains"][server.domain]

    assert isinstance(caught.value, SkipError)  # the target is skipped, not failed
    assert (caught.value.status, caught.value.until, caught.value.reason) == (429, until, ASKED)
    assert server.total_requests == 1 and clock.sleeps == []
    assert (stats["requests"], stats["retries"], stats["quota_used"]) == (1, 0, {"day": 1})
    assert stats["failures"] == {"http_status": 1, "rate_limited": 1}
    saved = (await store.load_breakers())[server.domain]
    assert (saved.state, saved.retry_at) == ("rate_limited", until)

    async with make_client(POLICY) as later:  # a new process's view: the same store
        clock.advance(3599)
        with pytest.raises(RateLimited) as skipped:
            await later.get_json(server.url("/json"))
        assert server.total_requests == 1
        assert (
            str(skipped.value)
            == f"{server.domain}: rate-limited until {until.isoformat()} ({ASKED})"
        )
        clock.advance(1)
        assert await later.get_json(server.url("/json")) == {"ok": True, "pad": ""}
        assert later.breaker_state(server.domain) is BreakerState.CLOSED

    assert server.total_requests == 2
    assert (await store.load_breakers())[server.domain].state == "closed"


async def test_a_retry_after_within_the_cap_is_waited_for_not_held(
    make_client: ClientFactory, server: HostileServer, store: Store, clock: FakeClock
) -> None:
    """30 s asked with a 30 s cap: waited and retried, as before; nothing is held."""
    async with make_client(POLICY) as client:
        with pytest.raises(HTTPStatusError):
            await client.get_json(server.url("/status/503?retry_after=30"))
    assert server.total_requests == 4 and clock.sleeps == [30.0, 30.0, 30.0]
    assert (await store.load_breakers()).get(server.domain) is None


async def test_header_less_429s_in_a_row_hold_the_domain_for_the_cooldown_issue_12(
    make_client: ClientFactory, server: HostileServer, store: Store, clock: FakeClock
) -> None:
    """The third 429 without Retry-After in a row holds the domain for the policy's cooldown."""
    policy = POLICY.model_copy(update={"rate_limit_cooldown_seconds": 900})
    async with make_client(policy) as client:
        with pytest.raises(RateLimited) as caught:
            await client.get_json(server.url("/status/429"))
        until = clock() + timedelta(seconds=900)
        with pytest.raises(RateLimited):
            await client.get_json(server.url("/json"))

    assert server.total_requests == 3
    assert (caught.value.until, caught.value.status) == (until, 429)
    assert caught.value.reason == "3 HTTP 429 in a row without Retry-After"
    saved = (await store.load_breakers())[server.domain]
    assert (saved.state, saved.retry_at, saved.failures) == ("rate_limited", until, 3)


async def test_429s_broken_by_an_answer_are_not_in_a_row(
    make_client: ClientFactory, server: HostileServer, store: Store
) -> None:
    """Two 429s, a 200, two 429s: never three in a row, so nothing is held."""
    policy = POLICY.model_copy(update={"retry_attempts": 2})
    async with make_client(policy) as client:
        for path in ("/status/429", "/json", "/status/429"):
            try:
                await client.get_json(server.url(path))
            except HTTPStatusError as exc:
                assert exc.status == 429
        assert await client.get_json(server.url("/json")) == {"ok": True, "pad": ""}
    assert server.total_requests == 6
    saved = (await store.load_breakers()).get(server.domain)
    assert saved is None or saved.state != "rate_limited"
