"""TokenBudget on a real SQLite ledger: worst case, commit, limits, rollover, expiry, warnings."""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import anyio
import anyio.lowlevel
import pytest

from jobping.budget import BudgetLimits, Reservation, TokenBudget, Usage, WorstCase
from jobping.errors import BudgetExhausted
from jobping.settings import load_settings
from jobping.store import Store
from jobping.testing import FakeClock
from tests.budget import NOW, captured_logs
from tests.budget.conftest import LIMITS, MakeBudget

pytestmark = pytest.mark.anyio

MINI = "gpt-5.4-mini"
NEW_YORK = ZoneInfo("America/New_York")


def small(daily_micro_usd: int = 1_000_000, monthly_micro_usd: int = 10_000_000) -> BudgetLimits:
    """Token limits out of the way, cost limits as given."""
    return BudgetLimits(10**9, 10**9, daily_micro_usd, monthly_micro_usd)


async def spend(budget: TokenBudget, prompt: int, completion: int, model: str = MINI) -> int:
    """Reserve and commit one call using exactly ``prompt`` and ``completion`` tokens."""
    reservation = await budget.reserve(model, prompt, completion)
    assert reservation is not None
    return await budget.commit(reservation, Usage(prompt, completion))


async def test_worst_case_is_the_prompt_with_margin_plus_all_output_at_full_price(
    make_budget: MakeBudget,
) -> None:
    """1,000 counted + 5 % + 16 = 1,066 prompt tokens at 0.75 and 500 output at 4.50, µUSD up."""
    worst = make_budget().worst_case(MINI, 1_000, 500)

    assert worst == WorstCase(tokens=1_566, micro_usd=3_050)  # 799.5 + 2,250 rounded up


async def test_a_batch_line_is_held_and_committed_at_the_batch_rates(
    make_budget: MakeBudget, clock: FakeClock
) -> None:
    """#11: 1,066 x 0.375 + 500 x 2.25 held for a day and more; the usage at batch rates."""
    budget = make_budget()
    reservation = await budget.reserve(MINI, 1_000, 500, batch=True, ttl_seconds=90_000)
    assert reservation is not None
    assert reservation.worst == WorstCase(tokens=1_566, micro_usd=1_525)  # 399.75 + 1,125 up
    assert (reservation.hold.expires_at - clock.now).total_seconds() == 90_000

    cost = await budget.commit(reservation, Usage(1_000, 400, cached_tokens=200))

    assert cost == 300 + 8 + 900  # 800 x 0.375 + 200 x 0.0375 (7.5, up) + 400 x 2.25


async def test_commit_prices_each_token_class_once(make_budget: MakeBudget, store: Store) -> None:
    """(1000-200) x 0.75 + 200 x 0.075 + 400 x 4.50: reasoning tokens are not charged twice."""
    budget = make_budget()
    reservation = await budget.reserve(MINI, 1_000, 500)
    assert reservation is not None

    cost = await budget.commit(
        reservation, Usage(1_000, 400, cached_tokens=200, reasoning_tokens=300)
    )

    assert cost == 2_415
    counters = await store.budget_counters(["day:2026-11-23", "month:2026-11"], now=NOW)
    for window in counters.values():
        assert (window.tokens_committed, window.micro_usd_committed) == (1_400, 2_415)
        assert (window.tokens_reserved, window.micro_usd_reserved) == (0, 0)


async def test_a_reservation_past_a_limit_is_refused_until_room_is_released(
    make_budget: MakeBudget,
) -> None:
    """Two worst cases of 3,050 µUSD do not fit 5,000; releasing the first makes room."""
    budget = make_budget(limits=small(daily_micro_usd=5_000))
    first = await budget.reserve(MINI, 1_000, 500)
    assert first is not None

    assert await budget.reserve(MINI, 1_000, 500) is None
    await budget.release(first)
    assert await budget.reserve(MINI, 1_000, 500) is not None


async def test_remaining_counts_committed_and_held(make_budget: MakeBudget) -> None:
    """remaining() gives the limits, and usage as committed plus live reservations."""
    budget = make_budget()
    await spend(budget, 1_000, 100)
    await budget.reserve(MINI, 1_000, 500)

    remaining = await budget.remaining()

    assert remaining.day.token_limit == LIMITS.daily_tokens
    assert remaining.day.tokens_used == 1_100 + 1_566
    assert remaining.month.cost_used_micro_usd == 1_200 + 3_050  # 750 + 450, then the hold


