"""The Supabase store's calls that are one request each: a mixin over the REST plumbing.

:class:`~jobping.store.supabase.SupabaseStore` supplies the plumbing (a query builder per
table, ``rpc()``, pages, counts) and owns the upsert. Every atomic operation is one
``rpc()`` of the SQL function the PostgreSQL backend calls with the same arguments: those
role methods come from the other mixin, :class:`~jobping.store._calls.FunctionCalls`; the
rest, here, are PostgREST filters. Lists that can outgrow a URL (backfill's ``exclude``) or
one response are read page by page.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Collection, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from jobping.models import Enrichment, Job, RunRecord, WorkEnvironment
from jobping.store._query import JobFilter, like_pattern
from jobping.store._rows import (
    breaker_from_row,
    breaker_row,
    enrichment_row,
    iso,
    job_from_row,
    moment_or_none,
    run_from_row,
    run_row,
)
from jobping.store._values import BreakerSnapshot, BudgetCounters, UsageTotal

__all__ = ["PAGE_ROWS", "SupabaseQueries"]

#: Rows per page when reading a whole table (Supabase answers at most 1,000 by default).
PAGE_ROWS = 1000
_USAGE_SUMS = (
    "prompt_tokens",
    "cached_tokens",
    "completion_tokens",
    "reasoning_tokens",
    "micro_usd",
)


class SupabaseQueries:
    """Every role method that is one request (or a few pages); the store does the I/O."""

    def _table(self, name: str) -> Any:
        """A PostgREST query builder on table ``name``."""
        raise NotImplementedError

    def _head_count(self, table: str) -> Any:
        """A ``HEAD`` query of ``table`` asking for an exact count of the filtered rows."""
        raise NotImplementedError

    def _patch(self, table: str, values: Mapping[str, Any]) -> Any:
        """An update of ``table`` that returns no rows, only their exact count."""
        raise NotImplementedError

    async def _upsert(self, table: str, rows: list[dict[str, Any]], *, on_conflict: str) -> None:
        """Insert or merge ``rows`` into ``table`` on the ``on_conflict`` key."""
        raise NotImplementedError

    async def _rows(self, query: Any) -> list[dict[str, Any]]:
        """The rows a query returns."""
        raise NotImplementedError

    async def _count(self, query: Any) -> int:
        """The exact count a query's response carries."""
        raise NotImplementedError

    def _pages(
        self, query: Callable[[], Any], size: int = PAGE_ROWS
    ) -> AsyncIterator[dict[str, Any]]:
        """Every row of an ordered query, page by page."""
        raise NotImplementedError

    async def get_job(self, job_hash: str) -> Job | None:
        """The stored job with that hash, or None."""
        rows = await self._rows(self._table("jobs_view").select("*").eq("job_hash", job_hash))
        return job_from_row(rows[0]) if rows else None

    async def count_jobs(self, *, active_only: bool = False) -> int:
        """How many jobs are stored (only the active ones if asked)."""
        query = self._head_count("jobs")
        return await self._count(query.eq("is_active", True) if active_only else query)

    async def recent_active_jobs(
        self, *, posted_since: datetime, exclude: Collection[str] = (), limit: int
    ) -> list[Job]:
        """Active jobs posted at or after ``posted_since``, newest first, minus ``exclude``.

        ``exclude`` may be long, so it is applied here, page by page, not in the URL.
        """
        since, excluded = iso(posted_since), frozenset(exclude)
        if limit <= 0:
            return []

        def page() -> Any:
            return (
                self._table("jobs_view")
                .select("*")
                .eq("is_active", True)
                .gte("posted_at", since)
                .order("posted_at", desc=True)
                .order("job_hash")
            )

        found: list[Job] = []
        async for row in self._pages(page, min(PAGE_ROWS, limit + len(excluded))):
            if row["job_hash"] not in excluded:
                found.append(job_from_row(row))
            if len(found) == limit:
                break
        return found

    async def iter_jobs(
        self, where: JobFilter, *, limit: int | None = None, page_rows: int = PAGE_ROWS
    ) -> AsyncIterator[Job]:
        """The jobs ``where`` selects, newest first, one ``Range`` page at a time."""
        if limit is not None and limit <= 0:
            return
        size = min(page_rows, limit) if limit is not None else page_rows

        def page() -> Any:
            query = _job_filter(self._table("jobs_view").select("*"), where)
            return query.order("created_at", desc=True).order("job_hash")

        count = 0
        async for row in self._pages(page, size):
            yield job_from_row(row)
            count += 1
            if count == limit:
                return

    async def save_run(self, run: RunRecord) -> None:
        """Insert or update the run record (``on_conflict=run_id``)."""
        await self._upsert("runs", [run_row(run)], on_conflict="run_id")

    async def get_run(self, run_id: str) -> RunRecord | None:
        """The run with that id, or None."""
        rows = await self._rows(self._table("runs").select("*").eq("run_id", run_id))
        return run_from_row(rows[0]) if rows else None

    async def recent_runs(self, limit: int = 20) -> list[RunRecord]:
        """The latest runs, newest first."""
        query = self._table("runs").select("*").order("started_at", desc=True)
        rows = await self._rows(query.order("run_id", desc=True).limit(limit))
        return [run_from_row(row) for row in rows]

    # quotas -----------------------------------------------------------------------------
    async def quota_used(self, domain: str, window_key: str) -> int:
        """Units used in one window of a domain (0 if never used)."""
        query = self._table("quota_usage").select("used").eq("domain", domain)
        rows = await self._rows(query.eq("window_key", window_key))
        return int(rows[0]["used"]) if rows else 0

    async def quota_usage(self, window_prefix: str) -> dict[str, int]:
        """Units used per domain in the windows whose key starts with ``window_prefix``."""
        usage: dict[str, int] = {}

        def page() -> Any:  # LIKE matches a superset (of _ and %): startswith decides
            query = self._table("quota_usage").select("domain,window_key,used")
            return query.like("window_key", f"{window_prefix}*").order("domain").order("window_key")

        async for row in self._pages(page):
            if row["window_key"].startswith(window_prefix):
                usage[row["domain"]] = usage.get(row["domain"], 0) + int(row["used"])
        return usage

    # breakers ---------------------------------------------------------------------------
    async def save_breaker(self, snapshot: BreakerSnapshot) -> None:
        """Persist one domain's breaker state (``on_conflict=domain``)."""
        await self._upsert("breakers", [breaker_row(snapshot)], on_conflict="domain")

    async def load_breakers(self) -> dict[str, BreakerSnapshot]:
        """Every persisted breaker, by domain."""
        snapshots: dict[str, BreakerSnapshot] = {}
        async for row in self._pages(lambda: self._table("breakers").select("*").order("domain")):
            snapshots[row["domain"]] = breaker_from_row(row)
        return snapshots

    # run lease --------------------------------------------------------------------------
    async def lease_holder(self, name: str, *, now: datetime) -> tuple[str, datetime] | None:
        """The live holder and expiry of a lease, or None if it is free or expired."""
        query = self._table("leases").select("holder,expires_at").eq("name", name)
        rows = await self._rows(query.gt("expires_at", iso(now)))
        expiry = moment_or_none(rows[0]["expires_at"]) if rows else None
        return (rows[0]["holder"], expiry) if expiry else None

    # enrichment backlog -----------------------------------------------------------------
    async def jobs_needing_enrichment(self, *, limit: int, max_failures: int = 3) -> list[Job]:
        """Active, unenriched jobs with fewer than ``max_failures`` failures, newest first."""
        query = _backlog(self._table("jobs_view").select("*"), max_failures)
        rows = await self._rows(query.order("created_at", desc=True).order("job_hash").limit(limit))
        return [job_from_row(row) for row in rows]

    async def count_jobs_needing_enrichment(self, *, max_failures: int = 3) -> int:
        """How many jobs wait for enrichment."""
        return await self._count(_backlog(self._head_count("jobs"), max_failures))

    async def save_enrichment(
        self, job_hash: str, enrichment: Enrichment, *, model: str, now: datetime
    ) -> bool:
        """Write the enrichment; the job leaves the backlog. False if there is no such job."""
        row = enrichment_row(enrichment, model=model, now=now)
        return await self._count(self._patch("jobs", row).eq("job_hash", job_hash)) > 0

    # budget ledger ----------------------------------------------------------------------
    async def budget_counters(
        self, keys: Sequence[str], *, now: datetime
    ) -> dict[str, BudgetCounters]:
        """Committed usage and live reservations of each window (zeros if never used)."""
        wanted = list(keys)
        counters = {
            row["window_key"]: row
            for row in await self._rows(
                self._table("budget_counters").select("*").in_("window_key", wanted)
            )
        }
        reserved = {key: [0, 0] for key in wanted}

        def page() -> Any:
            query = self._table("budget_reservations").select(
                "reservation_id,window_key,tokens,micro_usd"
            )
            query = query.in_("window_key", wanted).gt("expires_at", iso(now))
            return query.order("reservation_id").order("window_key")

        async for row in self._pages(page):
            reserved[row["window_key"]][0] += int(row["tokens"])
            reserved[row["window_key"]][1] += int(row["micro_usd"])
        return {
            key: BudgetCounters(
                key,
                int(counters.get(key, {}).get("tokens_committed", 0)),
                int(counters.get(key, {}).get("micro_usd_committed", 0)),
                *reserved[key],
            )
            for key in wanted
        }

    async def prompt_token_ratios(self) -> dict[str, float]:
        """Per model, reported over estimated prompt tokens of the recent calls."""
        rows = await self._rows(self._table("budget_prompt_ratios").select("*"))
        return {row["model"]: float(row["reported"]) / float(row["estimated"]) for row in rows}

    async def budget_usage_by_model(self, first_day: date, last_day: date) -> list[UsageTotal]:
        """Committed usage per model over the days ``first_day..last_day``."""
        return _totals(await self._usage(first_day, last_day), "model")

    async def budget_usage_by_day(self, first_day: date, last_day: date) -> list[UsageTotal]:
        """Committed usage per day over ``first_day..last_day``, oldest first."""
        return _totals(await self._usage(first_day, last_day), "day")

    async def _usage(self, first_day: date, last_day: date) -> list[dict[str, Any]]:
        def page() -> Any:
            query = self._table("budget_usage").select(
                "reservation_id,model,day,outcome," + ",".join(_USAGE_SUMS)
            )
            query = query.gte("day", first_day.isoformat()).lte("day", last_day.isoformat())
            return query.order("reservation_id")

        return [row async for row in self._pages(page)]


