"""The Batch API path (#11): submit, restart, collect; the ledger equals the sandbox's bill.

The real SDK talks to the sandbox's OpenAI-compatible server (files and batches), each
"process" is its own store connection and Enricher on one database, and the sandbox's
completion delay runs on the test's fake clock.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import anyio
import pytest

from jobping.budget import PriceTable, TokenBudget
from jobping.enrich import Enricher, EnrichReport
from jobping.sandbox import Sandbox, serve_sandbox
from jobping.settings import Settings, load_settings
from jobping.store import BatchLine, EnrichmentBatch, Store
from jobping.testing import FakeClock
from tests.budget import NOW
from tests.enrich.conftest import build_jobs
from tests.helpers import opened_store, run_main

pytestmark = pytest.mark.anyio

MODEL = "gpt-5.4-mini"
JOBS = 12
DELAY = 6 * 3600.0
DAY = f"day:{NOW.date().isoformat()}"


@pytest.fixture
async def sandbox(clock: FakeClock) -> AsyncIterator[Sandbox]:
    """The sandbox, its batches finished 6 hours (of the fake clock) after they are created."""
    async with serve_sandbox() as served:
        served.chat.batches.clock = clock.monotonic
        served.chat.batches.delay_seconds = DELAY
        yield served


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, db_url: str) -> str:
    """A fresh database of each backend, shared by the "processes" of a test."""
    if request.param == "sqlite":
        return db_url
    postgres: str = request.getfixturevalue("postgres_url")
    return postgres


def settings_for(sandbox: Sandbox, url: str) -> Settings:
    """Settings on the sandbox's OpenAI endpoint, one model, the shared database."""
    settings = sandbox.apply(load_settings(env_file=None, database_url=url))
    return settings.model_copy(update={"openai_models": [MODEL]})


async def enrich(
    settings: Settings, url: str, clock: FakeClock, *, batch: bool, limit: int = JOBS
) -> EnrichReport:
    """One ``jobping enrich`` process: its own store and Enricher, then closed."""
    async with opened_store(url) as store:
        budget = TokenBudget.from_settings(settings, store, clock=clock)
        async with Enricher(settings, store, budget, batch=batch) as enricher:
            return await enricher.enrich_backlog(limit=limit)


async def ledger(store: Store) -> tuple[int, int, int]:
    """µUSD committed today, µUSD still held, calls recorded."""
    day = (await store.budget_counters([DAY], now=NOW))[DAY]
    calls = sum(t.calls for t in await store.budget_usage_by_model(NOW.date(), NOW.date()))
    return day.micro_usd_committed, day.micro_usd_reserved, calls


def server_bill(sandbox: Sandbox, *, batch: bool = True) -> int:
    """What the sandbox billed for its batch lines, per line rounded up as the ledger does."""
    prices = PriceTable.load()
    total = 0
    for usage in sandbox.chat.batches.billed:
        price = prices.price(usage.model)
        price = price.at_batch_rates() if batch else price
        total += price.cost_micro_usd(
            usage.prompt_tokens,
            usage.cached_tokens,
            usage.completion_tokens,
            reasoning_tokens=usage.reasoning_tokens,
        )
    return total


async def the_batch(store: Store) -> EnrichmentBatch:
    """The one batch of the store."""
    (batch,) = await store.enrichment_batches()
    return batch


