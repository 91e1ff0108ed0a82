"""The Enricher against the local OpenAI-compatible server, through the real openai SDK."""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime

import pytest

from jobping.budget import PriceTable, TokenBudget
from jobping.enrich import Enricher
from jobping.errors import EnrichmentError, EnrichmentUnavailable, MissingCredential, StoreError
from jobping.models import WorkEnvironment
from jobping.store import Store
from tests.budget import NOW, captured_logs
from tests.enrich.conftest import SECRET, MakeEnricher, MakeSettings, build_jobs
from tests.enrich.server import FakeOpenAI

pytestmark = pytest.mark.anyio

DAY, MONTH = "day:2026-11-23", "month:2026-11"


async def committed(store: Store) -> tuple[int, int]:
    """Tokens and µUSD committed today."""
    day = (await store.budget_counters([DAY], now=NOW))[DAY]
    return day.tokens_committed, day.micro_usd_committed


async def held(store: Store) -> tuple[int, int]:
    """Tokens and µUSD reserved today (live holds)."""
    day = (await store.budget_counters([DAY], now=NOW))[DAY]
    return day.tokens_reserved, day.micro_usd_reserved


async def test_one_job_is_enriched_with_structured_output_and_its_usage_committed(
    make_enricher: MakeEnricher, openai_server: FakeOpenAI, store: Store
) -> None:
    """The request is a strict json_schema call bounded by max_completion_tokens; ledger = usage."""
    job = build_jobs(1)[0]
    async with make_enricher(openai_max_output_tokens=300) as enricher:
        enriched = await enricher.enrich(job)

    request = openai_server.requests[0]
    assert request["model"] == "gpt-5.4-mini"
    assert request["max_completion_tokens"] == 300
    assert request["response_format"]["type"] == "json_schema"
    assert request["response_format"]["json_schema"]["strict"] is True
    assert isinstance(enriched.enrichment.work_environment, WorkEnvironment)
    assert enriched.enrichment.summary
    served = openai_server.served[0]
    assert served.counted_prompt_tokens > 0
    tokens, micro_usd = openai_server.billed(PriceTable.load())
    assert await committed(store) == (tokens, micro_usd) == (tokens, enriched.micro_usd)
    assert await held(store) == (0, 0)


async def test_rate_limits_are_retried_each_attempt_under_its_own_reservation(
    make_enricher: MakeEnricher, openai_server: FakeOpenAI, store: Store, sleeps: list[float]
) -> None:
    """Two 429s then an answer: three requests, Retry-After honoured, nothing held meanwhile.

    Changed by #11: each attempt reserves and settles on its own; a 429 is not billed, so
    its hold is released before the wait.
    """
    openai_server.fail_next(["rate_limit", "rate_limit"])
    held_during_waits: list[tuple[int, int]] = []

    async def record(seconds: float) -> None:
        sleeps.append(seconds)
        held_during_waits.append(await held(store))

    async with make_enricher(openai_retry_attempts=3, sleep=record) as enricher:
        await enricher.enrich(build_jobs(1)[0])

    assert len(openai_server.requests) == 3
    assert sleeps == [2.0, 2.0]  # the server's Retry-After
    assert held_during_waits == [(0, 0), (0, 0)]
    assert await held(store) == (0, 0)
    assert len(openai_server.served) == 1
    assert await committed(store) == openai_server.billed(PriceTable.load())


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({"retry-after-ms": "1500"}, 1.5),
        ({"Retry-After": "3"}, 3.0),
        ({"Retry-After": format_datetime(NOW + timedelta(seconds=7), usegmt=True)}, 7.0),
    ],
    ids=["retry-after-ms", "seconds", "http-date"],
)
async def test_every_retry_after_form_is_honoured(
    make_enricher: MakeEnricher,
    openai_server: FakeOpenAI,
    sleeps: list[float],
    headers: dict[str, str],
    wait: float,
) -> None:
    """retry-after-ms, Retry-After seconds and an HTTP-date (from the budget's clock) all count."""
    openai_server.rate_limit_headers = headers
    openai_server.fail_next(["rate_limit"])
    async with make_enricher(openai_retry_attempts=2) as enricher:
        await enricher.enrich(build_jobs(1)[0])

    assert sleeps == [wait]
    assert len(openai_server.requests) == 2


@pytest.mark.parametrize("fault", ["timeout", "server_error", "rate_limit"])
async def test_retryable_errors_are_tried_the_configured_times_only(
    make_enricher: MakeEnricher, openai_server: FakeOpenAI, store: Store, fault: str
) -> None:
    """Always failing: exactly OPENAI_RETRY_ATTEMPTS requests (the SDK adds none), each settled.

    Changed by #11: a timed-out attempt may have been billed, so each is charged its whole
    reservation; an error status (500, 429) is released.
    """
    openai_server.always = fault
    async with make_enricher(openai_retry_attempts=2, openai_timeout_seconds=0.3) as enricher:
        with pytest.raises(EnrichmentError, match="gave up after 2 attempts") as caught:
            await enricher.enrich(build_jobs(1)[0])

    # a timed-out attempt may end before the server read it (a loaded machine): then fewer
    reached = len(openai_server.requests)
    assert reached == 2 or (fault == "timeout" and 0 < reached < 2)
    assert caught.value.model == "gpt-5.4-mini"
    assert await held(store) == (0, 0)
    tokens, micro_usd = await committed(store)
    if fault == "timeout":
        assert tokens > 0
        assert micro_usd > 0
    else:
        assert (tokens, micro_usd) == (0, 0)


