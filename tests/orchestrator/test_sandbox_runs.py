"""End-to-end runs over the sandbox: every built-in scraper against its local API.

The sandbox serves the recorded payloads, so the counts are exact: tier 1 (fourteen
primary scrapers) brings 80 jobs, tier 2 (adzuna, jsearch, reed with placeholder keys, and
the six ATS sources of #15) 111.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from jobping.models import RunStatus
from jobping.orchestrator import Orchestrator, RunReport
from jobping.sandbox import SOURCES, Faults, serve_sandbox
from jobping.scraping import discover_scrapers
from jobping.settings import Settings
from jobping.store import Store
from tests.orchestrator.conftest import SettingsFactory
from tests.orchestrator.fakes import job

pytestmark = pytest.mark.anyio

TIER_1 = {
    "arbeitnow": 10,
    "ashby": 3,
    "greenhouse": 19,
    "hackernews": 5,
    "himalayas": 3,
    "jobicy": 5,
    "lever": 2,
    "recruitee": 4,
    "remotive": 5,
    "smartrecruiters": 2,
    "teamtailor": 5,
    "themuse": 10,
    "weworkremotely": 3,
    "workable": 4,
}
TIER_2 = {
    "adzuna": 13,
    "bamboohr": 12,
    "breezy": 2,
    "jsearch": 10,
    "personio": 1,
    "pinpoint": 2,
    "reed": 46,
    "rippling": 1,
    "workday": 24,
}


async def sandbox_run(
    settings: Settings, store: Store, faults: Mapping[str, Faults] | None = None, **kw: Any
) -> RunReport:
    """One run of the sandboxed scrapers against a sandbox with ``faults``."""
    async with serve_sandbox(faults) as sandbox:
        settings = sandbox.apply(settings)
        scrapers = [
            row.scraper()
            for row in discover_scrapers(settings)
            if row.scraper and row.name in SOURCES
        ]
        return await Orchestrator(settings, store, scrapers=scrapers, **kw).run()


def new_by_scraper(report: RunReport, tier: int) -> dict[str, int]:
    """New jobs per scraper of ``tier``."""
    return {s.name: s.new for s in report.scrapers if s.tier == tier}


def down(*names: str) -> dict[str, Faults]:
    """The named sources down."""
    return {name: Faults(down=True) for name in names}


async def test_all_healthy_runs_tier_one_only(make_settings: SettingsFactory, store: Store) -> None:
    """Every primary scraper succeeds: 80 new jobs, tiers 2 and 3 not needed, success."""
    report = await sandbox_run(make_settings(), store)

    assert new_by_scraper(report, 1) == TIER_1
    assert new_by_scraper(report, 2) == {}
    assert [(t.ran, t.contributed) for t in report.tiers] == [(True, 80), (False, 0), (False, 0)]
    assert report.totals() | {"requests": 0} == {
        "found": 80,
        "new": 80,
        "updated": 0,
        "unchanged": 0,
        "duplicates": 0,
        "invalid": 0,
        "truncated": 0,
        "requests": 0,
        "retries": 0,
        "breaker_trips": 0,
        "not_modified": 0,
        "body_unchanged": 0,
        "backfilled": 0,
        "deactivated": 0,
        "scrapers_failed": 0,
        "scrapers_skipped": 0,
    }
    assert report.totals()["requests"] == 19  # two boards each: ashby, greenhouse, recruitee,
    # teamtailor, workable
    assert report.status is RunStatus.SUCCESS
    assert await store.count_jobs() == 80


async def test_primary_down_falls_back_to_tier_two(
    make_settings: SettingsFactory, store: Store
) -> None:
    """Every primary source refusing connections: tier 1 fails, tier 2 brings 111 jobs."""
    report = await sandbox_run(make_settings(), store, down(*TIER_1))

    assert {s.name: s.status for s in report.scrapers if s.tier == 1} == dict.fromkeys(
        TIER_1, "failed"
    )
    assert new_by_scraper(report, 2) == TIER_2
    assert [(t.ran, t.contributed) for t in report.tiers] == [(True, 0), (True, 111), (False, 0)]
    assert report.tiers[1].reason == "tier 1 failed: no primary scraper succeeded"
    assert (report.status, report.totals()["scrapers_failed"]) == (RunStatus.DEGRADED, 14)
    assert await store.count_jobs() == 111


async def test_everything_down_backfills_from_the_store(
    make_settings: SettingsFactory, store: Store
) -> None:
    """No source answers: tier 3 takes the 25 newest of the 30 recent active stored jobs."""
    now = datetime.now(UTC)
    recent = [job("greenhouse", f"r{n:02d}", posted_at=now - timedelta(hours=n)) for n in range(30)]
    old = [job("greenhouse", f"o{n}", posted_at=now - timedelta(days=9)) for n in range(5)]
    await store.upsert_jobs([*recent, *old], seen_at=now - timedelta(days=1))
    settings = make_settings(run_min_jobs=20, run_backfill_limit=25)

    report = await sandbox_run(settings, store, down(*SOURCES))

    assert [(t.ran, t.contributed) for t in report.tiers] == [(True, 0), (True, 0), (True, 25)]
    assert [j.job_hash for j in report.backfill] == [f"greenhouse:r{n:02d}" for n in range(25)]
    assert report.totals()["scrapers_failed"] == len(SOURCES) == 23
    assert report.status is RunStatus.DEGRADED
    assert report.deactivated == {}
    assert await store.count_jobs(active_only=True) == 35


async def test_a_failing_source_keeps_its_jobs_while_a_healthy_one_retires_stale_ones(
    make_settings: SettingsFactory, store: Store
) -> None:
    """Greenhouse down: its stale jobs stay active; lever's stale job becomes inactive."""
    stale = [job("greenhouse", "stale-1"), job("greenhouse", "stale-2"), job("lever", "stale")]
    await store.upsert_jobs(stale, seen_at=datetime.now(UTC) - timedelta(days=10))

    report = await sandbox_run(make_settings(run_min_jobs=70), store, down("greenhouse"))

    assert report.tiers[1].ran  # 61 jobs without greenhouse's 19: tier 2 runs as well
    finished = {s.name for s in report.scrapers if s.status == "ok"}
    assert set(TIER_1) - {"greenhouse"} <= finished  # tier 2 may stop at run_target_jobs
    assert report.deactivated == {name: int(name == "lever") for name in finished}
    stored = [await store.get_job(j.job_hash) for j in stale]
    states = {j.job_hash: j.is_active for j in stored if j is not None}
    assert states == {"greenhouse:stale-1": True, "greenhouse:stale-2": True, "lever:stale": False}


async def test_running_again_creates_no_duplicate(
    make_settings: SettingsFactory, store: Store
) -> None:
    """A second identical run finds every job unchanged and stores nothing twice."""
    settings = make_settings(run_min_jobs=0)
    await sandbox_run(settings, store)
    again = await sandbox_run(settings, store)

    assert (again.totals()["new"], again.totals()["unchanged"]) == (0, 80)
    assert await store.count_jobs() == 80
