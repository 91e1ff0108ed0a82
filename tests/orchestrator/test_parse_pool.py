"""Parse workers (#16): scrapers run in worker processes, their requests through the run's client.

Every test runs real worker processes (``RUN_PARSE_WORKERS=2``) against the in-process path
(``0``) where the comparison is the point, every target in a worker (no target parses in
the run's process while the workers start, but in the test pinning that). The scrapers sent
to workers are classes of this module (a worker re-creates them by import); the ``make``
ones of ``fakes`` are classes built at run time, which no worker can import: they stay
in-process.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import multiprocessing
import multiprocessing.forkserver
import os
import pickle
import signal
import threading
from collections.abc import AsyncIterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import anyio
import anyio.from_thread
import anyio.lowlevel
import pytest

from jobping.errors import ConfigError
from jobping.http import DomainPolicy
from jobping.models import EmploymentType, Job, RunStatus, WorkEnvironment
from jobping.orchestrator import Orchestrator, RunReport, ScraperReport, _forkserver, _parse_pool
from jobping.orchestrator._parse_pool import ParsePool, parse_workers
from jobping.orchestrator._sink import Checked
from jobping.sandbox import SOURCES, serve_sandbox
from jobping.scraping import Item, ScrapeContext, Scraper, Target, discover_scrapers
from jobping.settings import Settings, load_settings
from jobping.store import JobFilter, Store
from jobping.testing import FakeClock
from tests.helpers import opened_store
from tests.orchestrator.conftest import SettingsFactory
from tests.orchestrator.fakes import Board, job, make
from tests.servers import hostile_server

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def every_target_in_a_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """No target parses in the run's process while the workers start (one test turns it on).

    And the pool takes the forkserver for not started yet (an earlier test or an in-process
    ``jobping run`` started it): the tests that need it running say so.
    """
    monkeypatch.setattr(_parse_pool, "WARM_UP", False)
    monkeypatch.setattr(_parse_pool, "forkserver_running", lambda: False)


VOLATILE = {"scrape_timestamp", "last_seen_at", "scraper_run_id", "created_at"}
"""Job fields that differ between two runs of the same boards (when, by which run)."""


class Fetching(Scraper):
    """One GET of ``/json`` per target (under the configured base URL), one job per answer."""

    name = "fetching"
    source = "fetching"
    base_url = "https://fetching.invalid"
    domains = ("fetching.invalid",)
    tier = "primary"

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Fetch, then yield the target's job."""
        await ctx.get_json(f"/json?size=10&target={target.value}")
        yield job(self.source, target.value)


class Detailed(Scraper):
    """A listing of two items; each job's detail is the target's path (``json``, ``status/N``).

    The second item's detail is always ``/json``: a target ``status/404`` loses one item
    (gone since the listing), ``status/500`` fails.
    """

    name = "detailed"
    source = "detailed"
    base_url = "https://detailed.invalid"
    domains = ("detailed.invalid",)
    tier = "primary"

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """The details, one after the other."""
        listing = [{"id": "a", "path": f"/{target.value}"}, {"id": "b", "path": "/json"}]
        jobs = ctx.detailed_jobs(
            listing, lambda item: item.req_text("path"), self._job, id_key="id"
        )
        async for built in jobs:
            yield built

    def _job(self, item: Item, detail: Item) -> Job:
        if detail.flag("ok") is not True:
            raise ValueError("the detail is not the /json answer")
        return job(self.source, f"{item.text('path')}-{item.text('id')}")


