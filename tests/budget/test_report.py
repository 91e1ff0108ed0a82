"""The budget report: windows against limits, per model, per day, projection, warnings, backlog."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jobping.budget import BudgetLimits, TokenBudget, Usage, budget_report
from jobping.store import BatchLine, EnrichmentBatch, Store
from jobping.testing import FakeClock
from tests.budget.conftest import MakeBudget
from tests.store import build_job

pytestmark = pytest.mark.anyio

LIMITS = BudgetLimits(100_000, 1_000_000, 10_000, 100_000)


async def call(budget: TokenBudget, model: str, prompt: int, completion: int) -> None:
    """One reserved and committed call."""
    reservation = await budget.reserve(model, prompt, completion)
    assert reservation is not None
    await budget.commit(reservation, Usage(prompt, completion, cached_tokens=prompt // 2))


async def test_report_of_a_month_with_calls(
    make_budget: MakeBudget, clock: FakeClock, store: Store
) -> None:
    """Today and the month per model, 30 zero-filled days, projection, warnings and backlog."""
    budget = make_budget(limits=LIMITS)
    clock.now = datetime(2026, 10, 20, 12, tzinfo=UTC)
    await call(budget, "gpt-5.4-mini", 4_000, 0)  # October: in the 30 days, not in the month
    clock.now = datetime(2026, 11, 3, 12, tzinfo=UTC)
    await call(budget, "gpt-5.4-mini", 4_000, 1_000)
    clock.now = datetime(2026, 11, 10, 12, tzinfo=UTC)
    await call(budget, "gpt-5.4-mini", 2_000, 1_000)
    await call(budget, "gpt-5.4-nano", 2_000, 2_000)
    await budget.reserve("gpt-5.4-nano", 100, 100)  # in flight
    await store.upsert_jobs([build_job(n) for n in range(3)], seen_at=clock.now)

    report = await budget_report(budget)

    today, month = report["today"], report["month"]
    assert today["key"] == "day:2026-11-10"
    assert today["tokens"] == {"used": 7_000, "reserved": 221, "limit": 100_000, "share": 0.07}
    # mini: 1,000 x 0.75 + 1,000 x 0.075 + 1,000 x 4.5 = 5,325; nano: 200 + 20 + 2,500 = 2,720
    assert today["cost_usd"]["used"] == 0.008045
    assert today["cost_usd"]["share"] == pytest.approx(0.8045)
    assert [(m["model"], m["calls"], m["cost_usd"]) for m in today["by_model"]] == [
        ("gpt-5.4-mini", 1, 0.005325),
        ("gpt-5.4-nano", 1, 0.00272),
    ]
    assert [(m["model"], m["calls"]) for m in month["by_model"]] == [
        ("gpt-5.4-mini", 2),
        ("gpt-5.4-nano", 1),
    ]
    assert month["tokens"]["used"] == 12_000
    assert month["resets_at"] == "2026-12-01T00:00:00+00:00"
    # 9.5 days of 30 gone: the month's use so far x 30 / 9.5
    assert month["projection"]["tokens"] == round(12_000 * 30 / 9.5)
    assert len(report["days"]) == 30
    assert report["days"][0]["date"] == "2026-10-12"
    assert report["days"][-1]["date"] == "2026-11-10"
    active = {day["date"]: day["calls"] for day in report["days"] if day["calls"]}
    assert active == {"2026-10-20": 1, "2026-11-03": 1, "2026-11-10": 2}
    assert report["warnings"] == [
        {"window": "day", "measure": "cost", "threshold": 0.8, "share": 0.8045}
    ]
    assert report["backlog"] == 3


async def test_report_of_an_empty_ledger(make_budget: MakeBudget) -> None:
    """A new ledger: zeros everywhere, no warning, a projection of zero."""
    report = await budget_report(make_budget(limits=LIMITS))

    assert report["today"]["tokens"]["used"] == 0
    assert report["today"]["by_model"] == []
    assert report["month"]["projection"]["cost_usd"] == 0.0
    assert all(day["calls"] == 0 for day in report["days"])
    assert report["warnings"] == []
    assert report["backlog"] == 0


async def test_the_projection_starts_sane_on_the_first_of_the_month(
    make_budget: MakeBudget, clock: FakeClock
) -> None:
    """Minutes into a month, the pace is taken over at least an hour, not a few seconds."""
    clock.now = datetime(2026, 11, 1, 0, 1, tzinfo=UTC)
    budget = make_budget(limits=LIMITS)
    await call(budget, "gpt-5.4-nano", 1_000, 0)
    clock.now += timedelta(seconds=30)

    report = await budget_report(budget)

    assert report["month"]["projection"]["tokens"] == 1_000 * 30 * 24


async def test_the_report_shows_lost_answer_spend_and_overshoots_per_model(
    make_budget: MakeBudget, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """A lost answer is charged its hold and shown apart; usage past a hold is an overshoot."""
    budget = make_budget(limits=LIMITS)
    clock.now = datetime(2026, 11, 10, 12, tzinfo=UTC)
    lost = await budget.reserve("gpt-5.4-mini", 1_000, 500)
    over = await budget.reserve("gpt-5.4-mini", 1_000, 500)
    assert lost is not None
    assert over is not None
    charged = await budget.commit(lost, lost.worst_usage, answer_lost=True)
    with caplog.at_level("WARNING", logger="jobping.budget"):
        await budget.commit(over, Usage(10_000, 500))

    (mini,) = (await budget_report(budget))["today"]["by_model"]

    assert (mini["calls"], mini["lost_answers"], mini["overshoots"]) == (2, 1, 1)
    assert mini["lost_answers_cost_usd"] == charged / 1_000_000 > 0
    assert "used more than its reservation" in caplog.text
    assert await budget.store.prompt_token_ratios() == {"gpt-5.4-mini": 10.0}


async def test_report_lists_batches_in_flight_with_their_hold_and_collected_ones_with_cost(
    make_budget: MakeBudget, clock: FakeClock, store: Store
) -> None:
    """#11: ``jobping budget`` shows each Batch API batch: in flight, its hold; done, its cost."""
    budget = make_budget(limits=LIMITS)
    held = 0
    for number in range(2):
        reservation = await budget.reserve("gpt-5.4-mini", 400, 100, batch=True)
        assert reservation is not None
        held = reservation.worst.micro_usd
        line = BatchLine(
            f"job-{number}",
            reservation.hold.reservation_id,
            reservation.prompt_tokens,
            400,
            reservation.worst.tokens,
            reservation.worst.micro_usd,
        )
        await store.save_batch(
            EnrichmentBatch(
                f"batch_{number}",
                "gpt-5.4-mini",
                f"file-{number}",
                "holder",
                100,
                clock.now + timedelta(minutes=number),
                clock.now + timedelta(hours=25),
                (line,),
            )
        )
    assert await store.take_batch("batch_0", "me", ttl_seconds=60, now=clock.now)
    assert await store.finish_batch(
        "batch_0", "me", state="completed", micro_usd=321, now=clock.now
    )

    report = await budget_report(budget)

    assert [(b["batch_id"], b["state"], b["jobs"]) for b in report["batches"]] == [
        ("batch_1", "submitted", 1),
        ("batch_0", "completed", 1),
    ]
    assert [(b["reserved_usd"], b["cost_usd"]) for b in report["batches"]] == [
        (held / 1_000_000, 0.0),
        (0.0, 0.000321),
    ]
    assert report["batches"][1]["collected_at"] == clock.now.isoformat()
