"""One scraper's failure, hang, garbage or skip never fails or stalls the run (invariant 5)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
import anyio.lowlevel
import pytest

from jobping.models import RunStatus
from jobping.orchestrator import Orchestrator, RunReport, ScraperReport, TierReport
from jobping.scraping import ScrapeContext, Scraper, Target
from jobping.store import BreakerSnapshot, QuotaWindow, Store
from tests.orchestrator.conftest import SettingsFactory
from tests.orchestrator.fakes import Board, Garbage, Hanging, Raising, Requesting, job, make
from tests.servers import hostile_server

pytestmark = pytest.mark.anyio

SENTINEL = "sk-isolation-SENTINEL-77aa88bb"


async def run(settings: Any, store: Store, scrapers: list[Scraper], **kwargs: Any) -> RunReport:
    """One orchestrated run of ``scrapers``."""
    return await Orchestrator(settings, store, scrapers=scrapers, **kwargs).run()


def by_name(report: RunReport) -> dict[str, ScraperReport]:
    """The scraper reports by name."""
    return {scraper.name: scraper for scraper in report.scrapers}


async def test_a_raising_scraper_fails_alone_and_its_error_is_redacted(
    make_settings: SettingsFactory, store: Store
) -> None:
    """The crash is reported (no secret in it), its flushed job kept, the others unharmed."""
    settings = make_settings(run_min_jobs=0, reed_api_key=SENTINEL)
    scrapers = [make(Board, "good", jobs=3), make(Raising, "crashy", secret=SENTINEL)]

    report = await run(settings, store, scrapers)

    good, crashy = by_name(report)["good"], by_name(report)["crashy"]
    assert (good.status, good.new) == ("ok", 3)
    assert (crashy.status, crashy.new) == ("failed", 1)
    assert crashy.errors == ["t1: RuntimeError: boom while using key [REDACTED]"]
    assert (report.status, report.reason) == (RunStatus.DEGRADED, "scrapers failed: crashy")
    assert await store.count_jobs() == 4
    assert SENTINEL not in str(report.to_dict())


async def test_a_hanging_scraper_is_cancelled_at_its_timeout(
    make_settings: SettingsFactory, store: Store
) -> None:
    """A scraper that never finishes fails with a timeout; the run goes on and ends."""
    settings = make_settings(run_min_jobs=0, run_scraper_timeout_seconds=0.2)
    scrapers = [make(Hanging, "stuck", targets=("a", "b")), make(Board, "good")]

    with anyio.fail_after(30):
        report = await run(settings, store, scrapers)

    stuck = by_name(report)["stuck"]
    assert stuck.status == "failed"
    assert stuck.errors == ["a: timed out after 0.2s", "b: timed out after 0.2s"]
    assert (stuck.found, stuck.new) == (2, 2)
    assert by_name(report)["good"].status == "ok"
    assert await store.count_jobs() == 5


async def test_garbage_is_counted_invalid_and_the_good_jobs_are_kept(
    make_settings: SettingsFactory, store: Store
) -> None:
    """Five unusable items are invalid, a repeat is a duplicate, two jobs are stored."""
    report = await run(make_settings(run_min_jobs=0), store, [make(Garbage, "messy")])

    messy = by_name(report)["messy"]
    assert (messy.status, messy.found, messy.invalid, messy.duplicates, messy.new) == (
        "ok",
        3,
        5,
        1,
        2,
    )
    assert report.status is RunStatus.SUCCESS
    assert await store.count_jobs() == 2


async def test_a_missing_credential_skips_the_scraper_without_failing_the_run(
    make_settings: SettingsFactory, store: Store
) -> None:
    """A scraper whose key is unset is skipped with the env var's name; the run succeeds."""
    keyed = make(Board, "keyed", credentials=("reed_api_key",), targets=("x", "y"))
    report = await run(make_settings(run_min_jobs=3), store, [keyed, make(Board, "good")])

    skipped = by_name(report)["keyed"]
    assert (skipped.status, skipped.reason) == ("skipped", "x: REED_API_KEY is not set")
    assert dict(skipped.outcomes) == {"skipped": 2}
    assert report.status is RunStatus.SUCCESS
    assert report.totals()["scrapers_skipped"] == 1