def _job_filter(query: Any, where: JobFilter) -> Any:
    """``query`` narrowed by ``where`` with PostgREST's operators (as ``_query`` does in SQL)."""
    if where.source is not None:
        query = query.eq("source", where.source)
    if where.company is not None:
        query = query.ilike("company", like_pattern(where.company))
    if where.remote is not None:
        remote = WorkEnvironment.REMOTE.value
        query = query.eq(_ENV, remote) if where.remote else query.neq(_ENV, remote)
    if where.active is not None:
        query = query.eq("is_active", where.active)
    if where.since is not None:
        query = query.gte("created_at", iso(where.since))
    if where.search is not None:
        quoted = '"' + like_pattern(where.search).replace("\\", "\\\\").replace('"', '\\"') + '"'
        query = query.or_(",".join(f"{c}.ilike.{quoted}" for c in ("title", "company", "location")))
    return query


_ENV = "work_environment"


def _backlog(query: Any, max_failures: int) -> Any:
    """Filter ``query`` down to the enrichment backlog."""
    query = query.is_("enriched_at", "null").eq("is_active", True)
    return query.lt("enrichment_failures", max_failures)


def _totals(rows: Iterable[Mapping[str, Any]], key: str) -> list[UsageTotal]:
    """Usage rows summed per ``key`` (model or day), sorted by it."""
    sums: dict[str, list[int]] = {}
    for row in rows:
        total = sums.setdefault(str(row[key]), [0] * (len(_USAGE_SUMS) + 4))
        total[0] += 1
        for i, name in enumerate(_USAGE_SUMS, start=1):
            total[i] += int(row[name])
        outcome = row.get("outcome", "answered")
        if outcome == "lost":
            total[-3] += 1
            total[-2] += int(row["micro_usd"])
        total[-1] += outcome == "overshoot"
    return [UsageTotal(name, *total) for name, total in sorted(sums.items())]