async def test_the_day_rolls_over_at_local_midnight_not_utc(
    make_budget: MakeBudget, clock: FakeClock
) -> None:
    """New York budget: UTC midnight changes nothing; local midnight opens a new day."""
    clock.now = datetime(2026, 11, 23, 18, 0, tzinfo=NEW_YORK)
    budget = make_budget(limits=small(daily_micro_usd=4_000), tz=NEW_YORK)
    await spend(budget, 1_000, 500)  # 3,000 of 4,000: the next worst case (3,050) won't fit

    clock.now = datetime(2026, 11, 24, 0, 30, tzinfo=UTC)  # 19:30 in New York, same day
    assert await budget.reserve(MINI, 1_000, 500) is None
    clock.now = datetime(2026, 11, 23, 23, 59, 59, tzinfo=NEW_YORK)
    assert await budget.reserve(MINI, 1_000, 500) is None
    clock.now = datetime(2026, 11, 24, 0, 0, tzinfo=NEW_YORK)
    reservation = await budget.reserve(MINI, 1_000, 500)

    assert reservation is not None
    assert reservation.day.isoformat() == "2026-11-24"
    assert [w.key for w in reservation.hold.windows] == ["day:2026-11-24", "month:2026-11"]


async def test_the_month_rolls_over_at_local_midnight(
    make_budget: MakeBudget, clock: FakeClock
) -> None:
    """The month limit holds through Nov 30 local time and resets on Dec 1 local time."""
    clock.now = datetime(2026, 11, 30, 20, 0, tzinfo=NEW_YORK)  # already Dec 1 in UTC
    budget = make_budget(limits=small(monthly_micro_usd=4_000), tz=NEW_YORK)
    await spend(budget, 1_000, 500)

    clock.now = datetime(2026, 11, 30, 23, 59, 59, tzinfo=NEW_YORK)
    assert await budget.reserve(MINI, 1_000, 500) is None
    clock.now = datetime(2026, 12, 1, 0, 0, tzinfo=NEW_YORK)
    reservation = await budget.reserve(MINI, 1_000, 500)

    assert reservation is not None
    assert reservation.hold.windows[1].key == "month:2026-12"


async def test_windows_end_at_local_midnight(make_budget: MakeBudget) -> None:
    """resets_at: the next local midnight, and the first of next month at local midnight."""
    budget = make_budget(tz=NEW_YORK)
    moment = datetime(2026, 11, 30, 20, 0, tzinfo=NEW_YORK)

    assert budget.resets_at("day", moment) == datetime(2026, 12, 1, tzinfo=NEW_YORK)
    assert budget.resets_at("month", moment) == datetime(2026, 12, 1, tzinfo=NEW_YORK)
    assert budget.resets_at("month", datetime(2026, 12, 1, 1, tzinfo=NEW_YORK)) == datetime(
        2027, 1, 1, tzinfo=NEW_YORK
    )


async def test_a_crashed_process_reservation_expires_after_its_ttl(
    make_budget: MakeBudget, clock: FakeClock
) -> None:
    """A hold never committed (its process died) blocks others only until it expires."""
    crashed = make_budget(limits=small(daily_micro_usd=4_000), ttl_seconds=600)
    survivor = make_budget(limits=small(daily_micro_usd=4_000), ttl_seconds=600)
    assert await crashed.reserve(MINI, 1_000, 500) is not None

    clock.advance(seconds=599)
    assert await survivor.reserve(MINI, 1_000, 500) is None
    clock.advance(seconds=1)
    assert await survivor.reserve(MINI, 1_000, 500) is not None


async def test_warnings_are_logged_once_per_threshold(make_budget: MakeBudget) -> None:
    """Crossing 80 % and then 95 % of the daily cost logs each once, however many calls."""
    budget = make_budget(limits=small(daily_micro_usd=10_000))

    with captured_logs("jobping.budget", level=logging.WARNING) as logs:
        for _ in range(2):
            await spend(budget, 4_000, 0)  # 3,000 µUSD each: 30 %, 60 %
        assert logs == []
        await spend(budget, 2_800, 0)  # 81 %
        await spend(budget, 400, 0)  # 84 %
        await spend(budget, 1_600, 0)  # 96 %

    assert len(logs) == 2
    assert "WARNING jobping.budget: LLM budget: 81% of the day cost limit used" in logs[0]
    assert "96% of the day cost limit used" in logs[1]
    assert "warning at 95%" in logs[1]


async def test_usage_beyond_the_hold_is_committed_and_logged(make_budget: MakeBudget) -> None:
    """A server counting more than the margin: the real usage is still recorded, with a warning."""
    budget = make_budget()
    reservation = await budget.reserve(MINI, 100, 50)
    assert reservation is not None

    with captured_logs("jobping.budget", level=logging.WARNING) as logs:
        cost = await budget.commit(reservation, Usage(200, 50))

    assert cost == 375  # 200 x 0.75 + 50 x 4.5
    assert "used more than its reservation" in logs[0]


@pytest.mark.parametrize(
    ("length", "expected"),
    [(1, (1.0,)), (2, (0.8, 1.0)), (3, (0.8, 0.95, 1.0)), (4, (0.8, 0.95, 0.95, 1.0))],
)
async def test_chain_thresholds_follow_the_warning_thresholds(
    make_budget: MakeBudget, length: int, expected: tuple[float, ...]
) -> None:
    """Model i may be used below threshold i; the last model up to the whole budget."""
    assert make_budget(thresholds=(0.8, 0.95)).chain_thresholds(length) == expected


