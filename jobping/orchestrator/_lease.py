"""The run lease: one run works at a time; a crashed run's lease is taken over after its TTL.

The lease lives in the store (one atomic statement per change). The holder renews it every
third of the TTL from a task in the run's task group; a store hiccup is retried on the next
tick, and only when the lease is gone (taken over, or expired while the store failed) is the
run told it lost it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

import anyio

from jobping.errors import LeaseHeld, StoreError
from jobping.models import RunStatus
from jobping.store import LeaseStore, RunLog

__all__ = ["LEASE_NAME", "RunLease", "close_abandoned_runs"]

logger = logging.getLogger("jobping.orchestrator")

LEASE_NAME = "run"
"""The name of the run lease in the store."""


class RunLease:
    """The run lease of one run: acquire, keep renewed, release."""

    def __init__(
        self,
        store: LeaseStore,
        *,
        holder: str,
        ttl_seconds: float,
        now: Callable[[], datetime],
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    ) -> None:
        self.holder = holder
        self.ttl_seconds = ttl_seconds
        self.expires_at: datetime | None = None
        self._store = store
        self._now = now
        self._sleep = sleep

    def __repr__(self) -> str:
        until = self.expires_at.isoformat() if self.expires_at else "not held"
        return f"<RunLease {LEASE_NAME!r} {self.holder} {until}>"

    async def acquire(self) -> None:
        """Take the lease, or raise ``LeaseHeld`` naming the live holder."""
        for _ in range(2):  # the holder may release it between our two statements
            now = self._now()
            expiry = await self._store.acquire_lease(
                LEASE_NAME, self.holder, ttl_seconds=self.ttl_seconds, now=now
            )
            if expiry is not None:
                self.expires_at = expiry
                return
            if held := await self._store.lease_holder(LEASE_NAME, now=now):
                raise LeaseHeld(LEASE_NAME, *held)
        raise LeaseHeld(LEASE_NAME, "another run", now)

    async def keep_renewed(self, on_lost: Callable[[str], None]) -> None:
        """Renew every third of the TTL until cancelled; call ``on_lost`` if the lease is gone."""
        while True:
            await self._sleep(self.ttl_seconds / 3)
            now = self._now()
            try:
                expiry = await self._store.renew_lease(
                    LEASE_NAME, self.holder, ttl_seconds=self.ttl_seconds, now=now
                )
            except StoreError as exc:
                logger.warning("could not renew the run lease (will retry): %s", exc)
                if self.expires_at is not None and now < self.expires_at:
                    continue
                expiry = None
            if expiry is None:
                on_lost(f"lost the run lease ({LEASE_NAME!r}): another run took it over")
                return
            self.expires_at = expiry

    async def release(self) -> None:
        """Give the lease up (shielded: it runs while the run is being cancelled)."""
        with anyio.CancelScope(shield=True):
            await self._store.release_lease(LEASE_NAME, self.holder)
        self.expires_at = None


async def close_abandoned_runs(store: RunLog, *, current: str, lookback: int = 20) -> list[str]:
    """Mark runs still recorded as running (their process died) interrupted; their ids.

    Call it holding the lease: no other run can be working, so a ``running`` record other
    than ``current`` belongs to a process that died without finishing (kill -9, a crash).
    """
    closed = []
    for run in await store.recent_runs(lookback):
        if run.status is RunStatus.RUNNING and run.run_id != current:
            run.status = RunStatus.INTERRUPTED
            run.errors.append({"scraper": None, "error": "abandoned: its process ended mid-run"})
            await store.save_run(run)
            closed.append(run.run_id)
    return closed
