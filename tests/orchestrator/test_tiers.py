"""Tiers and fallback, backfill, job lifecycle, streaming persistence, lease and shutdown."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta
from typing import Any

import anyio
import anyio.lowlevel
import pytest

from jobping.errors import EnrichmentUnavailable, LeaseHeld
from jobping.models import Job, RunRecord, RunStatus
from jobping.orchestrator import LEASE_NAME, Orchestrator, RunReport, ScraperReport
from jobping.scraping import ScrapeContext, Scraper, Target
from jobping.settings import Settings
from jobping.store import Store
from jobping.testing import FakeClock
from tests.orchestrator.conftest import SettingsFactory
from tests.orchestrator.fakes import NOW, Board, Gated, Raising, job, make

pytestmark = pytest.mark.anyio


def orchestrator(
    settings: Settings, store: Store, scrapers: Sequence[Scraper], **kwargs: Any
) -> Orchestrator:
    """An orchestrator of ``scrapers`` whose clock says ``NOW``."""
    return Orchestrator(settings, store, scrapers=scrapers, now=lambda: NOW, **kwargs)


def by_name(report: RunReport) -> dict[str, ScraperReport]:
    """The scraper reports by name."""
    return {scraper.name: scraper for scraper in report.scrapers}


def tiers(report: RunReport) -> list[tuple[bool, str, int]]:
    """Each tier's (ran, reason, contributed)."""
    return [(tier.ran, tier.reason, tier.contributed) for tier in report.tiers]


async def test_tier_one_enough_runs_nothing_else(
    make_settings: SettingsFactory, store: Store
) -> None:
    """Primary scrapers bringing min_jobs make a successful tier-1-only run."""
    scrapers = [
        make(Board, "p1", jobs=4),
        make(Board, "p2", jobs=2, targets=("a", "b")),
        make(Board, "i1", tier="individual"),
    ]
    report = await orchestrator(make_settings(run_min_jobs=8), store, scrapers).run()

    assert tiers(report) == [
        (True, "runs every time (2 primary scrapers)", 8),
        (False, "not needed: 8 jobs seen", 0),
        (False, "not needed: 8 jobs seen", 0),
    ]
    assert [s.name for s in report.scrapers] == ["p1", "p2"]
    assert report.status is RunStatus.SUCCESS


async def test_tier_two_runs_when_tier_one_fails_even_with_enough_jobs(
    make_settings: SettingsFactory, store: Store
) -> None:
    """No primary scraper succeeding is a failed tier 1, whatever min_jobs says."""
    scrapers = [make(Raising, "p"), make(Board, "i", tier="individual", jobs=5)]
    report = await orchestrator(make_settings(run_min_jobs=0), store, scrapers).run()

    assert tiers(report)[1] == (True, "tier 1 failed: no primary scraper succeeded", 5)
    assert report.status is RunStatus.DEGRADED
    assert report.reason == "fallback tier needed: individual; scrapers failed: p"


async def test_tier_two_stops_starting_work_at_the_target(
    make_settings: SettingsFactory, store: Store
) -> None:
    """Once the run has run_target_jobs, tier 2 starts no other scraper."""
    settings = make_settings(
        run_min_jobs=100, run_target_jobs=50, run_concurrency=1, run_batch_size=10
    )
    scrapers = [make(Board, name, tier="individual", jobs=30) for name in ("i1", "i2", "i3")]
    report = await orchestrator(settings, store, scrapers).run()

    results = by_name(report)
    assert [(results[n].status, results[n].new) for n in ("i1", "i2", "i3")] == [
        ("ok", 30),
        ("ok", 30),
        ("stopped", 0),
    ]
    assert results["i3"].reason == "run_target_jobs=50 reached"
    assert report.tiers[1].stopped_early == "run_target_jobs=50 reached"
    assert report.tiers[1].contributed == 60


