"""The store by role: each a few methods, atomic by contract; ``Store`` is all of them.

A consumer asks only for the roles it uses (the quota gate a :class:`QuotaLedger`, the
token budget a :class:`BudgetLedger` ...); :func:`jobping.store.open_store` returns a
:class:`Store`, which every backend (SQLite, PostgreSQL, Supabase) implements whole.

Atomic by contract: each counter that must hold across processes (quota, lease, budget)
changes in one guarded statement or one transaction in the database, never by
read-then-write in Python. Every time-dependent call takes ``now`` so tests can use a fake
clock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Sequence
from datetime import date, datetime
from typing import Protocol

from jobping.models import Enrichment, Job, RunRecord
from jobping.store._query import JobFilter
from jobping.store._values import (
    BreakerSnapshot,
    BudgetCounters,
    BudgetHold,
    BudgetUsage,
    EnrichmentBatch,
    QuotaWindow,
    TargetValidators,
    UpsertResult,
    UsageTotal,
)

__all__ = [
    "BreakerStore",
    "BudgetLedger",
    "EnrichmentBacklog",
    "EnrichmentBatches",
    "JobQueries",
    "JobStore",
    "LeaseStore",
    "QuotaLedger",
    "RunLog",
    "Store",
    "ValidatorStore",
]


class JobStore(Protocol):
    """The deduplicated table of postings: batched upserts, lookups, backfill and retirement."""

    async def upsert_jobs(self, jobs: Sequence[Job], *, seen_at: datetime) -> UpsertResult:
        """Insert or refresh a batch in one transaction, idempotently.

        A new job gets ``created_at = last_seen_at = seen_at`` and ``is_active``; a known job
        keeps its first ``created_at``, gets ``last_seen_at = seen_at``, ``is_active`` again,
        and its changed fields. Duplicate hashes within a batch count once (the last wins).
        """
        ...

    async def mark_jobs_seen(
        self, job_hashes: Sequence[str], *, seen_at: datetime, run_id: str
    ) -> int:
        """Mark the stored jobs with these hashes seen now, in one statement; how many.

        ``last_seen_at`` and ``scrape_timestamp`` become ``seen_at``, ``is_active`` true and
        ``scraper_run_id`` ``run_id``; no other column changes. Unknown hashes are ignored.
        """
        ...

    async def get_job(self, job_hash: str) -> Job | None:
        """The stored job with that hash, or None."""
        ...

    async def count_jobs(self, *, active_only: bool = False) -> int:
        """How many jobs are stored (only the active ones if asked)."""
        ...

    async def recent_active_jobs(
        self, *, posted_since: datetime, exclude: Collection[str] = (), limit: int
    ) -> list[Job]:
        """Active jobs posted at or after ``posted_since``, newest first, minus ``exclude``."""
        ...

    async def deactivate_stale(self, *, source: str, last_seen_before: datetime) -> int:
        """Mark the active jobs of ``source`` last seen before the cutoff inactive; count them."""
        ...


class JobQueries(Protocol):
    """The operator's reading of the jobs table (``jobping jobs``), page by page."""

    def iter_jobs(
        self, where: JobFilter, *, limit: int | None = None, page_rows: int = 1000
    ) -> AsyncIterator[Job]:
        """The jobs ``where`` selects, newest first (``created_at`` descending, ``job_hash``).

        Read ``page_rows`` at a time (memory stays constant), at most ``limit`` in all.
        """
        ...


class EnrichmentBacklog(Protocol):
    """The jobs waiting for the LLM, and what enrichment writes back to them."""

    async def jobs_needing_enrichment(self, *, limit: int, max_failures: int = 3) -> list[Job]:
        """Active, unenriched jobs with fewer than ``max_failures`` failures, newest first.

        Newest first means by ``created_at`` descending, then ``job_hash``.
        """
        ...

    async def count_jobs_needing_enrichment(self, *, max_failures: int = 3) -> int:
        """How many jobs :meth:`jobs_needing_enrichment` would give without a limit."""
        ...

    async def save_enrichment(
        self, job_hash: str, enrichment: Enrichment, *, model: str, now: datetime
    ) -> bool:
        """Write the enriched fields, ``summary``, ``enrichment_model`` and ``enriched_at = now``.

        The job leaves the backlog and its claim is cleared. Returns False (and writes
        nothing) if no job has that hash.
        """
        ...

    async def claim_enrichment(
        self,
        holder: str,
        *,
        limit: int,
        ttl_seconds: float,
        now: datetime,
        max_failures: int = 3,
    ) -> list[Job]:
        """Claim up to ``limit`` jobs of the backlog for ``holder``, newest first; the jobs.

        One atomic statement: only jobs nobody holds, or whose claim expired by ``now``, are
        claimed, until ``now + ttl_seconds``; concurrent callers get disjoint sets.
        """
        ...

    async def release_enrichment_claims(self, holder: str, job_hashes: Sequence[str]) -> None:
        """Give back the claims ``holder`` still holds on these jobs (others are untouched)."""

    async def record_enrichment_failure(self, job_hash: str) -> None:
        """Add one to the job's ``enrichment_failures`` and release its claim.

        Nothing if no job has that hash.
        """