async def test_submit_restart_collect_commits_exactly_the_servers_bill(
    sandbox: Sandbox, url: str, clock: FakeClock
) -> None:
    """Submit, a sync process finding every job claimed, a restart, collect: ledger == bill.

    Fails without the batch path (no batch, the jobs enriched synchronously), with holds
    or claims that end before the batch does, or with standard prices committed.
    """
    settings = settings_for(sandbox, url)
    async with opened_store(url) as store:
        await store.upsert_jobs(build_jobs(JOBS, words=40), seen_at=NOW)

    submitted = await enrich(settings, url, clock, batch=True)
    assert (submitted.submitted, submitted.batches_in_flight, submitted.enriched) == (JOBS, 1, 0)
    async with opened_store(url) as store:
        committed, held, calls = await ledger(store)
        batch = await the_batch(store)
    assert (committed, calls) == (0, 0)
    assert held == batch.reserved_micro_usd > 0  # the worst case of every line, held
    assert batch.state == "submitted" and len(batch.lines) == JOBS

    clock.advance(hours=2)  # past the synchronous claims' 30 minutes, inside the batch's day
    sync = await enrich(settings, url, clock, batch=False)
    assert (sync.enriched, sync.batches_in_flight, sandbox.chat.requests) == (0, 1, 0)

    clock.advance(DELAY)
    collected = await enrich(settings, url, clock, batch=False)  # a new process collects
    assert (collected.enriched, collected.failed, collected.batches_in_flight) == (JOBS, 0, 0)
    async with opened_store(url) as store:
        committed, held, calls = await ledger(store)
        batch = await the_batch(store)
        backlog = await store.count_jobs_needing_enrichment()
        enriched = await store.get_job("job-0000")
    bill = server_bill(sandbox)
    assert (committed, held, calls) == (bill, 0, JOBS)
    assert (batch.state, batch.micro_usd, backlog) == ("completed", bill, 0)
    assert collected.micro_usd == bill
    assert enriched is not None and enriched.enrichment_model == MODEL
    assert bill * 2 - JOBS <= server_bill(sandbox, batch=False) <= bill * 2  # half price


async def test_a_batch_still_running_is_left_in_flight_and_its_jobs_claimed(
    sandbox: Sandbox, db_url: str, clock: FakeClock
) -> None:
    """Before the sandbox finishes it, collecting reads the batch and settles nothing."""
    settings = settings_for(sandbox, db_url)
    async with opened_store(db_url) as store:
        await store.upsert_jobs(build_jobs(JOBS, words=40), seen_at=NOW)
    await enrich(settings, db_url, clock, batch=True)
    clock.advance(DELAY / 2)
    again = await enrich(settings, db_url, clock, batch=True)
    assert (again.submitted, again.enriched, again.batches_in_flight) == (0, 0, 1)
    async with opened_store(db_url) as store:
        probe = await store.claim_enrichment("probe", limit=JOBS, ttl_seconds=1, now=clock())
        assert probe == []  # every job is claimed by the batch
        assert (await the_batch(store)).state == "submitted"


async def test_two_collectors_at_once_commit_the_batch_once(
    sandbox: Sandbox, url: str, clock: FakeClock
) -> None:
    """Two processes collecting one finished batch: one takes it, every line charged once."""
    settings = settings_for(sandbox, url)
    async with opened_store(url) as store:
        await store.upsert_jobs(build_jobs(JOBS, words=40), seen_at=NOW)
    await enrich(settings, url, clock, batch=True)
    clock.advance(DELAY)
    reports: list[EnrichReport] = []

    async def collect() -> None:
        reports.append(await enrich(settings, url, clock, batch=False, limit=0))

    async with anyio.create_task_group() as group:
        group.start_soon(collect)
        group.start_soon(collect)

    assert sorted(report.enriched for report in reports) == [0, JOBS]
    async with opened_store(url) as store:
        committed, held, calls = await ledger(store)
        batch = await the_batch(store)
    assert (committed, held, calls) == (server_bill(sandbox), 0, JOBS)
    assert batch.micro_usd == committed


