"""A run spread over real ``jobping worker`` processes: the same result as ``jobping run``.

Each test serves a sandbox with faults from its own event loop, runs it once with
``jobping run`` into one schema and once with workers into another, and compares the two
jobs tables (modulo timestamps) and the per-scraper counts.
"""

from __future__ import annotations

import json
import random
import signal
import sys
from datetime import UTC, datetime

import anyio
import pytest
from procrastinate import App

from jobping.models import RunStatus
from jobping.sandbox import SOURCES, Faults, Scale, serve_sandbox
from jobping.worker import enqueue_run, open_queue
from jobping.worker._book import RunBook
from jobping.worker._enqueue import new_run_id
from tests.helpers import opened_store
from tests.worker.cluster import (
    WAIT_SECONDS,
    all_jobs,
    cluster,
    differences,
    finished_run,
    per_scraper,
    run_phase,
    sandbox_env,
    until_done,
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.anyio]

FAULTS = {
    "lever": Faults(down=True),
    "ashby": Faults(malformed="truncated"),
    "reed": Faults(rate_limited=True, retry_after_seconds=0),
}
"""One source down, one answering garbage, one rate-limited (its requests retried)."""


async def reference_run(env: dict[str, str]) -> str:
    """``python -m jobping run --json`` in a process; the run's id (it must not fail)."""
    command = [sys.executable, "-m", "jobping", "run", "--json"]
    result = await anyio.run_process(command, env=env, check=False)
    assert result.returncode in (0, 3), result.stderr.decode()[-3000:]
    run_id: str = json.loads(result.stdout)["run_id"]
    return run_id


async def test_three_workers_store_the_same_jobs_and_counts_as_jobping_run(
    queue_db: str, other_db: str
) -> None:
    """Sandbox with faults: the same jobs table and per-scraper counts, run status and tiers.

    The workers' report sums its HTTP requests from its units: the total is what the
    sandbox served during the run, plus the attempts refused by the source that is down.
    """
    async with serve_sandbox(FAULTS, scale=Scale(6, 25)) as sandbox:
        reference_id = await reference_run(sandbox_env(sandbox, other_db))
        env = sandbox_env(sandbox, queue_db)
        before = sum(sandbox.requests.values())
        async with cluster(env, "--concurrency", "4") as workers:
            await workers.start(3)
            async with open_queue(queue_db) as app:
                run_id = await enqueue_run(app)
            await until_done(queue_db, run_id, workers)
            assert await workers.stop() == [0, 0, 0], workers.logs()
        served = sum(sandbox.requests.values()) - before

    async with opened_store(other_db) as alone, opened_store(queue_db) as spread:
        expected, record = (
            await finished_run(alone, reference_id),
            await finished_run(spread, run_id),
        )
        assert differences(await all_jobs(spread), await all_jobs(alone)) == ""
        assert per_scraper(record) == per_scraper(expected)
        assert (record.status, record.counts["tiers"][1]["ran"]) == (
            expected.status,
            expected.counts["tiers"][1]["ran"],
        )
    assert record.status is RunStatus.DEGRADED  # lever and ashby failed
    rows = {row["name"]: row for row in record.counts["scrapers"]}
    assert rows["lever"]["status"] == "failed"
    assert record.counts["http"]["requests"] == served + rows["lever"]["requests"] > served


async def test_workers_killed_at_ten_random_moments_lose_and_duplicate_nothing(
    queue_db: str, other_db: str
) -> None:
    """SIGKILL a worker 10 times mid-run (a new one replaces it): the run completes, right.

    Killed workers' tasks go to the others once their heartbeat is stale; every target's
    jobs are stored once (the jobs table equals a ``jobping run``'s), each scraper's
    counts are those of a run that was never interrupted, and the run lease is released.
    """
    faults = {name: Faults(slow_seconds=1.0) for name in SOURCES}
    seed = random.randrange(2**32)  # noqa: S311 - kill moments, not secrets
    moments = random.Random(seed)  # noqa: S311 - kill moments, not secrets
    async with serve_sandbox(faults, scale=Scale(10, 20)) as sandbox:
        reference_id = await reference_run(sandbox_env(sandbox, other_db))
        env = sandbox_env(sandbox, queue_db)
        args = ("--concurrency", "3", "--heartbeat-seconds", "1", "--stalled-after-seconds", "15")
        async with cluster(env, *args) as workers:
            await workers.start(3)
            async with open_queue(queue_db) as app:
                run_id = await enqueue_run(app)
            killed = 0
            with anyio.fail_after(WAIT_SECONDS):
                while killed < 10 and await run_phase(queue_db, run_id) != "done":
                    await anyio.sleep(moments.uniform(0.2, 1.5))  # a random moment to kill at
                    alive = [p for p in workers.processes if p.returncode is None]
                    victim = moments.choice(alive)
                    victim.send_signal(signal.SIGKILL)
                    assert await victim.wait() == -signal.SIGKILL
                    killed += 1
                    await workers.start(1)
            await until_done(queue_db, run_id, workers)
            await workers.stop()

    async with opened_store(other_db) as alone, opened_store(queue_db) as spread:
        expected, record = (
            await finished_run(alone, reference_id),
            await finished_run(spread, run_id),
        )
        jobs = await all_jobs(spread)
        assert per_scraper(record) == per_scraper(expected), f"seed {seed}"
        assert differences(jobs, await all_jobs(alone)) == "", f"seed {seed}"
        assert record.counts["totals"]["found"] == len(jobs)  # each job counted once
        assert record.status is expected.status
        assert await spread.lease_holder("run", now=record.finished_at or record.started_at) is None


