from __future__ import annotations

from datetime import timedelta

import pytest

from jobping.store import Store
from tests.store import NOW

pytestmark = pytest.mark.anyio

TTL = 300.0
EXPIRY = NOW + timedelta(seconds=TTL)


async def test_a_free_lease_is_acquired_until_now_plus_ttl(store: Store) -> None:
    """Acquiring a free lease returns its expiry; lease_holder names us until then."""
    assert await store.acquire_lease("run", "a", ttl_seconds=TTL, now=NOW) == EXPIRY
    assert await store.lease_holder("run", now=NOW) == ("a", EXPIRY)


async def test_a_live_lease_refuses_another_holder(store: Store) -> None:
    """While the lease is live a second holder gets None and the first keeps it."""
    await store.acquire_lease("run", "a", ttl_seconds=TTL, now=NOW)

    later = NOW + timedelta(seconds=TTL - 1)
    assert await store.acquire_lease("run", "b", ttl_seconds=TTL, now=later) is None
    assert await store.lease_holder("run", now=later) == ("a", EXPIRY)


async def test_the_holder_acquiring_again_extends_its_lease(store: Store) -> None:
    """Acquiring a lease we already hold moves its expiry."""
    await store.acquire_lease("run", "a", ttl_seconds=TTL, now=NOW)
    later = NOW + timedelta(seconds=60)

    assert await store.acquire_lease("run", "a", ttl_seconds=TTL, now=later) == later + timedelta(
        seconds=TTL
    )


async def test_an_expired_lease_is_free_and_taken_over(store: Store) -> None:
    """After the TTL the lease is free, and another holder takes it."""
    await store.acquire_lease("run", "crashed", ttl_seconds=TTL, now=NOW)

    assert await store.lease_holder("run", now=EXPIRY) is None
    assert await store.acquire_lease("run", "b", ttl_seconds=TTL, now=EXPIRY) == EXPIRY + (
        timedelta(seconds=TTL)
    )
    assert await store.lease_holder("run", now=EXPIRY) == ("b", EXPIRY + timedelta(seconds=TTL))


async def test_leases_of_different_names_are_independent(store: Store) -> None:
    """Holding one lease does not block a lease of another name."""
    await store.acquire_lease("run", "a", ttl_seconds=TTL, now=NOW)

    assert await store.acquire_lease("enrich", "b", ttl_seconds=TTL, now=NOW) == EXPIRY


async def test_only_the_holder_renews(store: Store) -> None:
    """renew_lease extends the holder's lease and gives None to anyone else."""
    await store.acquire_lease("run", "a", ttl_seconds=TTL, now=NOW)
    later = NOW + timedelta(seconds=100)

    assert await store.renew_lease("run", "b", ttl_seconds=TTL, now=later) is None
    renewed = await store.renew_lease("run", "a", ttl_seconds=TTL, now=later)

    assert renewed == later + timedelta(seconds=TTL)
    assert await store.lease_holder("run", now=later) == ("a", renewed)


async def test_a_lease_taken_over_can_no_longer_be_renewed(store: Store) -> None:
    """Once another holder took the expired lease, the old holder's renew gives None."""
    await store.acquire_lease("run", "a", ttl_seconds=TTL, now=NOW)
    await store.acquire_lease("run", "b", ttl_seconds=TTL, now=EXPIRY)

    assert await store.renew_lease("run", "a", ttl_seconds=TTL, now=EXPIRY) is None
    assert await store.renew_lease("run", "x", ttl_seconds=TTL, now=NOW) is None


async def test_only_the_holder_releases(store: Store) -> None:
    """release_lease by another holder changes nothing; by the holder it frees the lease."""
    await store.acquire_lease("run", "a", ttl_seconds=TTL, now=NOW)

    await store.release_lease("run", "b")
    assert await store.lease_holder("run", now=NOW) == ("a", EXPIRY)

    await store.release_lease("run", "a")
    assert await store.lease_holder("run", now=NOW) is None
    assert await store.acquire_lease("run", "b", ttl_seconds=TTL, now=NOW) == EXPIRY
