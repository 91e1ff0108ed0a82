"""The budget ledger of the Store contract: reserve, commit, release, expiry, reports."""

from __future__ import annotations

from datetime import date, timedelta

import anyio
import pytest

from jobping.errors import StoreError
from jobping.store import (
    BudgetCounters,
    BudgetHold,
    BudgetUsage,
    BudgetWindow,
    Store,
    UsageTotal,
    open_store,
)
from tests.store import NOW

pytestmark = pytest.mark.anyio

DAY = BudgetWindow("day:2026-11-23", token_limit=1_000, cost_limit_micro_usd=10_000)
MONTH = BudgetWindow("month:2026-11", token_limit=5_000, cost_limit_micro_usd=50_000)
TODAY = date(2026, 11, 23)


def hold(rid: str, tokens: int = 100, micro_usd: int = 1_000, ttl: float = 600) -> BudgetHold:
    """A hold in DAY and MONTH expiring ``ttl`` seconds after NOW."""
    return BudgetHold(rid, tokens, micro_usd, (DAY, MONTH), NOW + timedelta(seconds=ttl))


def usage(
    prompt: int = 50, completion: int = 20, micro_usd: int = 400, **kw: object
) -> BudgetUsage:
    """A call's usage on TODAY by gpt-5.4-mini (override any field)."""
    fields: dict[str, object] = {
        "model": "gpt-5.4-mini",
        "day": TODAY,
        "prompt_tokens": prompt,
        "cached_tokens": 10,
        "completion_tokens": completion,
        "reasoning_tokens": 5,
        "micro_usd": micro_usd,
    }
    return BudgetUsage(**(fields | kw))  # type: ignore[arg-type]


async def counters(store: Store) -> tuple[BudgetCounters, BudgetCounters]:
    """The DAY and MONTH counters at NOW."""
    found = await store.budget_counters([DAY.key, MONTH.key], now=NOW)
    return found[DAY.key], found[MONTH.key]


async def test_a_reservation_is_held_in_every_window(store: Store) -> None:
    """A granted hold shows as reserved tokens and µUSD in the day and the month."""
    assert await store.reserve_budget(hold("a"), now=NOW)

    day, month = await counters(store)
    assert day == BudgetCounters(DAY.key, 0, 0, 100, 1_000)
    assert month == BudgetCounters(MONTH.key, 0, 0, 100, 1_000)


async def test_unused_windows_read_as_zeros(store: Store) -> None:
    """budget_counters gives every key asked for, zeros for a window never used."""
    found = await store.budget_counters(["day:1999-01-01"], now=NOW)
    assert found == {"day:1999-01-01": BudgetCounters("day:1999-01-01")}


@pytest.mark.parametrize(("tokens", "micro_usd"), [(901, 1), (1, 9_001), (1_001, 1), (1, 10_001)])
async def test_a_hold_that_would_pass_any_limit_is_refused_everywhere(
    store: Store, tokens: int, micro_usd: int
) -> None:
    """With 100 tokens and 1,000 µUSD held, passing the day's token or cost limit is refused."""
    assert await store.reserve_budget(hold("first"), now=NOW)

    assert not await store.reserve_budget(hold("second", tokens, micro_usd), now=NOW)

    day, month = await counters(store)
    assert (day.tokens_reserved, month.tokens_reserved) == (100, 100)
    assert (day.micro_usd_reserved, month.micro_usd_reserved) == (1_000, 1_000)


async def test_the_month_limit_refuses_even_when_the_day_has_room(store: Store) -> None:
    """Committed usage earlier in the month counts: a fresh day cannot pass the month limit."""
    earlier = BudgetWindow("day:2026-11-22", 1_000_000, 1_000_000)
    big = BudgetHold("old", 4_950, 100, (earlier, MONTH), NOW + timedelta(minutes=5))
    assert await store.reserve_budget(big, now=NOW)
    await store.commit_budget(big, usage(prompt=4_900, completion=50, micro_usd=100), now=NOW)

    assert not await store.reserve_budget(hold("today"), now=NOW)
    assert await store.reserve_budget(hold("small", tokens=50), now=NOW)