async def test_an_exhausted_quota_is_a_skip_not_a_failure(
    make_settings: SettingsFactory, store: Store
) -> None:
    """A domain whose daily quota is spent refuses before any request: reported as skipped."""
    settings = make_settings(run_min_jobs=0, http_domains={"quota.invalid": {"daily_quota": 1}})
    today = f"day:{datetime.now(UTC):%Y-%m-%d}"
    await store.consume_quota("quota.invalid", [QuotaWindow(today, 1)], 1, now=datetime.now(UTC))
    spent = make(Requesting, "spent", url="https://quota.invalid/jobs")

    report = await run(settings, store, [spent, make(Board, "good")])

    result = by_name(report)["spent"]
    assert result.status == "skipped"
    assert result.reason is not None
    assert "quota.invalid: day request quota exhausted" in result.reason
    assert (result.requests, result.errors) == (0, [])
    assert report.status is RunStatus.SUCCESS


async def test_an_open_breaker_is_a_skip_not_a_failure(
    make_settings: SettingsFactory, store: Store
) -> None:
    """A domain whose persisted breaker is open refuses at once: reported as skipped."""
    retry_at = datetime.now(UTC) + timedelta(hours=1)
    await store.save_breaker(
        BreakerSnapshot("down.invalid", "open", 5, datetime.now(UTC), retry_at, 3600.0)
    )
    down = make(Requesting, "down", url="https://down.invalid/jobs")

    report = await run(make_settings(run_min_jobs=0), store, [down])

    result = by_name(report)["down"]
    assert result.status == "skipped"
    assert result.reason is not None
    assert "down.invalid: circuit open until" in result.reason
    assert report.status is RunStatus.SUCCESS


async def test_a_long_retry_after_skips_the_source_in_this_run_and_the_next_issue_12(
    make_settings: SettingsFactory, store: Store
) -> None:
    """Retry-After 3600: one request, skipped with the reason, this run and the next (#12).

    Invariant 6 holds: the skipped source's stale job stays active.
    """
    await store.upsert_jobs(
        [job("limited", "stale")], seen_at=datetime.now(UTC) - timedelta(days=30)
    )
    settings = make_settings(run_min_jobs=0, run_stale_after_days=3)
    async with hostile_server() as server:
        url = server.url("/status/429?retry_after=3600")
        reports = [
            await run(settings, store, [make(Requesting, "limited", url=url)]) for _ in range(2)
        ]
        received = server.total_requests

    assert received == 1
    for report in reports:
        result = by_name(report)["limited"]
        assert (result.status, result.errors) == ("skipped", [])
        assert result.reason is not None
        assert f"{server.domain}: rate-limited until" in result.reason
        assert "(Retry-After 3600s, longer than the retry cap)" in result.reason
        assert (report.status, report.deactivated) == (RunStatus.SUCCESS, {})
    assert [by_name(report)["limited"].requests for report in reports] == [1, 0]
    assert await store.count_jobs(active_only=True) == 1


class Counting(Board):
    """Counts how many of its targets run at once (a class-wide gauge)."""

    active = 0
    peak = 0

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> Any:
        """Hold the slot for a few scheduling rounds, yielding one job."""
        cls = Counting
        cls.active += 1
        cls.peak = max(cls.peak, cls.active)
        for _ in range(5):
            await anyio.lowlevel.checkpoint()
        cls.active -= 1
        yield job(self.source, target.value)


async def test_the_run_works_on_at_most_run_concurrency_targets(
    make_settings: SettingsFactory, store: Store
) -> None:
    """Nine targets over three scrapers, two slots: never more than two at once."""
    Counting.active = Counting.peak = 0
    scrapers = [make(Counting, f"c{n}", targets=("a", "b", "c")) for n in range(3)]

    report = await run(make_settings(run_min_jobs=0, run_concurrency=2), store, scrapers)

    assert Counting.peak == 2
    assert report.totals()["new"] == 9


async def test_a_dry_run_writes_nothing_and_takes_no_lease(
    make_settings: SettingsFactory, store: Store
) -> None:
    """--no-store: counts as usual, but no job, run record or lease is written."""
    await store.acquire_lease("run", "someone-else", ttl_seconds=60, now=datetime.now(UTC))

    report = await run(make_settings(run_min_jobs=0), store, [make(Board, "b")], dry_run=True)

    assert (report.dry_run, report.totals()["new"]) == (True, 3)
    assert await store.count_jobs() == 0
    assert await store.recent_runs() == []


async def test_a_failing_observer_never_fails_the_run(
    make_settings: SettingsFactory, store: Store
) -> None:
    """The progress display raising is logged; the run and its counts are unaffected."""
    seen: list[str] = []

    def observer(report: TierReport | ScraperReport) -> None:
        seen.append(type(report).__name__)
        raise RuntimeError("display broke")

    report = await run(make_settings(run_min_jobs=0), store, [make(Board, "b")], observer=observer)

    assert report.status is RunStatus.SUCCESS
    assert {"TierReport", "ScraperReport"} <= set(seen)
    assert await store.count_jobs() == 3
