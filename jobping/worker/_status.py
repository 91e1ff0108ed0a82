"""What ``jobping status`` shows of the workers: who runs, what waits, what failed, what's next.

* workers: procrastinate's (id, last heartbeat) with where each runs (host, pid, from
  ``jobping_workers``) and how many tasks it is running;
* queues: tasks waiting (``todo``), running (``doing``) and failed, per queue;
* failed: the latest failed tasks with their last error (redacted when it was recorded);
* next: the next occurrences of ``[schedule]``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import croniter
from procrastinate import App
from procrastinate.jobs import Job

from jobping.redact import redact_text
from jobping.settings import ScheduleConfig
from jobping.worker._names import QUEUES

__all__ = ["queue_status", "record_failure"]

_MAX_ERROR_CHARS = 500


async def record_failure(app: App, job: Job, error: BaseException, secrets: list[str]) -> None:
    """Keep why a task attempt failed (redacted, cut short) for ``jobping status``."""
    if job.id is None:
        return
    text = redact_text(f"{type(error).__name__}: {error}", secrets)[:_MAX_ERROR_CHARS]
    await app.connector.execute_query_async(
        "INSERT INTO jobping_task_errors (job_id, task_name, attempt, error)"
        " VALUES (%(job_id)s, %(task)s, %(attempt)s, %(error)s)"
        " ON CONFLICT (job_id, attempt) DO UPDATE SET error = EXCLUDED.error",
        job_id=job.id,
        task=job.task_name,
        attempt=job.attempts,
        error=text,
    )


async def queue_status(
    app: App, schedule: ScheduleConfig, *, now: datetime, failed: int = 10
) -> dict[str, Any]:
    """The workers, the queues, the latest failed tasks and the next scheduled occurrences."""
    connector = app.connector
    workers = await connector.execute_query_all_async(
        "SELECT w.id, w.last_heartbeat, j.host, j.pid, j.concurrency,"
        " (SELECT count(*) FROM procrastinate_jobs t"
        "  WHERE t.worker_id = w.id AND t.status = 'doing') AS running"
        " FROM procrastinate_workers w LEFT JOIN jobping_workers j ON j.worker_id = w.id"
        " ORDER BY w.id"
    )
    depth = await connector.execute_query_all_async(
        "SELECT queue_name, status::text AS status, count(*) AS n FROM procrastinate_jobs"
        " WHERE status IN ('todo', 'doing', 'failed') GROUP BY queue_name, status"
    )
    failures = await connector.execute_query_all_async(
        "SELECT j.id, j.task_name, j.queue_name, j.attempts,"
        " (SELECT e.error FROM jobping_task_errors e WHERE e.job_id = j.id"
        "  ORDER BY e.attempt DESC LIMIT 1) AS error,"
        " (SELECT max(v.at) FROM procrastinate_events v WHERE v.job_id = j.id) AS at"
        " FROM procrastinate_jobs j WHERE j.status = 'failed' ORDER BY j.id DESC"
        " LIMIT %(limit)s",
        limit=failed,
    )
    queues = {name: {"todo": 0, "doing": 0, "failed": 0} for name in QUEUES}
    for row in depth:
        queues.setdefault(row["queue_name"], {"todo": 0, "doing": 0, "failed": 0})
        queues[row["queue_name"]][row["status"]] = int(row["n"])
    return {
        "workers": [_worker(row) for row in workers],
        "queues": queues,
        "failed": [_failure(row) for row in failures],
        "next": next_occurrences(schedule, now),
    }


def next_occurrences(schedule: ScheduleConfig, now: datetime) -> dict[str, str]:
    """When each scheduled entry next comes, by key (ISO, UTC)."""
    return {
        key: datetime.fromtimestamp(croniter.croniter(cron, now).get_next(float), UTC).isoformat()
        for key in ("run", "enrich", "cleanup")
        if (cron := getattr(schedule, key)) is not None
    }


def _worker(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "host": row["host"],
        "pid": row["pid"],
        "concurrency": row["concurrency"],
        "last_heartbeat": row["last_heartbeat"].isoformat(),
        "running": int(row["running"]),
    }


def _failure(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "task": row["task_name"],
        "queue": row["queue_name"],
        "attempts": row["attempts"],
        "error": row["error"],
        "at": row["at"].isoformat() if row["at"] else None,
    }