async def test_the_chain_moves_down_as_the_day_fills_then_stops(make_budget: MakeBudget) -> None:
    """gpt-5.4 under 80 %, gpt-5.4-mini under 95 %, gpt-5.4-nano to the end, then exhausted."""
    chain = ["gpt-5.4", "gpt-5.4-mini", "gpt-5.4-nano"]
    budget = make_budget(limits=small(daily_micro_usd=100_000))
    used: list[str] = []
    with pytest.raises(BudgetExhausted) as exhausted:
        for _ in range(1_000):
            reservation = await budget.reserve_in_chain(chain, lambda _: 1_000, 500)
            used.append(reservation.model)
            await budget.commit(reservation, reservation.worst_usage)

    assert used == sorted(used, key=chain.index)
    assert set(used) == set(chain)
    assert exhausted.value.window == "day"
    assert exhausted.value.reset_at == datetime(2026, 11, 24, tzinfo=UTC)
    remaining = await budget.remaining()
    assert remaining.day.cost_used_micro_usd <= 100_000


async def test_exhausted_names_the_month_when_the_month_is_tighter(
    make_budget: MakeBudget,
) -> None:
    """When the month has less room left than the day, the error waits for the next month."""
    budget = make_budget(limits=small(daily_micro_usd=100_000, monthly_micro_usd=2_000))

    with pytest.raises(BudgetExhausted) as exhausted:
        await budget.reserve_in_chain([MINI], lambda _: 1_000, 500)

    assert exhausted.value.window == "month"
    assert exhausted.value.reset_at == datetime(2026, 12, 1, tzinfo=UTC)


async def test_without_fallback_only_the_first_model_is_used(make_budget: MakeBudget) -> None:
    """OPENAI_ENABLE_FALLBACK off: the first model up to the whole budget, never the next."""
    budget = make_budget(limits=small(daily_micro_usd=10_000))
    used: list[str] = []
    with pytest.raises(BudgetExhausted):
        for _ in range(100):
            reservation = await budget.reserve_in_chain(
                [MINI, "gpt-5.4-nano"], lambda _: 1_000, 500, fallback=False
            )
            used.append(reservation.model)
            await budget.commit(reservation, reservation.worst_usage)

    assert used == [MINI] * 3  # 3 x 3,050 µUSD of 10,000


async def test_concurrent_calls_never_push_committed_spend_past_the_limit(
    make_budget: MakeBudget, store: Store
) -> None:
    """200 concurrent reserve/commit pairs with random real usage: spend stays within limit."""
    limit = 150_000  # about half of 200 calls averaging ~1,500 µUSD
    budget = make_budget(limits=small(daily_micro_usd=limit))
    pick = random.Random(6)  # noqa: S311 (test data, not cryptography)
    committed: list[int] = []

    async def call() -> None:
        reservation: Reservation | None = await budget.reserve(MINI, 600, 600)
        if reservation is None:
            return
        await anyio.lowlevel.checkpoint()
        completion = pick.randint(1, 600)
        usage = Usage(
            pick.randint(590, reservation.prompt_tokens), completion, 128, completion // 2
        )
        committed.append(await budget.commit(reservation, usage))

    async with anyio.create_task_group() as group:
        for _ in range(200):
            group.start_soon(call)

    counters = (await store.budget_counters(["day:2026-11-23"], now=NOW))["day:2026-11-23"]
    assert 0 < len(committed) < 200
    assert counters.micro_usd_committed == sum(committed) <= limit
    assert counters.tokens_reserved == counters.micro_usd_reserved == 0


def test_limits_come_from_the_settings_in_whole_micro_dollars() -> None:
    """Dollar limits become exact µUSD (0.1 is 100,000, not 99,999)."""
    settings = load_settings(
        env_file=None,
        openai_daily_cost_limit=0.1,
        openai_monthly_cost_limit=12.345678,
        openai_daily_token_limit=7,
        openai_monthly_token_limit=70,
    )

    assert BudgetLimits.from_settings(settings) == BudgetLimits(7, 70, 100_000, 12_345_678)


async def test_from_settings_holds_outlast_every_attempt_and_wait(store: Store) -> None:
    """The TTL covers attempts x timeout plus the waits between them, and a slack."""
    settings = load_settings(
        env_file=None,
        openai_retry_attempts=3,
        openai_timeout_seconds=20,
        budget_timezone="Europe/Berlin",
    )

    budget = TokenBudget.from_settings(settings, store)

    assert budget.ttl_seconds == 3 * 20 + 2 * 30 + 60
    assert budget.tz == ZoneInfo("Europe/Berlin")
    assert "Europe/Berlin" in repr(budget)