class EnrichmentBatches(Protocol):
    """The enrichment batches sent through the Batch API, in flight or collected (#11)."""

    async def save_batch(self, batch: EnrichmentBatch) -> None:
        """Record a submitted batch and its jobs (state ``submitted``), in one transaction.

        Raises:
            StoreError: a batch with that id is already recorded.
        """

    async def enrichment_batches(
        self, *, open_only: bool = False, limit: int = 100
    ) -> list[EnrichmentBatch]:
        """The batches (only those still ``submitted`` if ``open_only``), newest first."""
        ...

    async def take_batch(
        self, batch_id: str, collector: str, *, ttl_seconds: float, now: datetime
    ) -> bool:
        """Take a submitted batch to collect it; False if another collector holds it.

        One guarded statement (compare-and-set): taken only while the batch is
        ``submitted`` and nobody else's take is live (takes expire after ``ttl_seconds``,
        so a crashed collector's batch is taken over).
        """
        ...

    async def finish_batch(
        self, batch_id: str, collector: str, *, state: str, micro_usd: int, now: datetime
    ) -> bool:
        """Set the final ``state`` of a batch ``collector`` took, and what it cost.

        One guarded statement: False (nothing written) unless the batch is still
        ``submitted`` and taken by ``collector``.
        """
        ...


class RunLog(Protocol):
    """The record of each run, as the report leaves it."""

    async def save_run(self, run: RunRecord) -> None:
        """Insert or update the run record (by ``run_id``)."""

    async def get_run(self, run_id: str) -> RunRecord | None:
        """The run with that id, or None."""
        ...

    async def recent_runs(self, limit: int = 20) -> list[RunRecord]:
        """The latest runs, newest first."""
        ...


class LeaseStore(Protocol):
    """Named leases with a holder and an expiry: two runs never work at the same time."""

    async def acquire_lease(
        self, name: str, holder: str, *, ttl_seconds: float, now: datetime
    ) -> datetime | None:
        """Take the lease if free, expired, or already ours; the new expiry, or None if held."""
        ...

    async def renew_lease(
        self, name: str, holder: str, *, ttl_seconds: float, now: datetime
    ) -> datetime | None:
        """Extend a lease we hold; None if it is no longer ours."""
        ...

    async def release_lease(self, name: str, holder: str) -> None:
        """Give the lease up if we hold it."""

    async def lease_holder(self, name: str, *, now: datetime) -> tuple[str, datetime] | None:
        """The live holder and expiry of a lease, or None if it is free or expired."""
        ...


class QuotaLedger(Protocol):
    """Request quota units used per domain and window, consumed all-or-none across processes."""

    async def consume_quota(
        self, domain: str, windows: Sequence[QuotaWindow], amount: int, *, now: datetime
    ) -> bool:
        """Add ``amount`` to every window of ``domain`` if all stay within their limits.

        All windows or none, atomically across processes; returns whether it was granted.
        """
        ...

    async def release_quota(self, domain: str, windows: Sequence[QuotaWindow], amount: int) -> None:
        """Give back ``amount`` unused units to every window (never below zero)."""

    async def quota_used(self, domain: str, window_key: str) -> int:
        """Units used in one window of a domain (0 if never used)."""
        ...

    async def quota_usage(self, window_prefix: str) -> dict[str, int]:
        """Units used per domain in the windows whose key starts with ``window_prefix``."""
        ...