class Decoding(Scraper):
    """One GET of ``/<target>`` (a hostile server's route), one job from its JSON answer."""

    name = "decoding"
    source = "decoding"
    base_url = "https://decoding.invalid"
    domains = ("decoding.invalid",)
    tier = "primary"

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Fetch the route, then yield a job named after what its JSON holds."""
        page = await ctx.get_json(f"/{target.value}")
        yield job(self.source, f"{target.value}-{sorted(page)}")


class Where(Scraper):
    """One job per target, keyed by where it was parsed; in the run's process, it says so."""

    name = "where"
    source = "where"
    base_url = "https://where.invalid"
    domains = ("where.invalid",)
    tier = "primary"
    parsing_here: ClassVar[threading.Event] = threading.Event()
    workers_up: ClassVar[anyio.Event | None] = None

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Yield the target's job, marked ``worker`` or ``run`` (the run's process).

        In the run's process it says it is parsing there, then waits for ``workers_up``.
        """
        in_worker = multiprocessing.parent_process() is not None
        if not in_worker and Where.workers_up is not None:
            Where.parsing_here.set()
            await Where.workers_up.wait()
        yield job(self.source, f"{target.value}-{'worker' if in_worker else 'run'}")


class Sleepy(Scraper):
    """Awaits anyio between its jobs, as a plugin may (no request at all)."""

    name = "sleepy"
    source = "sleepy"
    base_url = "https://sleepy.invalid"
    domains = ("sleepy.invalid",)
    tier = "primary"

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Two jobs with an anyio checkpoint and a lock between them."""
        yield job(self.source, f"{target.value}-0")
        await anyio.lowlevel.checkpoint()
        async with anyio.Lock():
            yield job(self.source, f"{target.value}-1")


class Stuck(Scraper):
    """A GET that never gets an answer (the server's ``/hang``)."""

    name = "stuck"
    source = "stuck"
    base_url = "https://stuck.invalid"
    domains = ("stuck.invalid",)
    tier = "primary"

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Start the hanging request."""
        await ctx.get_json("/hang")
        yield job(self.source, target.value)


class Crashing(Scraper):
    """Kills the worker process it runs in on the target ``die``; one job elsewhere."""

    name = "crashing"
    source = "crashing"
    base_url = "https://crashing.invalid"
    domains = ("crashing.invalid",)
    tier = "primary"

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Die (in a worker) or yield the target's job."""
        if target.value == "die" and multiprocessing.parent_process() is not None:
            os._exit(1)
        yield job(self.source, target.value)


async def run_with(
    settings: Settings, store: Store, scrapers: list[Scraper], **kw: Any
) -> RunReport:
    """One run of ``scrapers``."""
    return await Orchestrator(settings, store, scrapers=scrapers, **kw).run()


def scraper_counts(report: RunReport) -> dict[str, tuple[Any, ...]]:
    """What each scraper did, without the timings."""
    return {
        s.name: (
            s.found,
            s.new,
            s.updated,
            s.unchanged,
            s.duplicates,
            s.invalid,
            s.requests,
            dict(s.outcomes),
            list(s.errors),
        )
        for s in report.scrapers
    }


def by_name(report: RunReport) -> dict[str, ScraperReport]:
    """The scraper reports by name."""
    return {scraper.name: scraper for scraper in report.scrapers}


async def stored_jobs(store: Store) -> list[dict[str, Any]]:
    """Every stored job as a dict, without the fields that say when and by which run."""
    rows = [
        {k: v for k, v in dataclasses.asdict(stored).items() if k not in VOLATILE}
        async for stored in store.iter_jobs(JobFilter())
    ]
    return sorted(rows, key=lambda row: row["job_hash"])


def configured(
    make_settings: SettingsFactory,
    workers: int,
    scraper: str,
    base_url: str,
    targets: list[str],
    **overrides: Any,
) -> Settings:
    """Settings with ``RUN_PARSE_WORKERS=workers`` and the scraper's base URL and targets."""
    return make_settings(
        run_min_jobs=0,
        run_parse_workers=workers,
        scrapers={scraper: {"base_url": base_url, "targets": targets}},
        **overrides,
    )


