"""``jobping worker``: one worker process running JobPing's tasks until SIGTERM.

It opens the store and the shared HTTP client once, registers with the queue (its host,
pid, queues and concurrency go in ``jobping_workers`` for ``jobping status``), and runs
procrastinate's worker, which sends a heartbeat every ``heartbeat_seconds``. On SIGTERM or
SIGINT it stops fetching tasks and gives those running ``grace_seconds`` to finish; the
rest are handed back (retried by another worker).

Beside it, a reaper: every few seconds it hands back the tasks of workers whose heartbeat
is older than ``stalled_after_seconds`` (killed with SIGKILL, a machine lost) and forgets
those workers. Every worker runs one; handing a task back twice is harmless.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import anyio
from procrastinate import App
from procrastinate.exceptions import ConnectorException, UniqueViolation
from procrastinate.jobs import Status
from procrastinate.worker import Worker

from jobping.errors import MigrationError
from jobping.http import ScrapeClient
from jobping.orchestrator._runner import ScraperStatsHook
from jobping.scraping import Scraper
from jobping.settings import ScheduleConfig, Settings
from jobping.store import open_store, store_options
from jobping.worker._context import CONTEXT_KEY, WorkerContext
from jobping.worker._metrics import write_queue_metrics_file
from jobping.worker._queue import QUEUES, open_queue
from jobping.worker._schedule import check_schedule
from jobping.worker._schema import queue_schema
from jobping.worker._status import queue_status

__all__ = ["WorkerOptions", "reap_stalled", "run_worker", "write_queue_metrics"]

logger = logging.getLogger("jobping.worker")


@dataclass(frozen=True, slots=True)
class WorkerOptions:
    """How one worker runs."""

    concurrency: int = 8
    """Tasks run at once."""
    queues: Sequence[str] = QUEUES
    grace_seconds: float = 30.0
    """After SIGTERM, how long running tasks may finish before they are handed back."""
    heartbeat_seconds: float = 10.0
    stalled_after_seconds: float = 30.0
    """A worker silent this long is presumed dead: its tasks are handed back."""
    poll_seconds: float = 1.0
    """How often to look for tasks (besides PostgreSQL's notifications)."""
    metrics_file: Path | None = None
    """Where to keep the queue's and workers' figures as Prometheus text (None: nowhere)."""
    metrics_seconds: float = 15.0
    """How often to rewrite ``metrics_file``."""

    def __post_init__(self) -> None:
        if self.stalled_after_seconds <= self.heartbeat_seconds:
            raise ValueError("stalled_after_seconds must be longer than heartbeat_seconds")


async def run_worker(
    settings: Settings, options: WorkerOptions, *, scrapers: Sequence[Scraper] | None = None
) -> None:
    """Run tasks until SIGTERM/SIGINT (see the module's docstring)."""
    check_schedule(settings.schedule)
    hook = ScraperStatsHook()
    store = await open_store(settings.database_url, **store_options(settings))
    try:
        async with (
            ScrapeClient.from_settings(settings, store, hooks=[hook]) as client,
            open_queue(
                settings.database_url,
                pool_max_size=options.concurrency + 4,
                schedule=settings.schedule,
            ) as app,
        ):
            if pending := (await queue_schema(app)).pending:
                raise MigrationError(
                    f"the queue's schema lacks {', '.join(pending)}: run `jobping db migrate`"
                )
            context = WorkerContext(settings, store, client, app, scrapers)
            await _work(app, context, options)
    finally:
        await store.close()


async def _work(app: App, context: WorkerContext, options: WorkerOptions) -> None:
    worker = Worker(
        app,
        queues=list(options.queues),
        name=f"{socket.gethostname()}:{os.getpid()}",
        concurrency=options.concurrency,
        fetch_job_polling_interval=options.poll_seconds,
        shutdown_graceful_timeout=options.grace_seconds,
        additional_context={CONTEXT_KEY: context},
        update_heartbeat_interval=options.heartbeat_seconds,
        stalled_worker_timeout=options.stalled_after_seconds,
    )
    async with anyio.create_task_group() as group:
        group.start_soon(_register, app, worker, options)
        group.start_soon(_reap_forever, app, options.stalled_after_seconds)
        if options.metrics_file is not None:
            group.start_soon(_metrics_forever, app, context, options)
        await worker.run()  # type: ignore[no-untyped-call]  # procrastinate leaves it untyped
        group.cancel_scope.cancel()


async def _register(app: App, worker: Worker, options: WorkerOptions) -> None:
    """Record where this worker runs, once procrastinate has given it an id."""
    while worker.worker_id is None:  # noqa: ASYNC110 - procrastinate sets it, with no event
        await anyio.sleep(0.05)
    await app.connector.execute_query_async(
        "INSERT INTO jobping_workers (worker_id, host, pid, queues, concurrency)"
        " VALUES (%(id)s, %(host)s, %(pid)s, %(queues)s, %(concurrency)s)"
        " ON CONFLICT (worker_id) DO NOTHING",
        id=worker.worker_id,
        host=socket.gethostname(),
        pid=os.getpid(),
        queues=list(options.queues),
        concurrency=options.concurrency,
    )
    logger.info("worker %s ready on queues %s", worker.worker_id, ", ".join(options.queues))


async def _reap_forever(app: App, stalled_after_seconds: float) -> None:
    while True:
        await anyio.sleep(stalled_after_seconds / 3)
        try:
            await reap_stalled(app, stalled_after_seconds)
        except ConnectorException as exc:
            logger.warning("could not look for stalled tasks (will retry): %s", exc)


async def _metrics_forever(app: App, context: WorkerContext, options: WorkerOptions) -> None:
    """Rewrite the metrics file every ``metrics_seconds``; a failure is logged, not fatal."""
    path = options.metrics_file
    while path is not None:
        try:
            await write_queue_metrics(app, context.settings.schedule, path)
        except (OSError, ConnectorException) as exc:
            logger.warning("could not write the metrics file (will retry): %s", exc)
        await anyio.sleep(options.metrics_seconds)


async def write_queue_metrics(app: App, schedule: ScheduleConfig, path: Path) -> None:
    """Write the queue's and workers' figures to ``path`` (atomically)."""
    now = datetime.now(UTC)
    status = await queue_status(app, schedule, now=now)
    await anyio.to_thread.run_sync(lambda: write_queue_metrics_file(path, status, now=now))


async def reap_stalled(app: App, stalled_after_seconds: float) -> int:
    """Hand back the tasks of workers silent for ``stalled_after_seconds``; how many.

    A task whose copy already waits (the same queueing lock: a retried ``advance`` deferred
    it again) cannot wait twice: it is ended as aborted, which frees its lock for the copy
    (left ``doing``, it would block the copy, and the run, for good).
    """
    manager = app.job_manager
    jobs = await manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after_seconds)
    handed = 0
    for job in jobs:
        try:
            try:
                await manager.retry_job(job)
            except UniqueViolation:
                await manager.finish_job(job, Status.ABORTED, delete_job=False)
        except ConnectorException:  # another worker handed it back first
            continue
        handed += 1
        logger.warning("task %s of a silent worker handed back: %s", job.id, job.call_string)
    await manager.prune_stalled_workers(stalled_after_seconds)
    return handed
