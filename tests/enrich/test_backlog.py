"""Fallback down the chain as the budget runs out, the backlog, and ``jobping enrich``."""

from __future__ import annotations

import json

import anyio
import pytest

from jobping.budget import TokenBudget, Usage
from jobping.services import enrich_backlog
from jobping.settings import Settings
from jobping.store import Store
from jobping.testing import FakeClock
from tests.enrich.conftest import MakeSettings, build_jobs
from tests.enrich.server import FakeOpenAI
from tests.helpers import run_main

pytestmark = pytest.mark.anyio

CHAIN = ["gpt-5.4", "gpt-5.4-mini", "gpt-5.4-nano"]


async def spend_usd(settings: Settings, store: Store, clock: FakeClock, usd: float) -> None:
    """Commit ``usd`` of gpt-5.4 usage today, as earlier calls would have."""
    budget = TokenBudget.from_settings(settings, store, clock=clock)
    tokens = round(usd * 1_000_000 / 2.5)  # gpt-5.4 input: $2.50 per 1M
    reservation = await budget.reserve("gpt-5.4", tokens, 0)
    assert reservation is not None
    await budget.commit(reservation, Usage(tokens, 0))


async def test_calls_move_down_the_chain_then_stop_and_resume_the_next_day(
    make_settings: MakeSettings, openai_server: FakeOpenAI, store: Store, clock: FakeClock
) -> None:
    """70 % spent: gpt-5.4, then mini past 80 %, nano past 95 %, then skips; next day, the rest."""
    settings = make_settings(
        openai_models=CHAIN,
        openai_daily_cost_limit=0.1,
        openai_daily_token_limit=1_000_000,
        openai_concurrency=1,
    )
    await store.upsert_jobs(build_jobs(40), seen_at=clock.now)
    await spend_usd(settings, store, clock, 0.07)

    first = await enrich_backlog(settings, limit=40, clock=clock)

    used = openai_server.models
    assert used == sorted(used, key=CHAIN.index)
    assert set(used) == set(CHAIN)
    assert first["skipped"] > 0
    assert first["enriched"] + first["skipped"] == 40
    assert first["backlog"] == first["skipped"]
    day = (await store.budget_counters(["day:2026-11-23"], now=clock.now))["day:2026-11-23"]
    assert day.micro_usd_committed <= 100_000

    clock.advance(days=1)
    openai_server.requests.clear()
    second = await enrich_backlog(settings, limit=40, clock=clock)

    assert second["enriched"] == first["skipped"]
    assert second["backlog"] == 0
    assert openai_server.models[0] == "gpt-5.4"


async def test_without_fallback_only_the_first_model_is_called(
    make_settings: MakeSettings, openai_server: FakeOpenAI, store: Store, clock: FakeClock
) -> None:
    """OPENAI_ENABLE_FALLBACK=false: the strong model until it no longer fits, never another."""
    settings = make_settings(
        openai_models=CHAIN,
        openai_enable_fallback=False,
        openai_daily_cost_limit=0.05,
        openai_concurrency=1,
    )
    await store.upsert_jobs(build_jobs(20), seen_at=clock.now)

    report = await enrich_backlog(settings, limit=20, clock=clock)

    assert set(openai_server.models) == {"gpt-5.4"}
    assert report["skipped"] > 0


async def test_jobping_enrich_json_reports_the_run(
    *,
    make_settings: MakeSettings,
    openai_server: FakeOpenAI,
    store: Store,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`jobping enrich --limit 3 --json`: three jobs enriched, the backlog left, exit 0."""
    settings = make_settings()
    await store.upsert_jobs(build_jobs(5), seen_at=clock.now)
    for name in ("database_url", "openai_base_url"):
        monkeypatch.setenv(name.upper(), str(getattr(settings, name)))
    monkeypatch.setenv("OPENAI_API_KEY", "sk-cli-test-key")

    code = await anyio.to_thread.run_sync(run_main, ["enrich", "--limit", "3", "--json"])

    out, err = capsys.readouterr()
    assert code == 0, err
    report = json.loads(out)
    assert (report["enriched"], report["backlog"]) == (3, 2)
    assert report["by_model"] == {"gpt-5.4-mini": 3}


def test_jobping_enrich_without_a_key_says_so(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db_url: str
) -> None:
    """No OPENAI_API_KEY: exit 2 (configuration, as README's exit codes say), naming it.

    Updated on h-llm: MissingCredential maps to ExitCode.CONFIG since the h-core merge.
    """
    monkeypatch.setenv("DATABASE_URL", db_url)

    code = run_main(["enrich"])

    assert code == 2
    assert "OPENAI_API_KEY is not set" in capsys.readouterr().err
