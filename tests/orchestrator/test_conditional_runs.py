"""Conditional requests over the sandbox (#16): an unchanged board costs a 304 and no parsing.

Both runs of each test go to one sandbox (its URLs, and so the stored validators, stay the
same). Every scraper is a subclass of the built-in one counting the jobs it builds: what it
parsed. The tier-1 sandbox is 14 scrapers and 19 targets of one request each, 80 jobs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest
from rich.console import Console

from jobping.cli._views.run import render_report
from jobping.http import ScrapeClient
from jobping.models import Job, RunStatus
from jobping.orchestrator import JobSink, Orchestrator, RunReport, ScraperReport
from jobping.orchestrator._metrics import render_metrics
from jobping.orchestrator._runner import ScraperRunner
from jobping.orchestrator._shutdown import StopFlag
from jobping.sandbox import SOURCES, Sandbox, serve_sandbox
from jobping.sandbox._server import PLACEHOLDER_KEY
from jobping.scraping import Scraper, Target, discover_scrapers
from jobping.settings import Settings
from jobping.store import JobFilter, Store, TargetValidators
from jobping.testing import FakeClock
from tests.orchestrator.conftest import SettingsFactory

pytestmark = pytest.mark.anyio


class Parses:
    """How many jobs the scrapers built (parsed) since the last ``take``.

    A scraper named in ``breaking`` raises once it built ``break_after`` jobs: it fails
    mid-way through its target, after a part of its jobs went to the sink.
    """

    def __init__(self) -> None:
        self.count = 0
        self.by_scraper: Counter[str] = Counter()
        self.breaking: set[str] = set()
        self.break_after = 1

    def take(self) -> int:
        """The count so far, then zero again."""
        count, self.count = self.count, 0
        return count


def counting(scraper: Scraper, parses: Parses) -> Scraper:
    """``scraper`` as an instance of a subclass counting each job it builds into ``parses``."""

    def job(self: Scraper, **fields: Any) -> Job:
        parses.count += 1
        parses.by_scraper[self.name] += 1
        if self.name in parses.breaking and parses.by_scraper[self.name] > parses.break_after:
            raise RuntimeError("broken mid-way")
        built: Job = base.job(self, **fields)
        return built

    base = type(scraper)
    counted = type(f"Counting{base.__name__}", (base,), {"job": job})
    instance: Scraper = counted()
    return instance


class Runs:
    """Runs of the sandboxed scrapers against one sandbox, on one store, at a fake time."""

    def __init__(self, sandbox: Sandbox, settings: Settings, store: Store) -> None:
        self.sandbox = sandbox
        self.settings = sandbox.apply(settings)
        self.store = store
        self.parses = Parses()
        self.clock = FakeClock()

    async def run(self, *, dry_run: bool = False, **overrides: Any) -> RunReport:
        """One run (its settings changed by ``overrides``); the clock then moves an hour on."""
        settings = self.settings.model_copy(update=overrides)
        scrapers = [
            counting(row.scraper(), self.parses)
            for row in discover_scrapers(settings)
            if row.scraper and row.name in SOURCES
        ]
        orchestrator = Orchestrator(
            settings, self.store, scrapers=scrapers, now=self.clock, dry_run=dry_run
        )
        report = await orchestrator.run()
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


async def kept(runs: Runs, scraper: str) -> TargetValidators | None:
    """The validators kept for the first sandbox target of ``scraper``."""
    known = await runs.store.load_validators(scraper)
    return known.get(runs.sandbox.targets[scraper][0])


def content(jobs: dict[str, Job]) -> dict[str, tuple[Any, ...]]:
    """What a job is, by hash, without when it was seen."""
    return {h: (j.title, j.company, j.job_url, j.description, j.is_active) for h, j in jobs.items()}


async def test_a_second_run_over_unchanged_boards_parses_nothing(runs: Runs) -> None:
    """Every target answers 304: its jobs are marked seen unparsed, and counted as if parsed.

    Old code fetched and parsed every board again (80 parses, no 304). Now the 19 requests
    are 19 304s (each counted as a request and in the HTTP stats), nothing is parsed, the run
    still counts 80 jobs seen (tier 1 is enough), every job's ``last_seen_at`` moves to the
    second run (four days later: none is retired as stale) and the table is otherwise the same.
    """
    first = await runs.run(run_min_jobs=80)
    assert (first.status, runs.parses.take(), first.totals()["not_modified"]) == (
        RunStatus.SUCCESS,
        80,
        0,
    )
    before = await stored(runs.store)
    runs.clock.advance(days=4)

    second = await runs.run(run_min_jobs=80)

    totals = second.totals()
    assert runs.parses.take() == 0
    assert (totals["not_modified"], totals["body_unchanged"]) == (19, 0)
    assert (runs.sandbox.conditional.not_modified, second.http["not_modified"]) == (19, 19)
    assert (totals["requests"], second.http["requests"]) == (19, 19)
    assert (totals["found"], totals["unchanged"], totals["new"], totals["updated"]) == (
        80,
        80,
        0,
        0,
    )
    assert [(t.ran, t.contributed) for t in second.tiers] == [(True, 80), (False, 0), (False, 0)]
    assert (second.status, second.deactivated) == (
        RunStatus.SUCCESS,
        dict.fromkeys({s.source for s in second.scrapers}, 0),
    )
    after = await stored(runs.store)
    assert content(after) == content(before)
    assert {job.last_seen_at for job in after.values()} == {second.started_at}
    assert {job.scraper_run_id for job in after.values()} == {second.run_id}


async def test_a_changed_board_is_fetched_parsed_and_stored(runs: Runs) -> None:
    """The board that changed answers 200 and its change is stored; the others answer 304.

    Its new validators are kept: the run after that gets a 304 from it too.
    """
    await runs.run()
    runs.parses.take()
    target = runs.sandbox.targets["lever"][0]
    board = runs.sandbox.board("lever", target)
    items = board.items()
    items[0] = items[0] | {"text": "Staff Engineer (renamed)"}
    board.replace_items(items)

    second = await runs.run()

    lever = next(s for s in second.scrapers if s.name == "lever")
    assert (runs.parses.take(), lever.not_modified, lever.updated, lever.unchanged) == (2, 0, 1, 1)
    assert second.totals()["not_modified"] == 18
    titles = {job.title for job in (await stored(runs.store)).values() if job.source == "lever"}
    assert "Staff Engineer (renamed)" in titles
    third = await runs.run()
    assert (runs.parses.take(), third.totals()["not_modified"]) == (0, 19)


async def test_a_target_that_failed_mid_way_keeps_no_validators(runs: Runs) -> None:
    """A target failing after some of its jobs were stored keeps no validators.

    It is fetched and parsed whole next time (a 304 would mark only the jobs it stored).
    """
    runs.parses.breaking, runs.parses.break_after = {"lever"}, 1
    first = await runs.run()
    lever = next(s for s in first.scrapers if s.name == "lever")
    assert (lever.status, lever.new) == ("failed", 1)
    assert await kept(runs, "lever") is None
    assert await kept(runs, "ashby") is not None
    runs.parses.breaking = set()
    runs.parses.take()

    second = await runs.run()

    lever = next(s for s in second.scrapers if s.name == "lever")
    assert (lever.status, lever.not_modified, lever.new, lever.unchanged) == ("ok", 0, 1, 1)
    assert (runs.parses.take(), second.totals()["not_modified"]) == (2, 18)


async def test_without_validators_an_unchanged_body_is_recognised_by_its_hash(
    make_settings: SettingsFactory, store: Store
) -> None:
    """A source sending no ETag nor Last-Modified: the same body (by hash) is not parsed."""
    async with serve_sandbox(validators=False) as sandbox:
        runs = Runs(sandbox, make_settings(), store)
        await runs.run()
        assert runs.parses.take() == 80

        second = await runs.run()

    totals = second.totals()
    assert (runs.parses.take(), totals["body_unchanged"], totals["not_modified"]) == (0, 19, 0)
    assert (sandbox.conditional.not_modified, second.http["not_modified"]) == (0, 0)
    assert (totals["found"], totals["unchanged"], second.status) == (80, 80, RunStatus.SUCCESS)


async def test_conditional_requests_can_be_turned_off(runs: Runs) -> None:
    """``HTTP_CONDITIONAL_REQUESTS=false``: every run fetches and parses every board."""
    await runs.run(http_conditional_requests=False)
    second = await runs.run(http_conditional_requests=False)

    assert runs.parses.take() == 160
    assert (second.totals()["not_modified"], second.totals()["body_unchanged"]) == (0, 0)
    assert await kept(runs, "ashby") is None


async def test_a_dry_run_neither_sends_nor_keeps_validators(runs: Runs) -> None:
    """A dry run writes nothing, the validators neither: the next run parses everything."""
    await runs.run(dry_run=True)
    assert await kept(runs, "ashby") is None

    second = await runs.run()

    assert (runs.parses.take(), second.totals()["not_modified"]) == (160, 0)


async def test_the_report_the_terminal_and_the_metrics_count_unparsed_targets(
    runs: Runs,
) -> None:
    """``--json`` per scraper, the terminal's total line and the metrics file show the 304s."""
    await runs.run()
    second = await runs.run()
    console = Console(record=True, width=200)

    render_report(second, console)

    greenhouse = next(s for s in second.to_dict()["scrapers"] if s["name"] == "greenhouse")
    assert (greenhouse["not_modified"], greenhouse["body_unchanged"]) == (2, 0)
    assert "19 requests (19 not modified, 0 same body)" in console.export_text()
    metrics = render_metrics(second)
    assert 'jobping_scraper_not_modified{scraper="greenhouse"} 2.0' in metrics
    assert 'jobping_scraper_body_unchanged{scraper="greenhouse"} 0.0' in metrics


