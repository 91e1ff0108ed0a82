"""``jobping jobs``: the stored jobs as rows for a table or an export, and their statistics.

Jobs are read page by page (``JobQueries.iter_jobs``) and handed on one at a time, so an
export of any size runs in constant memory. :data:`COLUMNS` is the output's columns, in
order: adding a column of the store to every format is adding its name there.
"""

from __future__ import annotations

import enum
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from jobping.models import Job
from jobping.services._store import settings_store
from jobping.settings import Settings
from jobping.store import JobFilter

__all__ = ["COLUMNS", "TABLE_COLUMNS", "job_row", "job_rows", "job_stats"]

COLUMNS = (
    "job_hash", "title", "company", "source", "location", "city", "country",
    "work_environment", "job_url", "posted_at", "created_at", "last_seen_at", "is_active",
    "salary_min", "salary_max", "salary_currency", "salary_period", "categories",
    "experience_required", "enriched_at", "summary",
)  # fmt: skip
"""The columns of every export format, in order (Job field names)."""
TABLE_COLUMNS = ("created_at", "source", "company", "title", "location", "is_active", "job_url")
"""The columns of the terminal table (a narrower view)."""


def job_row(job: Job, columns: tuple[str, ...] = COLUMNS) -> dict[str, Any]:
    """The JSON-ready values of ``columns`` of a job (times ISO 8601, tuples as lists)."""
    return {name: _plain(getattr(job, name)) for name in columns}


def _plain(value: object) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple):
        return list(value)
    return value


async def job_rows(
    settings: Settings,
    where: JobFilter,
    *,
    limit: int | None = None,
    columns: tuple[str, ...] = COLUMNS,
) -> AsyncIterator[dict[str, Any]]:
    """The rows of the jobs ``where`` selects, newest first, streamed from the store."""
    async with settings_store(settings, create=False) as store:
        async for job in store.iter_jobs(where, limit=limit):
            yield job_row(job, columns)


async def job_stats(
    settings: Settings,
    *,
    days: int = 30,
    now: datetime | None = None,
    on_job: Callable[[], None] = lambda: None,
) -> dict[str, Any]:
    """Counts per source, active/inactive, new per day (UTC) and enrichment coverage.

    ``new_per_day`` lists each of the last ``days`` days, oldest first, zeros included;
    coverage is that of the active jobs (inactive ones are never enriched).
    """
    today = (now or datetime.now(UTC)).astimezone(UTC).date()
    first = today - timedelta(days=days - 1)
    per_source: dict[str, Counter[str]] = defaultdict(Counter)
    new: Counter[date] = Counter()
    enriched = 0
    async with settings_store(settings, create=False) as store:
        async for job in store.iter_jobs(JobFilter()):
            state = "active" if job.is_active else "inactive"
            per_source[job.source][state] += 1
            if job.is_active and job.enriched_at is not None:
                enriched += 1
            if (
                job.created_at is not None
                and (day := job.created_at.astimezone(UTC).date()) >= first
            ):
                new[day] += 1
            on_job()
    active = sum(c["active"] for c in per_source.values())
    inactive = sum(c["inactive"] for c in per_source.values())
    return {
        "total": active + inactive,
        "active": active,
        "inactive": inactive,
        "sources": {
            source: {"active": c["active"], "inactive": c["inactive"], "total": c.total()}
            for source, c in sorted(per_source.items())
        },
        "new_per_day": [
            {"day": (day := first + timedelta(days=n)).isoformat(), "new": new[day]}
            for n in range(days)
        ],
        "enrichment": {
            "enriched": enriched,
            "active": active,
            "coverage": round(enriched / active, 4) if active else None,
        },
    }