async def test_backfill_takes_the_newest_recent_active_unseen_jobs(
    make_settings: SettingsFactory, store: Store
) -> None:
    """Tier 3: active, posted within the window, not seen by the run, newest first, limited."""
    hour = timedelta(hours=1)
    recent = [job("old", f"r{n}", posted_at=NOW - n * hour) for n in range(1, 9)]
    too_old = [job("old", "ancient", posted_at=NOW - timedelta(days=8))]
    inactive = job("old", "gone", posted_at=NOW - hour / 2)
    seen = job("p", "t1-0", posted_at=NOW)  # the scraper below yields it again (updated)
    await store.upsert_jobs([*recent, *too_old, inactive, seen], seen_at=NOW - timedelta(days=1))
    await store.deactivate_stale(source="old", last_seen_before=NOW)
    await store.upsert_jobs(recent, seen_at=NOW - timedelta(days=1))  # active again

    settings = make_settings(run_min_jobs=10, run_backfill_limit=5, run_backfill_days=7)
    report = await orchestrator(settings, store, [make(Board, "p", jobs=2)]).run()

    assert [j.job_hash for j in report.backfill] == [f"old:r{n}" for n in range(1, 6)]
    assert tiers(report)[2] == (
        True,
        "the run has seen 2 jobs, fewer than run_min_jobs=10",
        5,
    )
    assert report.status is RunStatus.FAILED
    assert report.reason == "7 jobs seen or backfilled, fewer than run_min_jobs=10"


async def test_tiers_can_be_switched_off(make_settings: SettingsFactory, store: Store) -> None:
    """--tiers 1 runs tier 1 only, whatever the shortfall."""
    scrapers = [make(Board, "p"), make(Board, "i", tier="individual")]
    report = await orchestrator(make_settings(), store, scrapers, tiers={1}).run()

    assert [t.reason for t in report.tiers[1:]] == ["disabled (--tiers)", "disabled (--tiers)"]
    assert report.status is RunStatus.FAILED


async def test_seen_jobs_refresh_and_stale_jobs_of_a_successful_source_retire(
    make_settings: SettingsFactory, store: Store
) -> None:
    """Seen: last_seen_at = now. Unseen for run_stale_after_days, source ok: inactive."""
    long_ago, yesterday = NOW - timedelta(days=10), NOW - timedelta(days=1)
    await store.upsert_jobs([job("board", "t1-0"), job("board", "stale")], seen_at=long_ago)
    await store.upsert_jobs([job("board", "recent")], seen_at=yesterday)

    settings = make_settings(run_min_jobs=0, run_stale_after_days=3)
    report = await orchestrator(settings, store, [make(Board, "board", jobs=1)]).run()

    seen, stale, recent = [await store.get_job(f"board:{k}") for k in ("t1-0", "stale", "recent")]
    assert seen is not None and stale is not None and recent is not None
    assert (seen.last_seen_at, seen.is_active) == (NOW, True)
    assert (stale.last_seen_at, stale.is_active) == (long_ago, False)
    assert recent.is_active
    assert report.deactivated == {"board": 1}
    assert by_name(report)["board"].deactivated == 1


async def test_a_failed_or_skipped_source_deactivates_nothing(
    make_settings: SettingsFactory, store: Store
) -> None:
    """Invariant 6: jobs unseen because their source failed or was skipped stay active."""
    stale = [job(source, "stale") for source in ("crashy", "keyed", "partial")]
    await store.upsert_jobs(stale, seen_at=NOW - timedelta(days=30))
    scrapers = [
        make(Raising, "crashy"),
        make(Board, "keyed", credentials=("reed_api_key",)),
        make(Board, "partial", targets=("ok",)),
        make(Raising, "partial2", targets=("bad",), source="partial"),
    ]
    report = await orchestrator(make_settings(run_min_jobs=0), store, scrapers).run()

    assert report.deactivated == {}
    assert await store.count_jobs(active_only=True) == await store.count_jobs()


async def test_jobs_are_stored_batch_by_batch_while_the_scraper_runs(
    make_settings: SettingsFactory, store: Store
) -> None:
    """With run_batch_size 10, 25 parsed jobs are 20 stored before the scraper ends."""
    gated = make(Gated, "slow", jobs=25, gate=anyio.Event(), reached=anyio.Event())
    settings = make_settings(run_min_jobs=0, run_batch_size=10)
    async with anyio.create_task_group() as group:
        group.start_soon(orchestrator(settings, store, [gated]).run)
        with anyio.fail_after(10):
            await gated.reached.wait()  # type: ignore[attr-defined]
        assert await store.count_jobs() == 20
        gated.gate.set()  # type: ignore[attr-defined]

    assert await store.count_jobs() == 25