async def test_a_single_target_unit_revalidates_its_own_target(runs: Runs, store: Store) -> None:
    """``ScraperRunner.run_target`` (a worker's unit) keeps and sends one target's validators."""
    scraper = next(
        counting(row.scraper(), runs.parses)
        for row in discover_scrapers(runs.settings)
        if row.scraper and row.name == "lever"
    )
    target = Target(runs.sandbox.targets["lever"][0])
    reports = []
    async with ScrapeClient.from_settings(runs.settings, store) as client:
        for number in (1, 2):
            sink = JobSink(store, run_id=f"unit-{number}", batch_size=100, now=runs.clock)
            runner = ScraperRunner(
                settings=runs.settings,
                client=client,
                sink=sink,
                limiter=anyio.CapacityLimiter(1),
                shutdown=StopFlag(),
                validators=store,
            )
            report = ScraperReport("lever", "lever", 1, targets=1)
            await runner.run_target(scraper, target, report)
            reports.append(report)

    assert [(r.status, r.new, r.unchanged, r.not_modified) for r in reports] == [
        ("ok", 2, 0, 0),
        ("ok", 0, 2, 1),
    ]
    assert runs.parses.take() == 2


async def test_keys_and_multi_request_targets_stay_out_of_the_validators(runs: Runs) -> None:
    """Kept URLs are redacted (invariant 7), and a several-request target keeps nothing.

    Adzuna sends its app_key in the URL; bamboohr reads a listing, then a detail per job.
    """
    report = await runs.run(run_min_jobs=10_000, run_target_jobs=10_000)  # tier 2 runs whole

    adzuna = await runs.store.load_validators("adzuna")
    assert adzuna
    assert all("app_key=[REDACTED]" in v.url for v in adzuna.values())
    assert not [v.url for v in adzuna.values() if PLACEHOLDER_KEY in v.url]
    bamboohr = next(s for s in report.scrapers if s.name == "bamboohr")
    assert (bamboohr.status, bamboohr.requests > bamboohr.targets) == ("ok", True)
    assert await runs.store.load_validators("bamboohr") == {}
