"""A server reporting more prompt tokens than we count (#11): seen, warned, learnt from."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from jobping.budget import TokenBudget, count_chat_tokens
from jobping.enrich import RESPONSE_FORMAT, build_messages
from jobping.store import Store
from jobping.testing import FakeClock
from tests.budget import NOW
from tests.enrich.conftest import MakeEnricher, MakeSettings, build_jobs
from tests.enrich.server import FakeOpenAI

pytestmark = pytest.mark.anyio

MODEL = "gpt-5.4-mini"
MAX_OUTPUT = 600


async def day_totals(store: Store, day: date) -> tuple[int, int, int]:
    """Calls, overshoots and µUSD committed on ``day``."""
    totals = await store.budget_usage_by_day(day, day)
    if not totals:
        return 0, 0, 0
    return totals[0].calls, totals[0].overshoots, totals[0].micro_usd


async def test_ten_times_the_prompt_is_an_overshoot_once_then_reserved_for(
    make_enricher: MakeEnricher,
    make_settings: MakeSettings,
    openai_server: FakeOpenAI,
    store: Store,
    *,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Regression #11: usage past the hold is recorded and warned; the next day stays in limit.

    Before, every call reserved the estimate and committed ten times the prompt: the ledger
    ran far past the limit, day after day.
    """
    openai_server.prompt_factor = 10
    jobs = build_jobs(80)
    await store.upsert_jobs(jobs, seen_at=NOW)
    prompt = count_chat_tokens(
        build_messages(jobs[0], description_token_cap=1_500, model=MODEL), MODEL, RESPONSE_FORMAT
    )
    one_call = TokenBudget.from_settings(make_settings(), store).worst_case(
        MODEL, prompt, MAX_OUTPUT
    )
    limit_micro_usd = 12 * one_call.micro_usd  # room for 12 calls as we estimate them
    enricher = make_enricher(
        openai_models=[MODEL],
        openai_max_output_tokens=MAX_OUTPUT,
        openai_concurrency=1,
        openai_daily_cost_limit=limit_micro_usd / 1_000_000,
    )

    with caplog.at_level("WARNING", logger="jobping.budget"):
        async with enricher:
            first = await enricher.enrich_backlog(limit=40)
            clock.now = NOW + timedelta(days=1)
            second = await enricher.enrich_backlog(limit=40)

    day_one = await day_totals(store, NOW.date())
    day_two = await day_totals(store, (NOW + timedelta(days=1)).date())
    assert first.enriched > 0
    assert first.skipped > 0  # the day's limit was reached
    assert day_one[1] >= 1  # the first call's usage passed its hold: recorded ...
    assert "used more than its reservation" in caplog.text  # ... and warned
    assert second.enriched > 0
    assert day_two[1] == 0  # the next day, every hold covered what was reported
    assert day_two[2] <= limit_micro_usd
    assert (await store.prompt_token_ratios())[MODEL] == pytest.approx(10, rel=0.01)
