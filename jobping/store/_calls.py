"""Calls of the SQL functions of ``migrations/postgres``: one definition for both backends.

Every counter that must hold across processes (quota, lease, budget, enrichment failures)
changes only inside one of these functions. A :class:`SqlFunctionCall` names the function
and its arguments by name, as JSON values: the Supabase backend posts them to
``/rest/v1/rpc/<name>`` and the psycopg backend runs :attr:`SqlFunctionCall.sql` with them
(``name => value`` notation, so the server casts each value to the parameter's type).
:class:`FunctionCalls` is the store side: a mixin with every role method that is one such
call, for both backends, over the backend's ``_call``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jobping.models import Job
from jobping.store._rows import (
    batch_from_row,
    batch_line_rows,
    batch_row,
    check_amount,
    iso,
    job_from_row,
    moment_or_none,
    validators_from_row,
    validators_row,
)
from jobping.store._values import (
    BudgetHold,
    BudgetUsage,
    EnrichmentBatch,
    QuotaWindow,
    TargetValidators,
)

__all__ = [
    "FunctionCalls",
    "SqlFunctionCall",
    "acquire_lease",
    "claim_enrichment",
    "commit_budget",
    "consume_quota",
    "deactivate_stale",
    "enrichment_batches",
    "finish_batch",
    "load_validators",
    "mark_jobs_seen",
    "record_enrichment_failure",
    "release_budget",
    "release_enrichment_claims",
    "release_lease",
    "release_quota",
    "renew_lease",
    "reserve_budget",
    "save_batch",
    "save_validators",
    "take_batch",
]


@dataclass(frozen=True, slots=True)
class SqlFunctionCall:
    """One call of a JobPing SQL function: its name and its arguments (JSON values)."""

    function: str
    params: dict[str, Any]

    @property
    def sql(self) -> str:
        """``SELECT function(p_a => %(p_a)s, ...)``, for psycopg with :attr:`params`."""
        arguments = ", ".join(f"{name} => %({name})s" for name in self.params)
        return f"SELECT {self.function}({arguments})"


def consume_quota(domain: str, windows: Sequence[QuotaWindow], amount: int) -> SqlFunctionCall:
    """Add ``amount`` to every window of ``domain`` if all stay within limits (a boolean)."""
    check_amount(amount)
    return SqlFunctionCall(
        "jobping_consume_quota",
        {
            "p_domain": domain,
            "p_window_keys": [window.key for window in windows],
            "p_limits": [window.limit for window in windows],
            "p_amount": amount,
        },
    )


def release_quota(domain: str, windows: Sequence[QuotaWindow], amount: int) -> SqlFunctionCall:
    """Give ``amount`` back to every window of ``domain``, never below zero."""
    check_amount(amount)
    params = {"p_domain": domain, "p_window_keys": [w.key for w in windows], "p_amount": amount}
    return SqlFunctionCall("jobping_release_quota", params)


def _lease(
    function: str, name: str, holder: str, ttl_seconds: float, now: datetime
) -> SqlFunctionCall:
    params = {"p_name": name, "p_holder": holder, "p_ttl_seconds": ttl_seconds, "p_now": iso(now)}
    return SqlFunctionCall(function, params)


def acquire_lease(name: str, holder: str, ttl_seconds: float, now: datetime) -> SqlFunctionCall:
    """Take the lease if free, expired or ours (the new expiry, or null)."""
    return _lease("jobping_acquire_lease", name, holder, ttl_seconds, now)


def renew_lease(name: str, holder: str, ttl_seconds: float, now: datetime) -> SqlFunctionCall:
    """Extend a lease we hold (the new expiry, or null)."""
    return _lease("jobping_renew_lease", name, holder, ttl_seconds, now)


def release_lease(name: str, holder: str) -> SqlFunctionCall:
    """Give the lease up if we hold it."""
    return SqlFunctionCall("jobping_release_lease", {"p_name": name, "p_holder": holder})


def reserve_budget(hold: BudgetHold, now: datetime) -> SqlFunctionCall:
    """Hold the worst case in every window of ``hold``, or refuse (a boolean)."""
    return SqlFunctionCall(
        "jobping_reserve_budget",
        {
            "p_reservation_id": hold.reservation_id,
            "p_window_keys": [window.key for window in hold.windows],
            "p_token_limits": [window.token_limit for window in hold.windows],
            "p_cost_limits_micro_usd": [window.cost_limit_micro_usd for window in hold.windows],
            "p_tokens": hold.tokens,
            "p_micro_usd": hold.micro_usd,
            "p_expires_at": iso(hold.expires_at),
            "p_now": iso(now),
        },
    )


def commit_budget(hold: BudgetHold, usage: BudgetUsage, now: datetime) -> SqlFunctionCall:
    """Replace the hold by the real usage (a boolean: False if already committed)."""
    return SqlFunctionCall(
        "jobping_commit_budget",
        {
            "p_reservation_id": hold.reservation_id,
            "p_window_keys": [window.key for window in hold.windows],
            "p_model": usage.model,
            "p_day": usage.day.isoformat(),
            "p_prompt_tokens": usage.prompt_tokens,
            "p_cached_tokens": usage.cached_tokens,
            "p_completion_tokens": usage.completion_tokens,
            "p_reasoning_tokens": usage.reasoning_tokens,
            "p_micro_usd": usage.micro_usd,
            "p_now": iso(now),
            "p_outcome": usage.outcome,
            "p_estimated_prompt_tokens": usage.estimated_prompt_tokens,
        },
    )


def release_budget(reservation_id: str) -> SqlFunctionCall:
    """Drop a hold and give its amounts back; idempotent."""
    return SqlFunctionCall("jobping_release_budget", {"p_reservation_id": reservation_id})


def record_enrichment_failure(job_hash: str) -> SqlFunctionCall:
    """Count one more failed enrichment of a job."""
    return SqlFunctionCall("jobping_record_enrichment_failure", {"p_job_hash": job_hash})


def claim_enrichment(
    holder: str, limit: int, ttl_seconds: float, now: datetime, max_failures: int
) -> SqlFunctionCall:
    """Claim up to ``limit`` unclaimed jobs of the backlog (a JSON array of rows)."""
    return SqlFunctionCall(
        "jobping_claim_enrichment",
        {
            "p_holder": holder,
            "p_limit": limit,
            "p_max_failures": max_failures,
            "p_ttl_seconds": ttl_seconds,
            "p_now": iso(now),
        },
    )


def release_enrichment_claims(holder: str, job_hashes: Sequence[str]) -> SqlFunctionCall:
    """Give back the claims ``holder`` still holds on these jobs."""
    params = {"p_holder": holder, "p_job_hashes": list(job_hashes)}
    return SqlFunctionCall("jobping_release_enrichment_claims", params)


def save_batch(batch: EnrichmentBatch) -> SqlFunctionCall:
    """Record a submitted batch and its jobs."""
    params = {"p_batch": batch_row(batch), "p_lines": batch_line_rows(batch)}
    return SqlFunctionCall("jobping_save_batch", params)


def enrichment_batches(open_only: bool, limit: int) -> SqlFunctionCall:
    """The batches, newest first, each with its jobs (a JSON array)."""
    return SqlFunctionCall(
        "jobping_enrichment_batches", {"p_open_only": open_only, "p_limit": limit}
    )


def take_batch(batch_id: str, collector: str, ttl_seconds: float, now: datetime) -> SqlFunctionCall:
    """Take a submitted batch to collect it (a boolean)."""
    params = {
        "p_batch_id": batch_id,
        "p_collector": collector,
        "p_ttl_seconds": ttl_seconds,
        "p_now": iso(now),
    }
    return SqlFunctionCall("jobping_take_batch", params)


def finish_batch(
    batch_id: str, collector: str, state: str, micro_usd: int, now: datetime
) -> SqlFunctionCall:
    """Set the final state of a taken batch (a boolean)."""
    params = {
        "p_batch_id": batch_id,
        "p_collector": collector,
        "p_state": state,
        "p_micro_usd": micro_usd,
        "p_now": iso(now),
    }
    return SqlFunctionCall("jobping_finish_batch", params)


def load_validators(scraper: str, target: str | None) -> SqlFunctionCall:
    """The saved validators of the targets of a scraper, or of one (a JSON array of objects)."""
    return SqlFunctionCall("jobping_load_validators", {"p_scraper": scraper, "p_target": target})


def save_validators(validators: TargetValidators) -> SqlFunctionCall:
    """Insert or replace the validators of one target."""
    params = {f"p_{name}": value for name, value in validators_row(validators).items()}
    return SqlFunctionCall("jobping_save_validators", params)


def mark_jobs_seen(job_hashes: Sequence[str], seen_at: datetime, run_id: str) -> SqlFunctionCall:
    """Mark these stored jobs seen (how many were)."""
    params = {"p_job_hashes": list(job_hashes), "p_seen_at": iso(seen_at), "p_run_id": run_id}
    return SqlFunctionCall("jobping_mark_jobs_seen", params)


def deactivate_stale(source: str, last_seen_before: datetime) -> SqlFunctionCall:
    """Mark the active jobs of ``source`` last seen before the cutoff inactive (how many)."""
    params = {"p_source": source, "p_last_seen_before": iso(last_seen_before)}
    return SqlFunctionCall("jobping_deactivate_stale", params)


class FunctionCalls:
    """Every role method that is one call of a SQL function: a mixin; the store has ``_call``.

    Each method sends the call that the function of the same name above builds.
    """

    async def _call(self, call: SqlFunctionCall) -> Any:
        """Run one SQL function call; the value it returns."""
        raise NotImplementedError

    async def consume_quota(
        self, domain: str, windows: Sequence[QuotaWindow], amount: int, *, now: datetime
    ) -> bool:
        """Add ``amount`` to every window if all stay within their limits; all or none.

        One call of ``jobping_consume_quota``; ``now`` is not needed: the keys name the period.
        """
        return bool(await self._call(consume_quota(domain, windows, amount)))

    async def release_quota(self, domain: str, windows: Sequence[QuotaWindow], amount: int) -> None:
        """Give back ``amount`` unused units to every window (never below zero)."""
        await self._call(release_quota(domain, windows, amount))

    async def acquire_lease(
        self, name: str, holder: str, *, ttl_seconds: float, now: datetime
    ) -> datetime | None:
        """Take the lease if free, expired, or already ours; the new expiry, or None if held."""
        return moment_or_none(await self._call(acquire_lease(name, holder, ttl_seconds, now)))

    async def renew_lease(
        self, name: str, holder: str, *, ttl_seconds: float, now: datetime
    ) -> datetime | None:
        """Extend a lease we hold (even past its expiry, if nobody took it); else None."""
        return moment_or_none(await self._call(renew_lease(name, holder, ttl_seconds, now)))

    async def release_lease(self, name: str, holder: str) -> None:
        """Give the lease up if we hold it."""
        await self._call(release_lease(name, holder))

    async def claim_enrichment(
        self,
        holder: str,
        *,
        limit: int,
        ttl_seconds: float,
        now: datetime,
        max_failures: int = 3,
    ) -> list[Job]:
        """Claim up to ``limit`` jobs of the backlog for ``holder`` (SKIP LOCKED), newest first."""
        rows = await self._call(claim_enrichment(holder, limit, ttl_seconds, now, max_failures))
        return [job_from_row(row) for row in rows or ()]

    async def release_enrichment_claims(self, holder: str, job_hashes: Sequence[str]) -> None:
        """Give back the claims ``holder`` still holds on these jobs."""
        if job_hashes:
            await self._call(release_enrichment_claims(holder, job_hashes))

    async def record_enrichment_failure(self, job_hash: str) -> None:
        """Count one more failed enrichment of the job and release its claim."""
        await self._call(record_enrichment_failure(job_hash))

    async def reserve_budget(self, hold: BudgetHold, *, now: datetime) -> bool:
        """Hold the worst case in every window if all stay within their limits, or refuse."""
        return bool(await self._call(reserve_budget(hold, now)))

    async def commit_budget(self, hold: BudgetHold, usage: BudgetUsage, *, now: datetime) -> bool:
        """Replace the hold by the real usage; False if this reservation was already committed."""
        return bool(await self._call(commit_budget(hold, usage, now)))

    async def release_budget(self, reservation_id: str) -> None:
        """Drop the hold and give its amounts back; idempotent."""
        await self._call(release_budget(reservation_id))

    async def save_batch(self, batch: EnrichmentBatch) -> None:
        """Record a submitted batch and its jobs."""
        await self._call(save_batch(batch))

    async def enrichment_batches(
        self, *, open_only: bool = False, limit: int = 100
    ) -> list[EnrichmentBatch]:
        """The batches (only the submitted ones if ``open_only``), newest first."""
        rows = await self._call(enrichment_batches(open_only, limit))
        return [batch_from_row(row) for row in rows or ()]

    async def take_batch(
        self, batch_id: str, collector: str, *, ttl_seconds: float, now: datetime
    ) -> bool:
        """Take a submitted batch to collect it; False if another collector holds it."""
        return bool(await self._call(take_batch(batch_id, collector, ttl_seconds, now)))

    async def finish_batch(
        self, batch_id: str, collector: str, *, state: str, micro_usd: int, now: datetime
    ) -> bool:
        """Set the final state of a batch ``collector`` took; False if not its own."""
        return bool(await self._call(finish_batch(batch_id, collector, state, micro_usd, now)))

    async def load_validators(
        self, scraper: str, *, target: str | None = None
    ) -> dict[str, TargetValidators]:
        """The validators saved for the targets of a scraper (or that one), by target."""
        rows = await self._call(load_validators(scraper, target))
        saved = [validators_from_row(row) for row in rows or ()]
        return {validators.target: validators for validators in saved}

    async def save_validators(self, validators: TargetValidators) -> None:
        """Insert or replace the validators of one target."""
        await self._call(save_validators(validators))

    async def mark_jobs_seen(
        self, job_hashes: Sequence[str], *, seen_at: datetime, run_id: str
    ) -> int:
        """Mark the stored jobs with these hashes seen, in one statement; how many."""
        if not job_hashes:
            return 0
        return int(await self._call(mark_jobs_seen(job_hashes, seen_at, run_id)))

    async def deactivate_stale(self, *, source: str, last_seen_before: datetime) -> int:
        """Mark the active jobs of ``source`` last seen before the cutoff inactive; count them."""
        return int(await self._call(deactivate_stale(source, last_seen_before)))