async def test_the_lease_is_renewed_while_the_run_works(
    make_settings: SettingsFactory, store: Store
) -> None:
    """A task of the run's group renews the lease every TTL/3 until the run ends."""
    ticks = FakeClock(NOW, gated=True)
    gated = make(Gated, "slow", jobs=1, gate=anyio.Event(), reached=anyio.Event())
    settings = make_settings(run_min_jobs=0, run_lease_ttl_seconds=30)
    run = Orchestrator(settings, store, scrapers=[gated], now=ticks, sleep=ticks.sleep)
    async with anyio.create_task_group() as group:
        group.start_soon(run.run)
        await gated.reached.wait()  # type: ignore[attr-defined]
        first = await store.lease_holder(LEASE_NAME, now=ticks.now)
        await ticks.tick(sleepers=1)
        await ticks.until_asleep(1)  # renewed, and asleep again
        renewed = await store.lease_holder(LEASE_NAME, now=ticks.now)
        gated.gate.set()  # type: ignore[attr-defined]

    assert first is not None and renewed is not None
    assert renewed[1] - first[1] == timedelta(seconds=10)
    assert await store.lease_holder(LEASE_NAME, now=ticks.now) is None


async def test_a_second_run_while_one_works_raises_lease_held(
    make_settings: SettingsFactory, store: Store
) -> None:
    """Exactly one of two overlapping runs works; the other does nothing at all."""
    gated = make(Gated, "slow", jobs=1, gate=anyio.Event(), reached=anyio.Event())
    settings = make_settings(run_min_jobs=0)
    first = orchestrator(settings, store, [gated])
    async with anyio.create_task_group() as group:
        group.start_soon(first.run)
        await gated.reached.wait()  # type: ignore[attr-defined]
        with pytest.raises(LeaseHeld, match=r"another run \(.+\) holds the 'run' lease"):
            await orchestrator(settings, store, [make(Board, "b")]).run()
        gated.gate.set()  # type: ignore[attr-defined]

    assert [r.run_id for r in await store.recent_runs()] == [first.report.run_id]
    assert await store.get_job("b:t1-0") is None


async def test_a_stop_request_flushes_records_interrupted_and_releases_the_lease(
    make_settings: SettingsFactory, store: Store
) -> None:
    """Graceful stop: no new target starts, the grace period ends the hang, all is kept."""
    ticks = FakeClock(NOW, gated=True)
    gated = make(Gated, "slow", jobs=7, gate=anyio.Event(), reached=anyio.Event())
    later = make(Board, "later", tier="individual")
    settings = make_settings(run_batch_size=5, run_concurrency=1)
    run = Orchestrator(settings, store, scrapers=[gated, later], now=ticks, sleep=ticks.sleep)
    async with anyio.create_task_group() as group:
        group.start_soon(run.run)
        await gated.reached.wait()  # type: ignore[attr-defined]
        run.shutdown.request("interrupted by SIGTERM")
        await ticks.tick(sleepers=2)  # the lease renewer and the grace period

    report = run.report
    assert (report.status, report.reason) == (RunStatus.INTERRUPTED, "interrupted by SIGTERM")
    assert dict(by_name(report)["slow"].outcomes) == {"stopped": 1}
    assert [t.reason for t in report.tiers[1:]] == ["not run: interrupted by SIGTERM"] * 2
    assert await store.count_jobs() == 7
    record = await store.get_run(report.run_id)
    assert record is not None and record.status is RunStatus.INTERRUPTED
    assert await store.lease_holder(LEASE_NAME, now=ticks.now) is None


async def test_a_run_records_itself_running_then_finished(
    make_settings: SettingsFactory, store: Store
) -> None:
    """The runs table says running while it works and holds the report at the end; once only."""
    gated = make(Gated, "slow", jobs=2, gate=anyio.Event(), reached=anyio.Event())
    run = orchestrator(make_settings(run_min_jobs=0), store, [gated])
    async with anyio.create_task_group() as group:
        group.start_soon(run.run)
        await gated.reached.wait()  # type: ignore[attr-defined]
        during = await store.get_run(run.report.run_id)
        gated.gate.set()  # type: ignore[attr-defined]

    after = await store.get_run(run.report.run_id)
    assert isinstance(during, RunRecord) and during.status is RunStatus.RUNNING
    assert after is not None and after.status is RunStatus.SUCCESS
    assert after.counts["totals"]["new"] == 2
    assert after.finished_at == NOW
    with pytest.raises(RuntimeError, match="an Orchestrator runs once"):
        await run.run()