async def test_the_sandbox_on_two_workers_stores_what_in_process_parsing_stores(
    make_settings: SettingsFactory, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Every built-in scraper over the sandbox: same jobs table, same counts, workers used.

    Pins the seam: pagination, detail requests, skipped items and the sink's checks give
    what the in-process run gives, while the jobs were parsed in two worker processes; and
    the report's time split and per-process usage, both ways.
    """
    caplog.set_level(logging.WARNING, logger="jobping.orchestrator")
    results = []
    async with serve_sandbox() as sandbox:  # one sandbox: the job URLs hold its port
        for workers in (0, 2):
            url = f"sqlite:///{tmp_path / f'workers-{workers}.db'}"
            # tiers 2 and 3 run too (POST searches, credentials, details), to the end
            settings = sandbox.apply(
                make_settings(
                    database_url=url,
                    run_parse_workers=workers,
                    run_min_jobs=10**6,
                    run_target_jobs=10**6,
                )
            )
            scrapers = [
                row.scraper()
                for row in discover_scrapers(settings)
                if row.scraper and row.name in SOURCES
            ]
            async with opened_store(url) as store:
                report = await run_with(settings, store, scrapers)
                results.append((report, await stored_jobs(store)))
    (in_process, in_process_jobs), (pooled, pooled_jobs) = results

    assert pooled.status == in_process.status
    assert (in_process.timings.parse_workers, pooled.timings.parse_workers) == (0, 2)
    assert in_process.timings.workers == {}
    assert len(pooled.timings.workers) == 2  # both workers parsed, and reported their usage
    assert scraper_counts(pooled) == scraper_counts(in_process)
    assert len(pooled_jobs) == len(in_process_jobs) == in_process.totals()["new"] == 80 + 111
    assert pooled_jobs == in_process_jobs
    assert "parse worker" not in caplog.text  # no built-in scraper fell back
    for report in (in_process, pooled):  # the time split and each process's usage
        timings = report.to_dict()["timings"]
        assert min(timings[f"{part}_seconds"] for part in ("fetch", "parse", "store")) > 0
        assert timings["enrich_seconds"] == 0  # no enricher given
        assert len(timings["processes"]) == 1 + report.timings.parse_workers
        assert all(
            p["cpu_seconds"] > 0 < p["peak_rss_bytes"] for p in timings["processes"].values()
        )


async def test_an_unchanged_board_is_revalidated_when_workers_parse(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    """Conditional requests hold with workers: the worker's first request is the conditional one.

    The first run parses in two workers and keeps each target's validators; the second,
    over the same unchanged sandbox, gets a 304 for every target of tier 1 (19) and stores
    the same jobs. A worker context that sent its first request plain would keep nothing.
    """
    url = f"sqlite:///{tmp_path / 'revalidated.db'}"
    async with serve_sandbox() as sandbox, opened_store(url) as store:
        settings = sandbox.apply(make_settings(database_url=url, run_parse_workers=2))
        scrapers = [
            row.scraper()
            for row in discover_scrapers(settings)
            if row.scraper and row.name in SOURCES
        ]
        clock = FakeClock()
        first = await run_with(settings, store, scrapers, now=clock)
        jobs = await stored_jobs(store)
        clock.advance(3600)
        second = await run_with(settings, store, scrapers, now=clock)
        served_304 = sandbox.conditional.not_modified
        jobs_after = await stored_jobs(store)
    assert len(first.timings.workers) == 2  # the first run parsed in the workers
    assert (first.totals()["not_modified"], second.totals()["not_modified"]) == (0, 19)
    assert (served_304, second.http["not_modified"]) == (19, 19)
    assert (second.status, second.totals()["unchanged"]) == (RunStatus.SUCCESS, len(jobs))
    assert jobs_after == jobs


@pytest.mark.parametrize("workers", [0, 2])
async def test_the_daily_quota_holds_with_requests_from_workers(
    make_settings: SettingsFactory, store: Store, workers: int
) -> None:
    """A quota of 2 and 4 targets: 2 requests sent, 2 targets skipped, with workers or not.

    The quota error raised in the run's process reaches the scraper in its worker and comes
    back as the same skip (invariant 1).
    """
    async with hostile_server() as server:
        settings = configured(
            make_settings,
            workers,
            "fetching",
            server.url(""),
            ["t1", "t2", "t3", "t4"],
            http_defaults=DomainPolicy(retry_attempts=1, daily_quota=2),
            run_concurrency=1,
        )
        report = await run_with(settings, store, [Fetching()])
        sent = server.total_requests

    result = by_name(report)["fetching"]
    assert sent == 2
    assert (result.requests, dict(result.outcomes), result.new) == (2, {"ok": 2, "skipped": 2}, 2)
    assert result.reason is not None and "quota" in result.reason
    assert report.timings.parse_workers == workers


async def test_errors_of_requests_reach_the_scraper_in_a_worker_as_they_are(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    """A detail 404 is skipped by ``detailed_jobs``; a 500 fails the target: same as in-process.

    The HTTP error crosses to the worker with its class and status (the scraper's own
    ``except HTTPStatusError`` reads ``status``) and back with its message.
    """
    reports = []
    async with hostile_server() as server:
        for workers in (0, 2):
            url = f"sqlite:///{tmp_path / f'detail-{workers}.db'}"
            async with opened_store(url) as store:
                targets = ["json", "status/404", "status/500"]
                settings = configured(
                    make_settings, workers, "detailed", server.url(""), targets, database_url=url
                )
                reports.append(await run_with(settings, store, [Detailed()]))
    in_process, pooled = (by_name(report)["detailed"] for report in reports)

    assert (pooled.found, pooled.invalid, dict(pooled.outcomes)) == (3, 1, {"ok": 2, "failed": 1})
    assert "HTTPStatusError" in pooled.errors[0] and "500" in pooled.errors[0]
    assert scraper_counts(reports[1]) == scraper_counts(reports[0])
    assert in_process.errors == pooled.errors


async def test_a_worker_decodes_its_pages_with_the_errors_of_in_process_parsing(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    """A worker gets its pages undecoded and decodes them: same jobs, same errors as in-process.

    JSON (and JSON after a BOM) decodes; HTML fails in the run's process, a truncated body
    in the worker: each target fails with the very message it fails with in-process. The
    invalid UTF-8 bytes a worker replaced are counted in the report as in-process.
    """
    reports = []
    async with hostile_server() as server:
        for workers in (0, 2):
            url = f"sqlite:///{tmp_path / f'decoding-{workers}.db'}"
            async with opened_store(url) as store:
                targets = ["json", "bom", "bad_utf8", "html", "truncated"]
                settings = configured(  # one at a time: the errors in the targets' order
                    make_settings,
                    workers,
                    "decoding",
                    server.url(""),
                    targets,
                    database_url=url,
                    run_concurrency=1,
                )
                reports.append(await run_with(settings, store, [Decoding()]))
    pooled = by_name(reports[1])["decoding"]

    assert (pooled.new, dict(pooled.outcomes)) == (3, {"ok": 3, "failed": 2})
    assert [by_name(report)["decoding"].replaced_bytes for report in reports] == [3, 3]
    assert sorted(error.split(":")[0] for error in pooled.errors) == ["html", "truncated"]
    assert any("expected JSON, got HTML" in error for error in pooled.errors)
    assert any("invalid JSON" in error for error in pooled.errors)
    assert scraper_counts(reports[1]) == scraper_counts(reports[0])
    assert len(reports[1].timings.workers) >= 1


async def test_a_scraper_no_worker_can_import_runs_in_process_logged_once(
    make_settings: SettingsFactory, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    """A class built at run time cannot be re-created in a worker: in-process, one warning."""
    caplog.set_level(logging.WARNING, logger="jobping.orchestrator")
    settings = make_settings(run_min_jobs=0, run_parse_workers=2)
    local = make(Board, "local", targets=("a", "b", "c"), jobs=2)

    report = await run_with(settings, store, [local])

    assert (by_name(report)["local"].new, report.status) == (6, RunStatus.SUCCESS)
    warnings = [r.getMessage() for r in caplog.records if "parse worker" in r.getMessage()]
    assert len(warnings) == 1
    assert warnings[0].startswith("local: cannot run in a parse worker")


async def test_a_scraper_in_a_worker_may_await_anyio(
    make_settings: SettingsFactory, store: Store
) -> None:
    """A plugin awaiting anyio (a checkpoint, a lock) runs in its worker like in-process."""
    settings = configured(make_settings, 2, "sleepy", Sleepy.base_url, ["x", "y"])

    report = await run_with(settings, store, [Sleepy()])

    result = by_name(report)["sleepy"]
    assert (result.new, dict(result.outcomes), result.errors) == (4, {"ok": 2}, [])
    assert len(report.timings.workers) >= 1


async def test_sigterm_stops_a_run_with_workers_and_their_processes(
    make_settings: SettingsFactory, store: Store
) -> None:
    """SIGTERM during a hanging request: the run ends interrupted, the workers are gone.

    The grace period is a FakeClock sleep (no wall-clock wait); the test's own deadline only
    turns a hang into a failure.
    """
    clock = FakeClock(datetime(2026, 12, 1, 9, tzinfo=UTC))
    async with hostile_server() as server:
        settings = configured(make_settings, 2, "stuck", server.url(""), ["t"])
        orchestrator = Orchestrator(
            settings,
            store,
            scrapers=[Stuck()],
            handle_signals=True,
            grace_seconds=1,
            sleep=clock.sleep,
        )
        async with anyio.create_task_group() as group:

            async def interrupt() -> None:
                while server.total_requests == 0:  # noqa: ASYNC110 - the server has no event
                    await anyio.sleep(0.01)
                os.kill(os.getpid(), signal.SIGTERM)

            group.start_soon(interrupt)
            with anyio.fail_after(60):
                report = await orchestrator.run()

    assert report.status == RunStatus.INTERRUPTED
    assert report.interrupted == "interrupted by SIGTERM"
    assert by_name(report)["stuck"].outcomes["stopped"] == 1
    pids = list(report.timings.workers)
    assert pids  # the scraper ran in a worker up to its request
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


async def test_a_worker_killed_by_a_scraper_fails_that_target_only(
    make_settings: SettingsFactory, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    """A plugin that kills its worker fails its target; the others run on (invariant 5)."""
    caplog.set_level(logging.ERROR, logger="jobping.orchestrator")
    settings = configured(
        make_settings, 2, "crashing", Crashing.base_url, ["a", "die", "b", "c"], run_concurrency=1
    )

    report = await run_with(settings, store, [Crashing()])

    result = by_name(report)["crashing"]
    assert (dict(result.outcomes), result.new) == ({"ok": 3, "failed": 1}, 3)
    assert result.errors[0].startswith("die: BrokenProcessPool")
    assert caplog.text.count("a parse worker died") == 1


async def test_while_the_workers_start_one_target_parses_in_the_run_process(
    make_settings: SettingsFactory, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first target parses in the run's process, the others wait for the workers.

    No clock: the workers start once a target parses in the run's process, which goes on
    once they are up. Of three targets at once, that one is parsed there, two in workers.
    """
    monkeypatch.setattr(_parse_pool, "WARM_UP", True)
    start = ParsePool._start
    Where.parsing_here.clear()
    workers_up = Where.workers_up = anyio.Event()

    def held(pool: ParsePool) -> list[ProcessPoolExecutor]:
        assert Where.parsing_here.wait(60)  # only a hang fails here
        workers = start(pool)
        anyio.from_thread.run_sync(workers_up.set)
        return workers

    monkeypatch.setattr(ParsePool, "_start", held)
    settings = configured(
        make_settings, 2, "where", Where.base_url, ["a", "b", "c"], run_concurrency=3
    )

    try:
        with anyio.fail_after(120):  # only turns a hang into a failure
            report = await run_with(settings, store, [Where()])
    finally:
        Where.workers_up = None

    hashes = sorted([stored["job_hash"] for stored in await stored_jobs(store)])
    places = sorted(hash_.rpartition("-")[2] for hash_ in hashes)
    assert places == ["run", "worker", "worker"]
    assert (by_name(report)["where"].new, report.status) == (3, RunStatus.SUCCESS)
    assert len(report.timings.workers) >= 1


def test_a_forkserver_that_cannot_start_early_is_left_to_the_pool(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``start_early`` swallows an OSError (the pool tries again later): False, not started."""

    def refused() -> None:
        raise OSError(28, "No space left on device")

    was_running = _forkserver.running()
    monkeypatch.setattr(multiprocessing.forkserver, "ensure_running", refused)

    assert _forkserver.start_early(2) is False
    assert _forkserver.running() is was_running


async def test_after_an_early_start_every_target_waits_for_the_workers(
    make_settings: SettingsFactory, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the forkserver started early, no target parses in the run's process.

    The workers are up in milliseconds then, and the run's process has its own work; the
    same three targets as above all go to workers.
    """
    monkeypatch.setattr(_parse_pool, "WARM_UP", True)
    monkeypatch.setattr(_parse_pool, "forkserver_running", _forkserver.running)
    assert _forkserver.start_early(2)
    settings = configured(
        make_settings, 2, "where", Where.base_url, ["a", "b", "c"], run_concurrency=3
    )

    with anyio.fail_after(120):  # only turns a hang into a failure
        report = await run_with(settings, store, [Where()])

    hashes = sorted([stored["job_hash"] for stored in await stored_jobs(store)])
    assert sorted(hash_.rpartition("-")[2] for hash_ in hashes) == ["worker"] * 3
    assert (by_name(report)["where"].new, report.status) == (3, RunStatus.SUCCESS)


def test_auto_starts_workers_only_for_a_run_with_enough_targets() -> None:
    """``auto``: every usable core from 16 targets on, else in-process; 1 is in-process."""
    cores = len(os.sched_getaffinity(0))

    assert parse_workers("auto", 15) == 0
    assert parse_workers("auto", 16) == (cores if cores >= 2 else 0)
    assert (parse_workers(0, 100), parse_workers(1, 100), parse_workers(3, 1)) == (0, 0, 3)


def test_the_forkserver_starts_early_only_when_the_run_may_use_workers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``start_early``: 0 and 1 start nothing; 2 starts the forkserver (running once started).

    ``auto`` may use workers only on a machine of two cores or more.
    """
    server = multiprocessing.forkserver._forkserver

    assert (_forkserver.start_early(0), _forkserver.start_early(1)) == (False, False)
    assert _forkserver.may_use_workers("auto") is (_forkserver.cores() >= 2)
    assert _forkserver.start_early(2) is True
    pid = vars(server)["_forkserver_pid"]  # the stdlib exposes no accessor
    assert pid is not None
    assert os.waitpid(pid, os.WNOHANG) == (0, 0)  # still running
    assert _forkserver.start_early(2) is True
    assert vars(server)["_forkserver_pid"] == pid  # the one already running is kept
    assert _forkserver.running()


@pytest.mark.parametrize("value", ["-1", "two", "1.5"])
def test_a_bad_run_parse_workers_names_the_key(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """RUN_PARSE_WORKERS must be 'auto' or a whole number; the error names the key."""
    monkeypatch.setenv("RUN_PARSE_WORKERS", value)

    with pytest.raises(ConfigError, match=r"RUN_PARSE_WORKERS.*'auto' or a whole number"):
        load_settings(env_file=None)


def test_a_checked_job_crosses_processes_with_every_field() -> None:
    """A job pickles and copies as its values' tuple, equal with every field set; ``Checked`` too.

    Pins ``Job.__reduce__``: a field left out of the tuple, or set in the wrong slot, fails.
    """
    values: dict[str, Any] = {
        "source_id": "id-1",
        "location": "Paris, France",
        "city": "Paris",
        "country": "FR",
        "description": "Build things.",
        "experience_required": "senior",
        "work_environment": WorkEnvironment.HYBRID,
        "categories": ("a", "b"),
        "language_requirements": ("fr",),
        "company_profile_url": "https://acme.example",
        "posted_at": datetime(2026, 1, 2, tzinfo=UTC),
        "original_posted_date": "2 Jan",
        "scrape_timestamp": datetime(2026, 1, 3, tzinfo=UTC),
        "last_seen_at": datetime(2026, 1, 4, tzinfo=UTC),
        "is_active": False,
        "scraper_run_id": "run",
        "is_internship": False,
        "is_graduate": True,
        "visa_friendly": True,
        "salary_min": 1.5,
        "salary_max": 2.5,
        "salary_currency": "EUR",
        "salary_period": "year",
        "employment_type": EmploymentType.CONTRACT,
        "employment_type_raw": "Contract",
        "created_at": datetime(2026, 1, 1, tzinfo=UTC),
        "summary": "A job.",
        "enriched_at": datetime(2026, 1, 5, tzinfo=UTC),
        "enrichment_model": "m",
        "enrichment_failures": 2,
    }
    full = job("s", "1", **values)
    defaults = Job(job_hash="h", title="t", company="c", job_url="u", source="s")
    assert all(getattr(full, name) != getattr(defaults, name) for name in values)
    sent = [Checked(full, cut=("title",)), Checked(None, "not a Job: dict")]

    assert pickle.loads(pickle.dumps(full)) == full  # noqa: S301 - our own bytes
    assert copy.copy(full) == full and copy.copy(full) is not full
    assert pickle.loads(pickle.dumps(sent)) == sent  # noqa: S301 - our own bytes
    rebuild, (tuple_,) = full.__reduce__()
    with pytest.raises(ValueError, match=f"a job has {len(tuple_)} values, not {len(tuple_) - 1}"):
        rebuild(tuple_[:-1])
