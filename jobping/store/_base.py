"""The Store contract: every backend (SQLite, PostgreSQL, Supabase) keeps these semantics.

Atomic by contract: each counter that must hold across processes (quota, lease) changes in
one guarded statement or one transaction in the database, never by read-then-write in Python.
Every time-dependent call takes ``now`` so tests can use a fake clock.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from jobping.models import Job, RunRecord

__all__ = ["BreakerSnapshot", "QuotaWindow", "Store", "UpsertResult"]


@dataclass(frozen=True, slots=True)
class UpsertResult:
    """How many jobs of a batch were new, changed, or already stored as they are."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: UpsertResult) -> UpsertResult:
        return UpsertResult(
            self.new + other.new, self.updated + other.updated, self.unchanged + other.unchanged
        )


@dataclass(frozen=True, slots=True)
class QuotaWindow:
    """One quota window of a domain: ``key`` names the window instance (``day:2026-11-23``)."""

    key: str
    limit: int


@dataclass(frozen=True, slots=True)
class BreakerSnapshot:
    """The persisted state of one domain's circuit breaker."""

    domain: str
    state: str
    failures: int
    opened_at: datetime | None
    retry_at: datetime | None
    cooldown_seconds: float


class Store(Protocol):
    """What the orchestrator, the HTTP client and the CLI need from a database."""

    @property
    def description(self) -> str:
        """Backend and location, with any password redacted (for ``doctor`` and logs)."""
        ...

    async def close(self) -> None:
        """Release connections; idempotent."""

    async def schema_version(self) -> int:
        """The highest migration version applied."""
        ...

    # jobs -------------------------------------------------------------------------------
    async def upsert_jobs(self, jobs: Sequence[Job], *, seen_at: datetime) -> UpsertResult:
        """Insert or refresh a batch in one transaction, idempotently.

        A new job gets ``created_at = last_seen_at = seen_at`` and ``is_active``; a known job
        keeps its first ``created_at``, gets ``last_seen_at = seen_at``, ``is_active`` again,
        and its changed fields. Duplicate hashes within a batch count once (the last wins).
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

    # runs -------------------------------------------------------------------------------
    async def save_run(self, run: RunRecord) -> None:
        """Insert or update the run record (by ``run_id``)."""

    async def get_run(self, run_id: str) -> RunRecord | None:
        """The run with that id, or None."""
        ...

    async def recent_runs(self, limit: int = 20) -> list[RunRecord]:
        """The latest runs, newest first."""
        ...

    # quotas -----------------------------------------------------------------------------
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

    # breakers ---------------------------------------------------------------------------
    async def save_breaker(self, snapshot: BreakerSnapshot) -> None:
        """Persist one domain's breaker state (insert or replace)."""

    async def load_breakers(self) -> dict[str, BreakerSnapshot]:
        """Every persisted breaker, by domain."""
        ...

    # run lease --------------------------------------------------------------------------
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
