"""The queries of the PostgreSQL store that need one statement each: a mixin.

:class:`~jobping.store.postgres.PostgresStore` runs the SQL (``_fetch``, on a pooled
connection) and owns the connections, the migrations and the upsert's transaction. Quotas,
leases, the budget ledger and the enrichment failure counter are each one call of a SQL
function: those role methods come from the other mixin,
:class:`~jobping.store._calls.FunctionCalls`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from jobping.models import Enrichment, Job, RunRecord
from jobping.store._query import JobFilter, after_clause, filter_clauses
from jobping.store._rows import (
    aware,
    breaker_from_row,
    breaker_row,
    enrichment_row,
    job_from_row,
    run_from_row,
    run_row,
)
from jobping.store._values import BreakerSnapshot, BudgetCounters, UsageTotal
from jobping.store.postgres import _sql as sql

__all__ = ["PostgresQueries"]


class PostgresQueries:
    """Every role method that is one statement; the store supplies ``_fetch``."""

    async def _fetch(
        self, query: str, params: Sequence[object] | Mapping[str, object] = (), *, rows: bool = True
    ) -> list[tuple[Any, ...]]:
        """Run ``query`` on a pooled connection; its rows (none if ``rows`` is False)."""
        raise NotImplementedError

    # jobs -------------------------------------------------------------------------------
    async def iter_jobs(
        self, where: JobFilter, *, limit: int | None = None, page_rows: int = 1000
    ) -> AsyncIterator[Job]:
        """The jobs ``where`` selects, newest first, read ``page_rows`` at a time."""
        clauses, params = filter_clauses(where, mark="%s", ilike="ILIKE {}", moment=aware)
        left = limit
        after: tuple[object, ...] | None = None
        while left is None or left > 0:
            size = page_rows if left is None else min(page_rows, left)
            page = [*clauses, after_clause("%s")] if after else clauses
            query = sql.SELECT_JOBS + (" WHERE " + " AND ".join(page) if page else "")
            query += " ORDER BY created_at DESC, job_hash LIMIT %s"
            rows = await self._fetch(query, (*params, *(after or ()), size))
            for row in rows:
                yield job_from_row(row[0])
            if len(rows) < size:
                return
            after = (rows[-1][1], rows[-1][1], rows[-1][2])
            left = None if left is None else left - len(rows)

    async def get_job(self, job_hash: str) -> Job | None:
        """The stored job with that hash, or None."""
        rows = await self._fetch(sql.GET_JOB, (job_hash,))
        return job_from_row(rows[0][0]) if rows else None

    async def count_jobs(self, *, active_only: bool = False) -> int:
        """How many jobs are stored (only the active ones if asked)."""
        query = sql.COUNT_JOBS + " WHERE is_active" if active_only else sql.COUNT_JOBS
        return int((await self._fetch(query))[0][0])

    async def recent_active_jobs(
        self, *, posted_since: datetime, exclude: Collection[str] = (), limit: int
    ) -> list[Job]:
        """Active jobs posted at or after ``posted_since``, newest first, minus ``exclude``."""
        params = (aware(posted_since), list(exclude), limit)
        return [job_from_row(row[0]) for row in await self._fetch(sql.RECENT_ACTIVE_JOBS, params)]

    # runs -------------------------------------------------------------------------------
    async def save_run(self, run: RunRecord) -> None:
        """Insert or update the run record (by ``run_id``)."""
        await self._fetch(sql.SAVE_RUN, (json.dumps(run_row(run)),), rows=False)

    async def get_run(self, run_id: str) -> RunRecord | None:
        """The run with that id, or None."""
        rows = await self._fetch(sql.GET_RUN, (run_id,))
        return run_from_row(rows[0][0]) if rows else None

    async def recent_runs(self, limit: int = 20) -> list[RunRecord]:
        """The latest runs, newest first."""
        return [run_from_row(row[0]) for row in await self._fetch(sql.RECENT_RUNS, (limit,))]

    # quotas -----------------------------------------------------------------------------
    async def quota_used(self, domain: str, window_key: str) -> int:
        """Units used in one window of a domain (0 if never used)."""
        rows = await self._fetch(sql.QUOTA_USED, (domain, window_key))
        return int(rows[0][0]) if rows else 0

    async def quota_usage(self, window_prefix: str) -> dict[str, int]:
        """Units used per domain in the windows whose key starts with ``window_prefix``."""
        rows = await self._fetch(sql.QUOTA_USAGE, (window_prefix,))
        return {domain: int(used) for domain, used in rows}

    # breakers ---------------------------------------------------------------------------
    async def save_breaker(self, snapshot: BreakerSnapshot) -> None:
        """Persist one domain's breaker state (insert or replace)."""
        await self._fetch(sql.SAVE_BREAKER, (json.dumps(breaker_row(snapshot)),), rows=False)

    async def load_breakers(self) -> dict[str, BreakerSnapshot]:
        """Every persisted breaker, by domain."""
        snapshots = [breaker_from_row(row[0]) for row in await self._fetch(sql.LOAD_BREAKERS)]
        return {snapshot.domain: snapshot for snapshot in snapshots}

    # run lease --------------------------------------------------------------------------
    async def lease_holder(self, name: str, *, now: datetime) -> tuple[str, datetime] | None:
        """The live holder and expiry of a lease, or None if it is free or expired."""
        rows = await self._fetch(sql.LEASE_HOLDER, (name, aware(now)))
        return (rows[0][0], rows[0][1]) if rows else None

    # enrichment backlog -----------------------------------------------------------------
    async def jobs_needing_enrichment(self, *, limit: int, max_failures: int = 3) -> list[Job]:
        """Active, unenriched jobs with fewer than ``max_failures`` failures, newest first."""
        rows = await self._fetch(sql.BACKLOG, (max_failures, limit))
        return [job_from_row(row[0]) for row in rows]

    async def count_jobs_needing_enrichment(self, *, max_failures: int = 3) -> int:
        """How many jobs wait for enrichment."""
        return int((await self._fetch(sql.COUNT_BACKLOG, (max_failures,)))[0][0])

    async def save_enrichment(
        self, job_hash: str, enrichment: Enrichment, *, model: str, now: datetime
    ) -> bool:
        """Write the enrichment; the job leaves the backlog. False if there is no such job."""
        row = json.dumps(enrichment_row(enrichment, model=model, now=now))
        return bool(await self._fetch(sql.SAVE_ENRICHMENT, (row, job_hash)))

    # budget ledger ----------------------------------------------------------------------
    async def budget_counters(
        self, keys: Sequence[str], *, now: datetime
    ) -> dict[str, BudgetCounters]:
        """Committed usage and live reservations of each window (zeros if never used)."""
        rows = await self._fetch(sql.BUDGET_COUNTERS, (list(keys), aware(now)))
        return {row[0]: BudgetCounters(*row) for row in rows}

    async def prompt_token_ratios(self) -> dict[str, float]:
        """Per model, reported over estimated prompt tokens of the recent calls."""
        return {model: float(ratio) for model, ratio in await self._fetch(sql.PROMPT_RATIOS)}

    async def budget_usage_by_model(self, first_day: date, last_day: date) -> list[UsageTotal]:
        """Committed usage per model over the days ``first_day..last_day``."""
        return [
            UsageTotal(*row) for row in await self._fetch(sql.USAGE_BY_MODEL, (first_day, last_day))
        ]

    async def budget_usage_by_day(self, first_day: date, last_day: date) -> list[UsageTotal]:
        """Committed usage per day over ``first_day..last_day``, oldest first."""
        return [
            UsageTotal(*row) for row in await self._fetch(sql.USAGE_BY_DAY, (first_day, last_day))
        ]