async def test_a_hold_exactly_at_the_limit_is_granted(store: Store) -> None:
    """Limits are inclusive: reserved + committed may equal the limit."""
    assert await store.reserve_budget(hold("all", tokens=1_000, micro_usd=10_000), now=NOW)
    assert not await store.reserve_budget(hold("one-more", tokens=1, micro_usd=0), now=NOW)


async def test_commit_replaces_the_hold_by_the_usage(store: Store) -> None:
    """Commit drops the hold and adds the real tokens (prompt + completion) and cost."""
    held = hold("a")
    await store.reserve_budget(held, now=NOW)

    assert await store.commit_budget(held, usage(prompt=60, completion=30, micro_usd=700), now=NOW)

    day, month = await counters(store)
    assert day == BudgetCounters(DAY.key, 90, 700, 0, 0)
    assert month == BudgetCounters(MONTH.key, 90, 700, 0, 0)


async def test_commit_is_idempotent(store: Store) -> None:
    """Committing the same reservation twice records its usage once."""
    held = hold("a")
    await store.reserve_budget(held, now=NOW)
    assert await store.commit_budget(held, usage(), now=NOW)

    assert not await store.commit_budget(held, usage(), now=NOW)

    day, _ = await counters(store)
    assert (day.tokens_committed, day.micro_usd_committed) == (70, 400)
    assert [t.calls for t in await store.budget_usage_by_day(TODAY, TODAY)] == [1]


async def test_release_gives_the_hold_back_and_is_idempotent(store: Store) -> None:
    """Release drops the hold; releasing again, or an unknown id, changes nothing."""
    await store.reserve_budget(hold("a"), now=NOW)
    await store.reserve_budget(hold("b", tokens=10, micro_usd=10), now=NOW)

    await store.release_budget("a")
    await store.release_budget("a")
    await store.release_budget("never-held")

    day, month = await counters(store)
    assert (day.tokens_reserved, day.micro_usd_reserved) == (10, 10)
    assert (month.tokens_reserved, month.micro_usd_reserved) == (10, 10)


async def test_an_expired_hold_stops_counting_and_is_dropped_by_the_next_reserve(
    store: Store,
) -> None:
    """A crashed holder's hold counts until expires_at; then it no longer blocks anyone."""
    assert await store.reserve_budget(hold("crashed", tokens=1_000, ttl=60), now=NOW)
    assert not await store.reserve_budget(hold("live"), now=NOW + timedelta(seconds=59))

    later = NOW + timedelta(seconds=60)
    assert (await store.budget_counters([DAY.key], now=later))[DAY.key].tokens_reserved == 0
    assert await store.reserve_budget(hold("live"), now=later)
    found = await store.budget_counters([DAY.key], now=later)
    assert found[DAY.key] == BudgetCounters(DAY.key, 0, 0, 100, 1_000)


async def test_a_commit_after_expiry_still_records_what_was_spent(store: Store) -> None:
    """The money is spent even if the hold expired and was dropped: commit adds the usage."""
    slow = hold("slow", ttl=1)
    await store.reserve_budget(slow, now=NOW)
    await store.reserve_budget(hold("sweeper"), now=NOW + timedelta(seconds=2))

    assert await store.commit_budget(slow, usage(micro_usd=900), now=NOW + timedelta(seconds=3))

    day, _ = await counters(store)
    assert (day.tokens_committed, day.micro_usd_committed, day.tokens_reserved) == (70, 900, 100)


async def test_holding_the_same_id_twice_is_a_store_error(store: Store) -> None:
    """Reservation ids are unique."""
    await store.reserve_budget(hold("same"), now=NOW)
    with pytest.raises(StoreError):
        await store.reserve_budget(hold("same"), now=NOW)


