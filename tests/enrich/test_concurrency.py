"""Many calls at once, in one process and in four: committed spend never passes the limit.

The local server answers each call with random real usage up to the worst case; the daily
cost limit allows about half of what all the calls would cost. The ledger must then hold
exactly what the server billed, never more than the limit, and nothing left reserved.
"""

from __future__ import annotations

import json
import os

import pytest

from jobping.budget import PriceTable, count_chat_tokens
from jobping.enrich import RESPONSE_FORMAT, build_messages
from jobping.store import Store
from tests.budget import NOW
from tests.enrich.conftest import SECRET, MakeEnricher, build_jobs
from tests.enrich.server import FakeOpenAI
from tests.helpers import opened_store
from tests.processes import run_workers

pytestmark = pytest.mark.anyio

MODEL = "gpt-5.4-mini"
MAX_OUTPUT = 600
DAY = "day:2026-11-23"
WORKER = ["-m", "tests.enrich._worker"]  # one slice of the backlog, see its docstring


def half_of_the_calls_usd(calls: int) -> float:
    """A daily cost limit worth about half of ``calls`` average calls (prompt + mean output)."""
    job = build_jobs(1)[0]
    messages = build_messages(job, description_token_cap=1_500, model=MODEL)
    prompt = count_chat_tokens(messages, MODEL, RESPONSE_FORMAT)
    price = PriceTable.load().price(MODEL)
    mean_micro_usd = price.cost_micro_usd(prompt, 0, MAX_OUTPUT // 2)
    return calls / 2 * mean_micro_usd / 1_000_000


async def assert_ledger_matches(store: Store, server: FakeOpenAI, limit_usd: float) -> None:
    """The ledger holds exactly what the server billed, within the limit, nothing held."""
    day = (await store.budget_counters([DAY], now=NOW))[DAY]
    tokens, micro_usd = server.billed(PriceTable.load())
    assert (day.tokens_committed, day.micro_usd_committed) == (tokens, micro_usd)
    assert micro_usd <= limit_usd * 1_000_000
    assert (day.tokens_reserved, day.micro_usd_reserved) == (0, 0)
    for served in server.served:  # usage was random, up to the worst case
        assert served.completion_tokens <= served.max_completion_tokens


async def test_200_concurrent_calls_never_pass_the_daily_cost_limit(
    make_enricher: MakeEnricher, openai_server: FakeOpenAI, store: Store
) -> None:
    """200 jobs enriched at once against a limit for about 100: ledger = usage <= limit."""
    limit_usd = half_of_the_calls_usd(200)
    await store.upsert_jobs(build_jobs(200), seen_at=NOW)
    enricher = make_enricher(
        openai_models=[MODEL],
        openai_max_output_tokens=MAX_OUTPUT,
        openai_daily_cost_limit=limit_usd,
        openai_concurrency=200,
    )
    async with enricher:
        report = await enricher.enrich_backlog(limit=200)

    assert report.failed == 0
    assert report.enriched + report.skipped == 200
    assert report.enriched == len(openai_server.served) > 0
    assert report.skipped > 0
    assert await store.count_jobs_needing_enrichment() == report.skipped
    await assert_ledger_matches(store, openai_server, limit_usd)


@pytest.mark.slow
async def test_four_processes_sharing_one_store_never_pass_the_limit(
    openai_server: FakeOpenAI, store: Store, db_url: str
) -> None:
    """Four OS processes enrich 50 jobs each at once on one SQLite file: ledger = usage <= limit."""
    limit_usd = half_of_the_calls_usd(200)
    await store.upsert_jobs(build_jobs(200), seen_at=NOW)
    env = dict(os.environ) | {
        "DATABASE_URL": db_url,
        "OPENAI_API_KEY": SECRET,
        "OPENAI_BASE_URL": openai_server.base_url,
        "OPENAI_MODELS": json.dumps([MODEL]),
        "OPENAI_MAX_OUTPUT_TOKENS": str(MAX_OUTPUT),
        "OPENAI_DAILY_COST_LIMIT": repr(limit_usd),
        "OPENAI_CONCURRENCY": "50",
    }

    slices = [[str(n), str(n + 50)] for n in range(0, 200, 50)]
    reports = await run_workers(WORKER, slices, env=env, seconds=90)

    assert [report["jobs"] for report in reports] == [50] * 4
    assert sum(report["failed"] for report in reports) == 0
    enriched = sum(report["enriched"] for report in reports)
    assert enriched + sum(report["skipped"] for report in reports) == 200
    assert enriched == len(openai_server.served) > 0
    await assert_ledger_matches(store, openai_server, limit_usd)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def shared_url(request: pytest.FixtureRequest, db_url: str) -> str:
    """A fresh database of each backend that several processes share."""
    if request.param == "sqlite":
        return db_url
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.mark.slow
async def test_four_enrich_processes_pay_for_each_job_once(
    openai_server: FakeOpenAI, shared_url: str
) -> None:
    """Regression #11: four processes draining one backlog enrich 120 jobs with 120 paid calls.

    Before claims, each process took the newest jobs of the backlog: most calls bought a
    job another process had already paid for.
    """
    async with opened_store(shared_url) as store:
        await store.upsert_jobs(build_jobs(120, words=40), seen_at=NOW)
    env = dict(os.environ) | {
        "DATABASE_URL": shared_url,
        "OPENAI_API_KEY": SECRET,
        "OPENAI_BASE_URL": openai_server.base_url,
        "OPENAI_MODELS": json.dumps([MODEL]),
        "OPENAI_MAX_OUTPUT_TOKENS": str(MAX_OUTPUT),
        "OPENAI_CONCURRENCY": "8",
        "OPENAI_DAILY_TOKEN_LIMIT": "10000000",
    }

    reports = await run_workers(WORKER, [["backlog", "10"]] * 4, env=env, seconds=120)

    asked = [request["messages"][-1]["content"] for request in openai_server.requests]
    assert sum(report["failed"] + report["skipped"] for report in reports) == 0
    assert sum(report["enriched"] for report in reports) == 120
    assert len(openai_server.requests) == len(openai_server.served) == 120
    assert len(set(asked)) == 120  # no job was paid for twice
    async with opened_store(shared_url) as store:
        assert await store.count_jobs_needing_enrichment() == 0
        await assert_ledger_matches(store, openai_server, limit_usd=10.0)
        assert (
            sum(report["micro_usd"] for report in reports)
            == openai_server.billed(PriceTable.load())[1]
        )