class BreakerStore(Protocol):
    """The circuit breaker of each domain, persisted so the next run knows a site is down."""

    async def save_breaker(self, snapshot: BreakerSnapshot) -> None:
        """Persist one domain's breaker state (insert or replace)."""

    async def load_breakers(self) -> dict[str, BreakerSnapshot]:
        """Every persisted breaker, by domain."""
        ...


class BudgetLedger(Protocol):
    """The LLM budget: holds of a call's worst case, committed usage, and the totals."""

    async def reserve_budget(self, hold: BudgetHold, *, now: datetime) -> bool:
        """Hold ``hold.tokens`` and ``hold.micro_usd`` in every window of ``hold``, or refuse.

        One transaction, atomic across processes:

        1. Drop every reservation with ``expires_at <= now`` (whatever its window) and take
           exactly the amounts of the rows this call removed off their windows' reserved
           counters (PostgreSQL: ``DELETE ... RETURNING`` feeding the ``UPDATE``).
        2. For each window, create its counter row if missing, then add the amounts to the
           reserved counters only where ``reserved + committed + amount <= limit`` holds for
           tokens and for micro-dollars (one guarded ``UPDATE``; 0 rows means refused).
        3. If any window refused, roll the whole transaction back and return False;
           otherwise record one reservation row per window (with ``hold.expires_at``) and
           return True.

        Raises:
            StoreError: ``hold.reservation_id`` is already held.
        """
        ...

    async def commit_budget(self, hold: BudgetHold, usage: BudgetUsage, *, now: datetime) -> bool:
        """Replace the hold by the real usage, in one transaction; idempotent.

        If usage for ``hold.reservation_id`` is already recorded, change nothing and return
        False. Otherwise drop the hold's rows that still exist (not expired and dropped) and
        take their amounts off the reserved counters; add ``usage.tokens`` and
        ``usage.micro_usd`` to the committed counters of every window of ``hold``
        (creating a missing row; never refused: the money is spent, even past the hold or
        after it expired); record the usage row with ``committed_at = now`` and its
        ``outcome``; feed the model's prompt ratio if ``usage.estimated_prompt_tokens`` is
        above 0; return True.
        """
        ...

    async def release_budget(self, reservation_id: str) -> None:
        """Drop the hold's rows and take their amounts off the reserved counters.

        One transaction; idempotent (an unknown, expired-and-dropped or committed id is a
        no-op).
        """

    async def budget_counters(
        self, keys: Sequence[str], *, now: datetime
    ) -> dict[str, BudgetCounters]:
        """Each window's committed counters and its live reservations (``expires_at > now``).

        Every key is in the result; a window never used has zeros.
        """
        ...

    async def prompt_token_ratios(self) -> dict[str, float]:
        """Per model, the prompt tokens reported over those estimated, of the recent calls.

        Fed by each commit whose usage has ``estimated_prompt_tokens`` (in the same
        transaction), as sums that decay by a tenth per call. Models never fed are absent.
        """
        ...

    async def budget_usage_by_model(self, first_day: date, last_day: date) -> list[UsageTotal]:
        """Committed usage per model over the budget days ``first_day..last_day``, by model."""
        ...

    async def budget_usage_by_day(self, first_day: date, last_day: date) -> list[UsageTotal]:
        """Committed usage per budget day (key: ISO date) over the range, oldest first.

        Days without usage are left out.
        """
        ...


class ValidatorStore(Protocol):
    """Per target, what revalidates it: the validators of its last answer and its jobs."""

    async def load_validators(
        self, scraper: str, *, target: str | None = None
    ) -> dict[str, TargetValidators]:
        """The validators saved for the targets of a scraper (or that one), by target."""
        ...

    async def save_validators(self, validators: TargetValidators) -> None:
        """Insert or replace the validators of ``(validators.scraper, validators.target)``."""


class Store(
    JobStore,
    JobQueries,
    EnrichmentBacklog,
    EnrichmentBatches,
    RunLog,
    LeaseStore,
    QuotaLedger,
    BreakerStore,
    BudgetLedger,
    ValidatorStore,
    Protocol,
):
    """Every role on one database, as :func:`~jobping.store.open_store` returns it."""

    @property
    def description(self) -> str:
        """Backend and location, with any password redacted (for ``doctor`` and logs)."""
        ...

    async def close(self) -> None:
        """Release connections; idempotent."""

    async def schema_version(self) -> int:
        """The highest migration version applied."""
        ...