async def test_usage_reports_per_model_and_per_day(store: Store) -> None:
    """Committed usage sums per model over a day range, and per day oldest first."""
    calls = [
        ("a", "gpt-5.4-mini", TODAY, 100),
        ("b", "gpt-5.4-nano", TODAY, 10),
        ("c", "gpt-5.4-mini", TODAY - timedelta(days=2), 200),
        ("d", "gpt-5.4-mini", TODAY - timedelta(days=40), 999),
    ]
    for rid, model, day, cost in calls:
        held = hold(rid)
        await store.reserve_budget(held, now=NOW)
        await store.commit_budget(held, usage(model=model, day=day, micro_usd=cost), now=NOW)

    first = TODAY - timedelta(days=29)
    by_model = await store.budget_usage_by_model(first, TODAY)
    by_day = await store.budget_usage_by_day(first, TODAY)

    assert [(t.key, t.calls, t.micro_usd) for t in by_model] == [
        ("gpt-5.4-mini", 2, 300),
        ("gpt-5.4-nano", 1, 10),
    ]
    assert by_model[0] == UsageTotal("gpt-5.4-mini", 2, 100, 20, 40, 10, 300)
    assert [(t.key, t.calls, t.micro_usd) for t in by_day] == [
        ("2026-11-21", 1, 200),
        ("2026-11-23", 2, 110),
    ]


async def test_stores_racing_to_reserve_never_pass_a_limit(store_url: str) -> None:
    """Four connections reserving 50 holds each against room for 100: exactly 100 granted."""
    stores = [await open_store(store_url) for _ in range(4)]
    granted: list[bool] = []

    async def reserve_many(store: Store, index: int) -> None:
        for n in range(50):
            granted.append(await store.reserve_budget(hold(f"{index}-{n}", 10, 100), now=NOW))

    try:
        async with anyio.create_task_group() as group:
            for index, one in enumerate(stores):
                group.start_soon(reserve_many, one, index)
        day, month = await counters(stores[0])
    finally:
        for one in stores:
            await one.close()
    assert granted.count(True) == 100  # 1,000 tokens / 10 each
    assert day.tokens_reserved == month.tokens_reserved == 1_000


async def test_usage_totals_count_lost_answers_and_overshoots(store: Store) -> None:
    """Each commit's outcome is kept: lost calls, their cost and overshoots per model (#11)."""
    for rid, outcome, cost in [("a", "lost", 900), ("b", "overshoot", 700), ("c", "answered", 5)]:
        assert await store.reserve_budget(hold(rid), now=NOW)
        assert await store.commit_budget(hold(rid), usage(micro_usd=cost, outcome=outcome), now=NOW)

    (total,) = await store.budget_usage_by_model(TODAY, TODAY)
    (day,) = await store.budget_usage_by_day(TODAY, TODAY)

    assert (total.calls, total.lost_calls, total.lost_micro_usd, total.overshoots) == (
        3,
        1,
        900,
        1,
    )
    assert (day.lost_calls, day.lost_micro_usd, day.overshoots) == (1, 900, 1)


async def test_commits_feed_a_decaying_prompt_ratio_per_model(store: Store) -> None:
    """Reported over estimated prompt tokens, the older calls weighing a tenth less each (#11)."""
    assert await store.prompt_token_ratios() == {}
    commits = [("a", 100, 100), ("b", 100, 1_000), ("c", 0, 5_000)]  # c: nothing to learn
    for rid, estimated, reported in commits:
        measured = usage(prompt=reported, estimated_prompt_tokens=estimated)
        assert await store.commit_budget(hold(rid), measured, now=NOW)

    ratios = await store.prompt_token_ratios()

    assert list(ratios) == ["gpt-5.4-mini"]
    assert ratios["gpt-5.4-mini"] == pytest.approx((100 * 0.9 + 1_000) / (100 * 0.9 + 100))
