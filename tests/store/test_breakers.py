from __future__ import annotations

from datetime import timedelta, timezone

import pytest

from jobping.errors import RateLimited
from jobping.http._breaker import CircuitBreaker
from jobping.store import BreakerSnapshot, Store
from jobping.testing import FakeClock
from tests.store import NOW

pytestmark = pytest.mark.anyio


async def test_breakers_round_trip_with_aware_utc_datetimes(store: Store) -> None:
    """Saved breakers load back equal, their datetimes aware and in UTC."""
    tokyo = timezone(timedelta(hours=9))
    open_breaker = BreakerSnapshot(
        "api.lever.co",
        "open",
        5,
        NOW.astimezone(tokyo),
        (NOW + timedelta(seconds=90)).astimezone(tokyo),
        90.0,
    )
    closed = BreakerSnapshot("boards-api.greenhouse.io", "closed", 0, None, None, 60.0)
    await store.save_breaker(open_breaker)
    await store.save_breaker(closed)

    loaded = await store.load_breakers()

    assert loaded == {"api.lever.co": open_breaker, "boards-api.greenhouse.io": closed}
    retry_at = loaded["api.lever.co"].retry_at
    assert retry_at is not None
    assert retry_at.utcoffset() == timedelta(0)


async def test_saving_a_breaker_again_replaces_it(store: Store) -> None:
    """The last saved snapshot of a domain is the one loaded."""
    await store.save_breaker(BreakerSnapshot("api.lever.co", "open", 5, NOW, NOW, 60.0))
    half_open = BreakerSnapshot("api.lever.co", "half-open", 5, NOW, None, 120.0)

    await store.save_breaker(half_open)

    assert await store.load_breakers() == {"api.lever.co": half_open}


async def test_no_breakers_load_as_an_empty_mapping(store: Store) -> None:
    """A fresh store has no breakers."""
    assert await store.load_breakers() == {}


async def test_a_rate_limited_breaker_round_trips_with_its_time_and_reason(store: Store) -> None:
    """A domain held by the site's word loads back held: a new breaker refuses until then (#12)."""
    clock = FakeClock(NOW)
    held = CircuitBreaker(
        "api.lever.co", threshold=5, cooldown_seconds=60, max_cooldown_seconds=3600, clock=clock
    )
    held.limit(NOW + timedelta(seconds=3600), 3600, 0)
    await store.save_breaker(BreakerSnapshot("api.lever.co", "open", 5, NOW, NOW, 60.0))

    await store.save_breaker(held.snapshot())
    loaded = (await store.load_breakers())["api.lever.co"]

    assert loaded == held.snapshot()
    restored = CircuitBreaker(
        "api.lever.co",
        threshold=5,
        cooldown_seconds=60,
        max_cooldown_seconds=3600,
        clock=clock,
        snapshot=loaded,
    )
    with pytest.raises(RateLimited) as caught:
        restored.admit()
    assert caught.value.until == NOW + timedelta(seconds=3600)
    assert caught.value.reason == "Retry-After 3600s, longer than the retry cap"