class Backlog:
    """An enricher of the backlog that records its limits, or fails like a dead provider."""

    def __init__(self, error: Exception | None = None) -> None:
        self.limits: list[int] = []
        self._error = error

    async def enrich_backlog(self, *, limit: int) -> Backlog:
        """Record the limit (or raise); this object is its own report."""
        self.limits.append(limit)
        if self._error is not None:
            raise self._error
        return self

    def to_dict(self) -> dict[str, Any]:
        """The report of the pass."""
        return {"enriched": sum(self.limits)}


async def test_the_backlog_is_enriched_after_the_tiers_as_much_as_the_run_brought(
    make_settings: SettingsFactory, store: Store
) -> None:
    """The enricher gets the run's new-or-updated count as its limit; its report is kept."""
    enricher = Backlog()
    scrapers = [make(Board, "p", jobs=4)]
    report = await orchestrator(
        make_settings(run_min_jobs=0), store, scrapers, enricher=enricher
    ).run()

    assert enricher.limits == [4]
    assert report.enrichment == {"enriched": 4}
    assert report.to_dict()["enrichment"] == {"enriched": 4}


async def test_an_enrichment_failure_is_reported_not_fatal(
    make_settings: SettingsFactory, store: Store
) -> None:
    """A provider refusing every call leaves the run a success, with the error reported."""
    enricher = Backlog(EnrichmentUnavailable("no credit left", model="gpt-x"))
    report = await orchestrator(
        make_settings(run_min_jobs=0), store, [make(Board, "p")], enricher=enricher
    ).run()

    assert report.status is RunStatus.SUCCESS
    assert report.enrichment == {"error": "gpt-x: no credit left"}


async def test_nothing_is_enriched_in_a_dry_run_or_without_new_jobs(
    make_settings: SettingsFactory, store: Store
) -> None:
    """A dry run writes nothing to enrich, and a run with nothing new has nothing to do."""
    enricher = Backlog()
    settings = make_settings(run_min_jobs=0)
    await orchestrator(settings, store, [make(Board, "p")], enricher=enricher, dry_run=True).run()
    await orchestrator(settings, store, [make(Board, "p")]).run()
    await orchestrator(settings, store, [make(Board, "p")], enricher=enricher).run()

    assert enricher.limits == []


async def test_with_batches_a_run_with_nothing_new_still_collects(
    make_settings: SettingsFactory, store: Store
) -> None:
    """``ENRICH_BATCH``: an unchanged run calls the enricher with limit 0 (it collects batches).

    Without it, the batches a run submitted would wait for a run that brings new jobs.
    """
    enricher = Backlog()
    settings = make_settings(run_min_jobs=0, enrich_batch=True)
    await orchestrator(settings, store, [make(Board, "p", jobs=3)], enricher=enricher).run()
    await orchestrator(settings, store, [make(Board, "p", jobs=3)], enricher=enricher).run()
    await orchestrator(settings, store, [make(Board, "p")], enricher=enricher, dry_run=True).run()

    assert enricher.limits == [3, 0]


class Blocking(Board):
    """Holds the event loop for 0.2 s (CPU-bound parsing that never awaits), then yields."""

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Block, then one job."""
        until = time.monotonic() + 0.2
        while time.monotonic() < until:
            pass
        yield job(self.source, f"{target.value}-0")


async def test_the_report_names_the_longest_event_loop_block(
    make_settings: SettingsFactory, store: Store
) -> None:
    """#12: a scraper holding the loop 0.2 s shows as a block of at least that in the report."""
    report = await orchestrator(make_settings(run_min_jobs=1), store, [make(Blocking, "b")]).run()

    assert report.longest_loop_block_seconds >= 0.15  # measured lateness only grows under load
    assert report.to_dict()["longest_loop_block_seconds"] >= 0.15
