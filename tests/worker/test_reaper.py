"""The reaper: the tasks of a silent worker go back to the queue, and never block a run."""

from __future__ import annotations

import pytest
from procrastinate import App

from jobping.worker import open_queue
from jobping.worker._names import SCRAPE_UNIT, full_name, unit_lock
from jobping.worker._worker import reap_stalled

pytestmark = [pytest.mark.postgres, pytest.mark.anyio]

STALE = "UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 hour'"


async def defer_unit(app: App, lock: str) -> int:
    """Defer a scrape task with the unit's queueing lock and lock; its id."""
    task = app.configure_task(full_name(SCRAPE_UNIT), queueing_lock=lock, lock=lock)
    return await task.defer_async(run_id="r", unit="1:greenhouse:board-0001")


async def statuses(app: App) -> dict[int, str]:
    """Each task's status, by id."""
    rows = await app.connector.execute_query_all_async(
        "SELECT id, status::text AS status FROM procrastinate_jobs"
    )
    return {int(row["id"]): str(row["status"]) for row in rows}


async def test_a_silent_workers_task_is_handed_back(queue_db: str) -> None:
    """A task ``doing`` on a worker whose heartbeat is stale waits again as ``todo``."""
    async with open_queue(queue_db, pool_max_size=2) as app:
        job_id = await defer_unit(app, unit_lock("r", "1:greenhouse:board-0001"))
        worker = await app.job_manager.register_worker()
        assert (await app.job_manager.fetch_job(None, worker)) is not None
        await app.connector.execute_query_async(STALE)

        assert await reap_stalled(app, 30) == 1
        assert await statuses(app) == {job_id: "todo"}


async def test_a_silent_workers_task_whose_copy_waits_is_ended_and_the_copy_runs(
    queue_db: str,
) -> None:
    """Regression (#14): a stalled task with a waiting copy no longer blocks its unit.

    A retried ``advance`` defers again the units still pending: a unit whose task is
    ``doing`` gets a copy waiting (``todo``, same queueing lock and lock). If that worker
    dies, the task cannot wait again beside its copy (the queueing lock is unique among
    waiting tasks), and left ``doing`` it holds the lock the copy needs: the run never
    ended. The reaper now ends it as aborted; the copy can then be fetched.
    """
    lock = unit_lock("r", "1:greenhouse:board-0001")
    async with open_queue(queue_db, pool_max_size=2) as app:
        stalled = await defer_unit(app, lock)
        worker = await app.job_manager.register_worker()
        assert (await app.job_manager.fetch_job(None, worker)) is not None
        copy = await defer_unit(app, lock)
        assert await app.job_manager.fetch_job(None, worker) is None  # the lock is held
        await app.connector.execute_query_async(STALE)

        assert await reap_stalled(app, 30) == 1
        assert await statuses(app) == {stalled: "aborted", copy: "todo"}
        fetched = await app.job_manager.fetch_job(None, await app.job_manager.register_worker())
        assert fetched is not None
        assert fetched.id == copy
