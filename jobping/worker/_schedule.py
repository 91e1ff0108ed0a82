"""``[schedule]``: runs, enrichment and cleanup started by the workers, without cron.

Each entry is a procrastinate periodic task. Every worker's deferrer offers each occurrence,
and the database takes one per (task, occurrence): however many workers run, one starts it;
as long as one is up (within procrastinate's ten-minute catch-up), none is lost. A run also
takes the run lease, so a run still going when the next occurrence comes makes that one a
no-op, logged: runs never overlap.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import croniter
from procrastinate import App

from jobping.errors import ConfigError
from jobping.settings import ScheduleConfig
from jobping.worker._context import WorkerContext

__all__ = ["check_schedule", "cleanup", "enrich_backlog", "scheduled_run_id"]

logger = logging.getLogger("jobping.worker")


def check_schedule(schedule: ScheduleConfig) -> None:
    """``ConfigError`` naming ``schedule.<key>`` for each cron expression that is not one."""
    problems = {
        f"schedule.{key}": f"not a cron expression: {text!r} (like '*/15 * * * *')"
        for key in ("run", "enrich", "cleanup")
        if (text := getattr(schedule, key)) is not None and not croniter.croniter.is_valid(text)
    }
    if problems:
        raise ConfigError(problems)


def scheduled_run_id(timestamp: int) -> str:
    """The id of the run of one occurrence (the same for every worker that sees it)."""
    return f"{datetime.fromtimestamp(timestamp, UTC):%Y%m%dT%H%M%SZ}-scheduled"


async def enrich_backlog(ctx: WorkerContext) -> None:
    """Enrich up to ``schedule.enrich_limit`` backlog jobs (claimed, under the budget)."""
    from jobping.budget import TokenBudget  # noqa: PLC0415 (heavy, optional)
    from jobping.enrich import Enricher  # noqa: PLC0415 (heavy, optional)

    settings = ctx.settings
    if settings.openai_api_key is None:
        logger.warning("scheduled enrichment skipped: OPENAI_API_KEY is not set")
        return
    budget = TokenBudget.from_settings(settings, ctx.store)
    async with Enricher(settings, ctx.store, budget) as enricher:
        result = await enricher.enrich_backlog(limit=settings.schedule.enrich_limit)
    logger.info("scheduled enrichment: %s", result.to_dict())


async def cleanup(app: App, days: int) -> None:
    """Delete finished tasks, and the task records of runs finished, older than ``days``."""
    await app.job_manager.delete_old_jobs(nb_hours=24 * days, include_failed=True)
    cutoff = datetime.now(UTC) - timedelta(days=days)
    await app.connector.execute_query_async(
        "DELETE FROM jobping_worker_runs WHERE phase = 'done' AND finished_at < %(cutoff)s",
        cutoff=cutoff,
    )
    logger.info("cleanup: finished tasks and runs older than %d days deleted", days)
