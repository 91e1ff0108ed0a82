"""The status: each known domain's breaker and today's quota, the run lease, the last runs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from jobping.http import domain_status
from jobping.models import RunRecord
from jobping.services._lease import describe_lease
from jobping.services._store import settings_store, worker_queue
from jobping.settings import Settings

__all__ = ["gather_status"]


async def gather_status(
    settings: Settings, *, runs: int = 10, now: datetime | None = None
) -> dict[str, Any]:
    """The status as plain data: ``domains``, ``lease`` and ``runs`` (newest first).

    ``lease`` is None when free, else its holder, host, pid, age and expiry
    (``jobping.services._lease.describe_lease``).
    On PostgreSQL with the worker extra, ``queue`` too: workers, queue depth, failed tasks
    and the next scheduled occurrences.
    """
    now = now or datetime.now(UTC)
    async with settings_store(settings, create=False) as store:
        domains = await domain_status(store, settings, now=now)
        lease = await describe_lease(store, now=now)
        recent = await store.recent_runs(runs)
    queue = await _queue(settings, now)
    return {
        "domains": [domain.to_dict() for domain in domains],
        "lease": lease,
        "runs": [_run(record) for record in recent],
    } | ({"queue": queue} if queue is not None else {})


async def _queue(settings: Settings, now: datetime) -> dict[str, Any] | None:
    """The workers' queue (workers, depth, failures, next occurrences), if there is one."""
    worker = worker_queue(settings)
    if worker is None:
        return None
    queue: dict[str, Any] = await worker.queue_status_at(
        settings.database_url, settings.schedule, now=now
    )
    return queue


def _run(record: RunRecord) -> dict[str, Any]:
    return {
        "run_id": record.run_id,
        "status": record.status.value,
        "reason": record.counts.get("reason", ""),
        "started_at": record.started_at.isoformat(),
        "finished_at": record.finished_at.isoformat() if record.finished_at else None,
        "totals": record.counts.get("totals", {}),
        "errors": len(record.errors),
    }