async def test_backoff_is_jittered_exponential_without_retry_after(
    make_enricher: MakeEnricher, openai_server: FakeOpenAI, sleeps: list[float]
) -> None:
    """No Retry-After (a 500): waits of base x 2^(n-1) x jitter (0.5 here)."""
    openai_server.fail_next(["server_error"] * 3)
    async with make_enricher(openai_retry_attempts=4) as enricher:
        await enricher.enrich(build_jobs(1)[0])

    assert sleeps == [0.5, 1.0, 2.0]


async def test_no_credit_is_terminal_and_releases_the_hold(
    make_enricher: MakeEnricher, openai_server: FakeOpenAI, store: Store
) -> None:
    """A 429 insufficient_quota is not retried: EnrichmentUnavailable, nothing held or spent."""
    openai_server.always = "no_credit"
    async with make_enricher(openai_retry_attempts=5) as enricher:
        with pytest.raises(EnrichmentUnavailable, match="insufficient_quota"):
            await enricher.enrich(build_jobs(1)[0])

    assert len(openai_server.requests) == 1
    assert await held(store) == (0, 0)
    assert await committed(store) == (0, 0)


async def test_no_credit_stops_a_batch_and_leaves_the_jobs_waiting(
    make_enricher: MakeEnricher, openai_server: FakeOpenAI, store: Store
) -> None:
    """A batch stops at the first insufficient_quota; no job is enriched or counted failed."""
    await store.upsert_jobs(build_jobs(10), seen_at=NOW)
    openai_server.always = "no_credit"
    async with make_enricher(openai_concurrency=2) as enricher:
        report = await enricher.enrich_backlog(limit=10)

    assert report.stopped is not None
    assert "insufficient_quota" in report.stopped
    assert (report.enriched, report.failed) == (0, 0)
    assert len(openai_server.requests) <= 2
    assert await store.count_jobs_needing_enrichment() == 10
    assert await held(store) == (0, 0)


async def test_an_invalid_answer_fails_that_job_only_and_is_still_paid_for(
    make_enricher: MakeEnricher, openai_server: FakeOpenAI, store: Store
) -> None:
    """One answer off the schema: that job fails (and waits again), the others are enriched."""
    await store.upsert_jobs(build_jobs(3), seen_at=NOW)
    openai_server.fail_next(["invalid"])
    async with make_enricher(openai_concurrency=1) as enricher:
        report = await enricher.enrich_backlog(limit=10)

    assert (report.enriched, report.failed, report.skipped) == (2, 1, 0)
    assert "invalid answer" in report.errors[0]
    waiting = await store.jobs_needing_enrichment(limit=10)
    assert [job.enrichment_failures for job in waiting] == [1]
    tokens, micro_usd = openai_server.billed(PriceTable.load())
    assert await committed(store) == (tokens, micro_usd)
    assert report.micro_usd == micro_usd
    assert len(openai_server.served) == 3


async def test_an_answer_without_usage_is_charged_the_worst_case(
    make_enricher: MakeEnricher, openai_server: FakeOpenAI, store: Store
) -> None:
    """A compatible server that reports no usage: the reservation's worst case is committed."""
    openai_server.always = "no_usage"
    async with make_enricher() as enricher:
        enriched = await enricher.enrich(build_jobs(1)[0])

    tokens, micro_usd = await committed(store)
    assert micro_usd == enriched.micro_usd > 0
    assert tokens > 600  # the prompt with its margin plus all of max_completion_tokens


async def test_a_rejected_key_is_terminal(
    make_enricher: MakeEnricher, openai_server: FakeOpenAI
) -> None:
    """A 401 is EnrichmentUnavailable after one request."""
    openai_server.always = "unauthorized"
    async with make_enricher() as enricher:
        with pytest.raises(EnrichmentUnavailable, match="AuthenticationError 401"):
            await enricher.enrich(build_jobs(1)[0])

    assert len(openai_server.requests) == 1


async def test_a_store_failure_stops_the_batch_with_that_error(
    make_enricher: MakeEnricher, store: Store
) -> None:
    """The store going away mid-batch raises StoreError itself, not an exception group."""
    jobs = build_jobs(3)
    await store.upsert_jobs(jobs, seen_at=NOW)
    async with make_enricher() as enricher:
        await store.close()
        with pytest.raises(StoreError, match="is closed"):
            await enricher.enrich_jobs(jobs)


async def test_a_retired_model_in_the_chain_is_warned_about(
    make_enricher: MakeEnricher,
) -> None:
    """A model whose shutdown date has passed (by the budget's clock) logs a warning."""
    prices = {"gpt-5.4-nano": {"retires": "2026-11-01"}}
    with captured_logs("jobping.enrich") as logs:
        async with make_enricher(openai_prices=prices):
            pass

    assert logs == [
        "WARNING jobping.enrich: gpt-5.4-nano was shut down on 2026-11-01: update OPENAI_MODELS"
    ]


async def test_an_enricher_needs_the_api_key(make_settings: MakeSettings, store: Store) -> None:
    """Without OPENAI_API_KEY the Enricher is not built: MissingCredential names the key."""
    settings = make_settings(openai_api_key=None)
    with pytest.raises(MissingCredential, match="OPENAI_API_KEY"):
        Enricher(settings, store, TokenBudget.from_settings(settings, store))
    assert SECRET not in repr(settings)
