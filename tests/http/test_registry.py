from __future__ import annotations

from datetime import UTC, datetime

import anyio
import httpx
import pytest

from jobping.errors import HTTPStatusError
from jobping.http import DomainPolicy
from jobping.http._breaker import CircuitBreaker
from jobping.http._registry import DomainRegistry, DomainState, domain_of
from jobping.http._throttle import Throttle
from jobping.store import Store
from jobping.testing import FakeClock
from tests.http.conftest import ClientFactory
from tests.servers import HostileServer


def make_state(domain: str) -> DomainState:
    """A plain state for ``domain``."""
    breaker = CircuitBreaker(
        domain,
        threshold=1,
        cooldown_seconds=1,
        max_cooldown_seconds=1,
        clock=lambda: datetime(2026, 1, 1, tzinfo=UTC),
    )
    throttle = Throttle(min_interval=0, max_concurrency=1, monotonic=lambda: 0.0, sleep=anyio.sleep)
    return DomainState(domain, DomainPolicy(), breaker, throttle, None)


def test_registry_is_bounded_lru() -> None:
    """A million distinct domains keep at most max_size states; the least recent go first."""
    registry = DomainRegistry(make_state, max_size=3)
    for domain in ("a", "b", "c"):
        registry.get(domain)
    registry.get("a")
    registry.get("d")
    assert [s.domain for s in registry.states()] == ["c", "a", "d"]
    assert [s.domain for s in registry.drain_evicted()] == ["b"]
    assert registry.drain_evicted() == []
    for n in range(10_000):
        registry.get(f"host{n}.example")
        registry.drain_evicted()
    assert len(registry) == 3


def test_registry_rejects_a_size_below_one() -> None:
    """max_size 0 is a clear error."""
    with pytest.raises(ValueError, match="max_size"):
        DomainRegistry(make_state, max_size=0)


@pytest.mark.anyio
async def test_min_interval_spaces_request_starts(
    make_client: ClientFactory, server: HostileServer, clock: FakeClock
) -> None:
    """With a 2 s minimum interval, three requests wait 0, 2 and 2 s (on the fake clock)."""
    async with make_client(DomainPolicy(min_interval_seconds=2)) as client:
        for _ in range(3):
            await client.get_json(server.url("/json"))
    assert clock.sleeps == [2.0, 2.0]


@pytest.mark.anyio
async def test_429_slows_the_whole_domain_down(
    make_client: ClientFactory, server: HostileServer, clock: FakeClock
) -> None:
    """After a 429 with Retry-After: 3, the next request to the domain waits 3 s."""
    policy = DomainPolicy(retry_attempts=1)
    async with make_client(policy) as client:
        with pytest.raises(HTTPStatusError):
            await client.get_json(server.url("/status/429?retry_after=3"))
        await client.get_json(server.url("/json"))
    assert clock.sleeps == [3.0]


@pytest.mark.anyio
async def test_concurrency_per_domain_is_limited(
    make_client: ClientFactory, server: HostileServer
) -> None:
    """With max_concurrency 2, 8 concurrent requests use at most 2 connections."""
    policy = DomainPolicy(max_concurrency=2, retry_attempts=1)
    async with make_client(policy) as client, anyio.create_task_group() as tasks:
        for _ in range(8):
            tasks.start_soon(client.get_json, server.url("/json?size=50000"))
    assert server.requests["/json"] == 8
    assert server.connections <= 2


@pytest.mark.anyio
async def test_evicted_domain_returns_its_quota(
    make_client: ClientFactory, server: HostileServer, clock: FakeClock, store: Store
) -> None:
    """A domain evicted from a registry of one gives its reserved block back to the store."""
    policy = DomainPolicy(daily_quota=1000)
    async with make_client(policy, max_domains=1) as client:
        await client.get_json(server.url("/json"))
        await client.get_json(f"http://localhost:{server.port}/json")
        assert await store.quota_used(server.domain, f"day:{clock():%Y-%m-%d}") == 1


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://api.lever.co/v0/postings/x", "api.lever.co"),
        ("http://127.0.0.1:8001/jobs", "127.0.0.1:8001"),
        ("http://[::1]:9000/", "[::1]:9000"),
        ("https://api.lever.co:443/", "api.lever.co"),
    ],
)
def test_domain_key_keeps_a_non_default_port(url: str, key: str) -> None:
    """Two services on one host (sandbox sources) get separate per-domain state."""
    assert domain_of(httpx.URL(url)) == key
