"""JobPing's tasks, added to a procrastinate app: thin wrappers over ``_run`` and ``_units``.

The tasks are made afresh for each app (a procrastinate task object belongs to the app it
was first added to: one module-level blueprint would defer through the first app's pool).
Every task is retried (a failure, or a graceful stop that hands it back); each is safe to
run again. A worker passes its ``WorkerContext`` in procrastinate's ``additional_context``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable

from procrastinate import App, Blueprint, JobContext, RetryStrategy
from procrastinate.exceptions import ConnectorException

from jobping.settings import ScheduleConfig
from jobping.worker import _run, _schedule, _units
from jobping.worker._context import CONTEXT_KEY, WorkerContext
from jobping.worker._names import ADVANCE, ENRICH_UNIT, NAMESPACE, SCRAPE_UNIT, START_RUN
from jobping.worker._status import record_failure

__all__ = ["add_tasks"]

_RETRY = RetryStrategy(max_attempts=8, exponential_wait=1)
"""Up to 8 attempts, waiting 1, 2, 4 ... seconds (a store hiccup, a graceful stop)."""
_ALL_TIERS = [1, 2, 3]


def _context(job: JobContext) -> WorkerContext:
    found = (job.additional_context or {}).get(CONTEXT_KEY)
    if not isinstance(found, WorkerContext):
        raise RuntimeError("JobPing's tasks run in `jobping worker` (no worker context found)")
    return found


async def _guarded(job: JobContext, work: Callable[[WorkerContext], Awaitable[object]]) -> None:
    """Run ``work``; a failure is recorded (redacted) for ``jobping status``, then raised."""
    context = _context(job)
    try:
        await work(context)
    except Exception as exc:
        with contextlib.suppress(ConnectorException):  # never hide the task's own error
            await record_failure(context.app, job.job, exc, context.settings.secret_values())
        raise


def add_tasks(app: App, schedule: ScheduleConfig | None = None) -> None:
    """Add JobPing's tasks to ``app``, named ``jobping:<name>``, and the ``schedule``'s."""
    blueprint = Blueprint()
    if schedule is not None:
        _add_schedule(blueprint, schedule)

    @blueprint.task(name=START_RUN, queue="runs", pass_context=True, retry=_RETRY)
    async def start_run(context: JobContext, run_id: str, tiers: list[int]) -> None:
        """Create a run and defer its first tasks (nothing if another run holds the lease)."""
        await _guarded(context, lambda ctx: _run.start_run(ctx, run_id, tiers))

    @blueprint.task(name=ADVANCE, queue="runs", pass_context=True, retry=_RETRY)
    async def advance(context: JobContext, run_id: str) -> None:
        """Move a run on: decide the next tier, plan enrichment, or finish it."""
        await _guarded(context, lambda ctx: _run.advance(ctx, run_id))

    @blueprint.task(name=SCRAPE_UNIT, queue="scrape", pass_context=True, retry=_RETRY)
    async def scrape_unit(context: JobContext, run_id: str, unit: str) -> None:
        """Scrape one target of a run."""
        await _guarded(context, lambda ctx: _units.scrape_unit(ctx, run_id, unit))

    @blueprint.task(name=ENRICH_UNIT, queue="enrich", pass_context=True, retry=_RETRY)
    async def enrich_unit(context: JobContext, run_id: str, unit: str) -> None:
        """Enrich one batch of a run's new and updated jobs."""
        await _guarded(context, lambda ctx: _units.enrich_unit(ctx, run_id, unit))

    app.add_tasks_from(blueprint, namespace=NAMESPACE)


def _add_schedule(blueprint: Blueprint, schedule: ScheduleConfig) -> None:
    """The periodic tasks of ``[schedule]`` (each occurrence deferred once, by one worker)."""
    if schedule.run is not None:

        @blueprint.periodic(cron=schedule.run, periodic_id="run")
        @blueprint.task(name="scheduled_run", queue="runs", pass_context=True, retry=_RETRY)
        async def scheduled_run(context: JobContext, timestamp: int) -> None:
            """Start the run of this occurrence (nothing if the previous run still works)."""
            run_id = _schedule.scheduled_run_id(timestamp)
            await _guarded(context, lambda ctx: _run.start_run(ctx, run_id, _ALL_TIERS))

    if schedule.enrich is not None:

        @blueprint.periodic(cron=schedule.enrich, periodic_id="enrich")
        @blueprint.task(name="scheduled_enrich", queue="enrich", pass_context=True)
        async def scheduled_enrich(context: JobContext, timestamp: int) -> None:
            """Enrich the backlog, as far as the budget allows."""
            await _guarded(context, _schedule.enrich_backlog)

    if schedule.cleanup is not None:
        days = schedule.cleanup_after_days

        @blueprint.periodic(cron=schedule.cleanup, periodic_id="cleanup")
        @blueprint.task(name="scheduled_cleanup", queue="runs", pass_context=True)
        async def scheduled_cleanup(context: JobContext, timestamp: int) -> None:
            """Delete old finished tasks and finished runs' task records."""
            await _guarded(context, lambda ctx: _schedule.cleanup(ctx.app, days))
