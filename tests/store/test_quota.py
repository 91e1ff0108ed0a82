from __future__ import annotations

import anyio
import pytest

from jobping.errors import StoreError
from jobping.store import QuotaWindow, Store
from tests.store import NOW

pytestmark = pytest.mark.anyio

DAY = QuotaWindow("day:2026-11-23", 10)
MONTH = QuotaWindow("month:2026-11", 100)


async def test_consuming_within_the_limits_is_granted_and_counted(store: Store) -> None:
    """Grants add the amount to every window."""
    assert await store.consume_quota("a.example", [DAY, MONTH], 4, now=NOW)
    assert await store.consume_quota("a.example", [DAY, MONTH], 6, now=NOW)

    assert await store.quota_used("a.example", DAY.key) == 10
    assert await store.quota_used("a.example", MONTH.key) == 10


async def test_a_refused_window_charges_no_window(store: Store) -> None:
    """All windows or none: when one window would pass its limit, none is charged."""
    await store.consume_quota("a.example", [DAY, MONTH], 8, now=NOW)

    assert not await store.consume_quota("a.example", [MONTH, DAY], 3, now=NOW)

    assert await store.quota_used("a.example", DAY.key) == 8
    assert await store.quota_used("a.example", MONTH.key) == 8


async def test_an_amount_above_the_limit_is_refused(store: Store) -> None:
    """Asking for more than a window's whole limit is refused, even on a fresh window."""
    assert not await store.consume_quota("a.example", [DAY, MONTH], 11, now=NOW)
    assert await store.quota_used("a.example", MONTH.key) == 0


async def test_domains_have_separate_quotas(store: Store) -> None:
    """One domain's use does not count against another's."""
    await store.consume_quota("a.example", [DAY], 10, now=NOW)

    assert await store.consume_quota("b.example", [DAY], 10, now=NOW)
    assert not await store.consume_quota("a.example", [DAY], 1, now=NOW)


async def test_release_gives_units_back_but_never_below_zero(store: Store) -> None:
    """release_quota subtracts from every window and stops at zero."""
    await store.consume_quota("a.example", [DAY, MONTH], 5, now=NOW)
    await store.consume_quota("a.example", [MONTH], 20, now=NOW)

    await store.release_quota("a.example", [DAY, MONTH], 7)

    assert await store.quota_used("a.example", DAY.key) == 0
    assert await store.quota_used("a.example", MONTH.key) == 18


async def test_releasing_an_unused_window_creates_nothing(store: Store) -> None:
    """Releasing on a window never consumed leaves it at zero and out of the usage."""
    await store.release_quota("a.example", [DAY], 3)

    assert await store.quota_used("a.example", DAY.key) == 0
    assert await store.quota_usage("day:") == {}


async def test_quota_usage_sums_per_domain_over_the_windows_with_the_prefix(
    store: Store,
) -> None:
    """quota_usage(prefix) adds up each domain's windows whose key starts with the prefix."""
    await store.consume_quota("a.example", [DAY, MONTH], 3, now=NOW)
    await store.consume_quota("a.example", [QuotaWindow("day:2026-11-22", 10)], 2, now=NOW)
    await store.consume_quota("b.example", [MONTH], 7, now=NOW)

    assert await store.quota_usage("day:2026-11-23") == {"a.example": 3}
    assert await store.quota_usage("day:") == {"a.example": 5}
    assert await store.quota_usage("month:") == {"a.example": 3, "b.example": 7}
    assert await store.quota_usage("DAY:") == {}


async def test_a_negative_amount_is_refused_clearly(store: Store) -> None:
    """Consuming or releasing a negative amount raises StoreError naming it."""
    with pytest.raises(StoreError, match="negative, got -1"):
        await store.consume_quota("a.example", [DAY], -1, now=NOW)
    with pytest.raises(StoreError, match="negative, got -2"):
        await store.release_quota("a.example", [DAY], -2)


async def test_concurrent_tasks_never_exceed_the_limit(store: Store) -> None:
    """Fifty tasks of one process racing for a limit of 10 get exactly 10 grants."""
    granted: list[bool] = []

    async def consume() -> None:
        granted.append(await store.consume_quota("a.example", [DAY, MONTH], 1, now=NOW))

    async with anyio.create_task_group() as group:
        for _ in range(50):
            group.start_soon(consume)

    assert granted.count(True) == 10
    assert await store.quota_used("a.example", DAY.key) == 10