async def test_sigterm_hands_running_tasks_back_and_the_run_completes_elsewhere(
    queue_db: str,
) -> None:
    """SIGTERM with no grace: the worker exits 0 at once; a new worker finishes every target.

    The tasks it was running are handed back as it stops: none is left ``doing`` (which
    only the reaper would free, once its heartbeat is stale); each waits as ``todo``.
    """
    faults = {name: Faults(slow_seconds=2.0) for name in SOURCES}
    async with serve_sandbox(faults, scale=Scale(2, 5)) as sandbox:
        env = sandbox_env(sandbox, queue_db)
        async with cluster(env, "--grace-seconds", "0", "--concurrency", "4") as workers:
            [first] = await workers.start(1)
            async with open_queue(queue_db) as app:
                run_id = await enqueue_run(app)
                with anyio.fail_after(WAIT_SECONDS):
                    while not await running_units(app):  # noqa: ASYNC110 - another process
                        await anyio.sleep(0.1)
                first.send_signal(signal.SIGTERM)
                with anyio.fail_after(WAIT_SECONDS):
                    assert await first.wait() == 0, workers.logs()
                assert await running_units(app) == 0
                assert await handed_back_units(app) > 0
            await workers.start(1)
            await until_done(queue_db, run_id, workers)
            await workers.stop()

    async with opened_store(queue_db) as store:
        record = await finished_run(store, run_id)
        assert record.status is RunStatus.SUCCESS
        assert record.counts["totals"]["found"] == await store.count_jobs() > 0
        assert {row["status"] for row in record.counts["scrapers"]} == {"ok"}


async def running_units(app: App) -> int:
    """How many scrape tasks are running."""
    rows = await app.connector.execute_query_all_async(
        "SELECT count(*) AS n FROM procrastinate_jobs"
        " WHERE status = 'doing' AND task_name = 'jobping:scrape_unit'"
    )
    return int(rows[0]["n"])


async def handed_back_units(app: App) -> int:
    """How many scrape tasks wait to be tried again (``todo``, tried before)."""
    rows = await app.connector.execute_query_all_async(
        "SELECT count(*) AS n FROM procrastinate_jobs"
        " WHERE status = 'todo' AND attempts > 0 AND task_name = 'jobping:scrape_unit'"
    )
    return int(rows[0]["n"])


async def test_a_run_recorded_by_a_start_task_that_died_is_planned_by_advance(
    queue_db: str,
) -> None:
    """Regression (#14): start_run killed right after recording the run; tier 1 still runs.

    The run row exists (phase ``new``) with no unit; a retried start task only defers
    ``advance``, which must plan tier 1 rather than decide tier 2 on an empty tier 1.
    """
    async with serve_sandbox({}, scale=Scale(2, 5)) as sandbox:
        env = sandbox_env(sandbox, queue_db)
        async with cluster(env) as workers:
            async with open_queue(queue_db) as app:
                run_id = new_run_id()
                book = RunBook(app)
                started = datetime.now(UTC)
                await book.create(run_id, started_at=started, tiers=[1, 2, 3], snapshot={})
                await app.configure_task("jobping:start_run").defer_async(
                    run_id=run_id, tiers=[1, 2, 3]
                )
            await workers.start(1)
            await until_done(queue_db, run_id, workers)
            await workers.stop()

    async with opened_store(queue_db) as store:
        record = await finished_run(store, run_id)
    tiers = {tier["tier"]: tier for tier in record.counts["tiers"]}
    assert tiers[1]["ran"]
    assert not tiers[2]["ran"]
    assert record.counts["totals"]["found"] > 0