@pytest.mark.parametrize(("outcome", "run"), [("expired", JOBS // 2), ("failed", 0)])
async def test_an_expired_or_failed_batch_commits_what_ran_and_releases_the_rest(
    sandbox: Sandbox, db_url: str, clock: FakeClock, outcome: str, run: int
) -> None:
    """What the output file bills is committed; the rest's holds and claims are released."""
    settings = settings_for(sandbox, db_url)
    sandbox.chat.batches.outcome = outcome
    async with opened_store(db_url) as store:
        await store.upsert_jobs(build_jobs(JOBS, words=40), seen_at=NOW)
    await enrich(settings, db_url, clock, batch=True)
    clock.advance(DELAY)
    report = await enrich(settings, db_url, clock, batch=False, limit=0)  # collect only
    async with opened_store(db_url) as store:
        committed, held, calls = await ledger(store)
        batch = await the_batch(store)
        backlog = await store.count_jobs_needing_enrichment()
    assert len(sandbox.chat.batches.billed) == run
    assert (committed, held, calls) == (server_bill(sandbox), 0, run)
    assert (batch.state, report.failed, report.enriched) == (outcome, 0, run)
    assert backlog == JOBS - run  # the jobs never run are back in the backlog, unclaimed
    async with opened_store(db_url) as store:
        again = await store.claim_enrichment("probe", limit=JOBS, ttl_seconds=1, now=clock())
    assert len(again) == JOBS - run


async def test_submitting_past_the_budget_sends_only_what_fits(
    sandbox: Sandbox, db_url: str, clock: FakeClock
) -> None:
    """The budget refuses the lines past its limit: they stay in the backlog, unclaimed."""
    settings = settings_for(sandbox, db_url)
    async with opened_store(db_url) as store:
        await store.upsert_jobs(build_jobs(JOBS, words=40), seen_at=NOW)
        budget = TokenBudget.from_settings(settings, store, clock=clock)
        worst = budget.worst_case(MODEL, 400, settings.openai_max_output_tokens, batch=True)
    tight = settings.model_copy(update={"openai_daily_token_limit": worst.tokens * 5})
    report = await enrich(tight, db_url, clock, batch=True)
    assert 0 < report.submitted < JOBS
    assert report.submitted + report.skipped == JOBS
    async with opened_store(db_url) as store:
        free = await store.claim_enrichment("probe", limit=JOBS, ttl_seconds=1, now=clock())
    assert len(free) == report.skipped


async def test_the_batch_requests_are_the_synchronous_ones(
    sandbox: Sandbox, db_url: str, clock: FakeClock
) -> None:
    """Each JSONL line carries the sync path's body: model, strict schema, output cap."""
    settings = settings_for(sandbox, db_url)
    async with opened_store(db_url) as store:
        await store.upsert_jobs(build_jobs(2, words=40), seen_at=NOW)
    await enrich(settings, db_url, clock, batch=True)
    (data,) = sandbox.chat.batches.files.values()
    lines: list[dict[str, Any]] = [json.loads(line) for line in data.decode().splitlines()]
    assert sorted(line["custom_id"] for line in lines) == ["job-0000", "job-0001"]
    body = lines[0]["body"]
    assert body["model"] == MODEL
    assert body["response_format"]["json_schema"]["strict"] is True
    assert body["max_completion_tokens"] == settings.openai_max_output_tokens


async def test_a_batch_is_taken_by_one_collector_until_its_take_expires(
    url: str, clock: FakeClock
) -> None:
    """The store's compare-and-set: one live take at a time, finished only by its taker."""
    line = BatchLine("job-0000", "r-1", 100, 90, 700, 1_000)
    batch = EnrichmentBatch(
        "batch_x", MODEL, "file-x", "holder", 600, NOW, NOW + timedelta(hours=25), (line,)
    )
    async with opened_store(url) as store:
        await store.save_batch(batch)
        assert await store.take_batch("batch_x", "a", ttl_seconds=60, now=NOW)
        assert not await store.take_batch("batch_x", "b", ttl_seconds=60, now=NOW)
        later = NOW + timedelta(seconds=61)
        assert await store.take_batch("batch_x", "b", ttl_seconds=60, now=later)  # a crashed
        assert not await store.finish_batch(
            "batch_x", "a", state="completed", micro_usd=5, now=later
        )
        assert await store.finish_batch("batch_x", "b", state="expired", micro_usd=5, now=later)
        assert not await store.take_batch("batch_x", "c", ttl_seconds=60, now=later)
        (stored,) = await store.enrichment_batches()
        assert await store.enrichment_batches(open_only=True) == []
    assert (stored.state, stored.micro_usd, stored.collected_at) == ("expired", 5, later)
    assert stored.lines == (line,)
    assert stored.submitted_at == NOW


async def test_jobping_enrich_batch_then_budget_then_enrich_collects(
    sandbox: Sandbox,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`enrich --batch` sends, `budget` shows it in flight and held, `enrich` collects it."""
    async with opened_store(db_url) as store:
        await store.upsert_jobs(build_jobs(4, words=40), seen_at=NOW)
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("OPENAI_BASE_URL", sandbox.openai_base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-cli-test-key")
    monkeypatch.setenv("OPENAI_MODELS", json.dumps([MODEL]))

    async def cli(*argv: str) -> dict[str, Any]:
        code = await anyio.to_thread.run_sync(run_main, [*argv, "--json"])
        out, err = capsys.readouterr()
        assert code == 0, err
        report: dict[str, Any] = json.loads(out)
        return report

    sent = await cli("enrich", "--batch", "--limit", "4")
    assert (sent["submitted"], sent["batches_in_flight"], sent["enriched"]) == (4, 1, 0)
    (flying,) = (await cli("budget"))["batches"]
    assert (flying["state"], flying["jobs"], flying["cost_usd"]) == ("submitted", 4, 0.0)
    assert flying["reserved_usd"] > 0

    sandbox.chat.batches.delay_seconds = 0.0
    collected = await cli("enrich", "--limit", "1")
    assert (collected["enriched"], collected["backlog"], collected["batches_in_flight"]) == (
        4,
        0,
        0,
    )
    report = await cli("budget")
    (done,) = report["batches"]
    assert done["state"] == "completed"
    assert done["cost_usd"] == report["today"]["cost_usd"]["used"] == collected["cost_usd"] > 0
    assert report["today"]["cost_usd"]["reserved"] == 0


@pytest.mark.parametrize(("fault", "charged"), [("error", False), ("lost", True)])
async def test_a_batch_not_recorded_is_released_or_charged_as_a_lost_answer(
    sandbox: Sandbox, db_url: str, clock: FakeClock, fault: str, charged: bool
) -> None:
    """Refused: holds and claims released. Created with its answer lost: every hold charged.

    Fails if a batch that may exist (its create timed out) is released: the provider
    would bill it with nothing in the ledger.
    """
    sandbox.chat.batches.create_fault = fault
    settings = settings_for(sandbox, db_url).model_copy(update={"openai_timeout_seconds": 0.5})
    async with opened_store(db_url) as store:
        await store.upsert_jobs(build_jobs(3, words=40), seen_at=NOW)
    report = await enrich(settings, db_url, clock, batch=True)
    async with opened_store(db_url) as store:
        committed, held, calls = await ledger(store)
        free = await store.claim_enrichment("probe", limit=3, ttl_seconds=1, now=clock())
        lost = await store.budget_usage_by_model(NOW.date(), NOW.date())
    assert (report.submitted, len(free), held) == (0, 3, 0)
    assert report.errors and report.errors[0].startswith("batch not submitted")
    assert (committed > 0, calls) == (charged, 3 if charged else 0)
    assert report.micro_usd == committed
    if charged:
        assert [total.lost_calls for total in lost] == [3]


async def test_an_invalid_answer_in_a_batch_is_charged_and_counts_a_failure(
    sandbox: Sandbox, db_url: str, clock: FakeClock
) -> None:
    """Answers cut at max_completion_tokens: billed, committed, each job one failure more."""
    settings = settings_for(sandbox, db_url).model_copy(update={"openai_max_output_tokens": 16})
    async with opened_store(db_url) as store:
        await store.upsert_jobs(build_jobs(3, words=40), seen_at=NOW)
    await enrich(settings, db_url, clock, batch=True)
    clock.advance(DELAY)
    report = await enrich(settings, db_url, clock, batch=False, limit=0)
    async with opened_store(db_url) as store:
        committed, held, calls = await ledger(store)
        stored = await store.get_job("job-0000")
        batch = await the_batch(store)
    assert (report.enriched, report.failed, len(report.errors)) == (0, 3, 3)
    assert "cut at max_completion_tokens" in report.errors[0]
    assert (committed, held, calls) == (server_bill(sandbox), 0, 3)
    assert committed > 0 and batch.micro_usd == committed
    assert stored is not None and stored.enrichment_failures == 1
