"""Conditional requests over the sandbox (#16): an unchanged board costs a 304 and no parsing.

Both runs of each test go to one sandbox (its URLs, and so the stored validators, stay the
same). Every scraper is a subclass of the built-in one counting the jobs it builds: what it
parsed. The tier-1 sandbox is 14 scrapers, 19 requests, 80 jobs; 17 of its targets are
one request each (hackernews pages through 3 listing requests).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from jobping.models import Job, RunStatus
from jobping.orchestrator import Orchestrator, RunReport
from jobping.sandbox import SOURCES, Faults, Sandbox, serve_sandbox
from jobping.scraping import Scraper, discover_scrapers
from jobping.settings import Settings
from jobping.store import JobFilter, Store
from jobping.testing import FakeClock
from tests.orchestrator.conftest import SettingsFactory

pytestmark = pytest.mark.anyio


class Parses:
    """How many jobs the scrapers built (parsed) since the last ``take``."""

    def __init__(self) -> None:
        self.count = 0

    def take(self) -> int:
        """The count so far, then zero again."""
        count, self.count = self.count, 0
        return count


def counting(scraper: Scraper, parses: Parses) -> Scraper:
    """``scraper`` as an instance of a subclass counting each job it builds into ``parses``."""

    def job(self: Scraper, **fields: Any) -> Job:
        parses.count += 1
        return super(counted, self).job(**fields)

    counted = type(f"Counting{type(scraper).__name__}", (type(scraper),), {"job": job})
    built: Scraper = counted()
    return built


class Runs:
    """Runs of the sandboxed scrapers against one sandbox, on one store, at a fake time."""

    def __init__(self, sandbox: Sandbox, settings: Settings, store: Store) -> None:
        self.sandbox = sandbox
        self.settings = sandbox.apply(settings)
        self.store = store
        self.parses = Parses()
        self.clock = FakeClock()

    async def run(self, **overrides: Any) -> RunReport:
        """One run (its settings changed by ``overrides``); the clock then moves an hour on."""
        settings = self.settings.model_copy(update=overrides)
        scrapers = [
            counting(row.scraper(), self.parses)
            for row in discover_scrapers(settings)
            if row.scraper and row.name in SOURCES
        ]
        report = await Orchestrator(settings, self.store, scrapers=scrapers, now=self.clock).run()
        self.clock.advance(3600)
        return report


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    """A healthy sandbox."""
    async with serve_sandbox() as served:
        yield served


@pytest.fixture
def runs(sandbox: Sandbox, make_settings: SettingsFactory, store: Store) -> Runs:
    """Runs over ``sandbox`` into ``store``."""
    return Runs(sandbox, make_settings(), store)


async def stored(store: Store) -> dict[str, Job]:
    """Every stored job, by hash."""
    return {job.job_hash: job async for job in store.iter_jobs(JobFilter())}


def content(jobs: dict[str, Job]) -> dict[str, tuple[Any, ...]]:
    """What a job is, by hash, without when it was seen."""
    return {h: (j.title, j.company, j.job_url, j.description, j.is_active) for h, j in jobs.items()}


async def test_a_second_run_over_unchanged_boards_parses_only_what_it_must(runs: Runs) -> None:
    """The one-request targets answer 304: their jobs are marked seen unparsed, counted alike.

    Old code fetched and parsed every board again (80 parses, no 304). Now 17 targets get a
    304 and only hackernews (3 requests: not revalidated) is parsed; the run still counts 80
    jobs seen (the tier decision), every job's ``last_seen_at`` moves to the second run and
    the table is otherwise the same. Each 304 is a request, counted like any other.
    """
    first = await runs.run(run_min_jobs=80)
    assert (first.status, runs.parses.take(), first.totals()["not_modified"]) == (
        RunStatus.SUCCESS,
        80,
        0,
    )
    before = await stored(runs.store)

    second = await runs.run(run_min_jobs=80)

    totals = second.totals()
    assert runs.parses.take() == 5  # hackernews only
    assert (totals["not_modified"], totals["body_unchanged"], runs.sandbox.conditional.not_modified) == (
        17,
        0,
        17,
    )
    assert (totals["requests"], second.http["not_modified"]) == (19, 17)
    assert (totals["found"], totals["unchanged"], totals["new"], totals["updated"]) == (80, 80, 0, 0)
    assert [(t.ran, t.contributed) for t in second.tiers] == [(True, 80), (False, 0), (False, 0)]
    assert second.status is RunStatus.SUCCESS
    after = await stored(runs.store)
    assert content(after) == content(before)
    assert {job.last_seen_at for job in after.values()} == {second.started_at}
    assert {job.scraper_run_id for job in after.values()} == {second.run_id}
