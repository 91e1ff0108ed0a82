"""The run lease: one run works at a time; a crashed run's lease is taken over after its TTL.

The lease lives in the store (one atomic statement per change). The holder renews it every
third of the TTL from a task in the run's task group; a store hiccup is retried on the next
tick, and only when the lease is gone (taken over, or expired while the store failed) is the
run told it lost it.

A holder is named ``host:pid:run_id``. A lease held by a process of this same host that no
longer exists (killed, crashed) is taken over at once instead of waiting for its TTL; a
holder on another host can only be waited out (or released by ``jobping lease release``).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Awaitable, Callable
from datetime import datetime

import anyio

from jobping.errors import LeaseHeld, StoreError
from jobping.models import RunStatus
from jobping.store import LeaseStore, RunLog

__all__ = ["LEASE_NAME", "RunLease", "close_abandoned_runs", "holder_name", "is_dead_local"]

logger = logging.getLogger("jobping.orchestrator")

LEASE_NAME = "run"
"""The name of the run lease in the store."""


def holder_name(run_id: str) -> str:
    """The lease holder name of a run of this process: ``host:pid:run_id``."""
    return f"{socket.gethostname()}:{os.getpid()}:{run_id}"


def is_dead_local(holder: str) -> bool:
    """Whether ``holder`` names a process of this host that no longer exists."""
    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, owned by another user
        return False
    return False


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
        """Take the lease, or raise ``LeaseHeld`` naming the live holder.

        A holder that is a dead process of this host is released first (a guarded delete:
        only that holder's row), then the lease is taken as usual.
        """
        for _ in range(3):  # the holder may change between our statements
            now = self._now()
            expiry = await self._store.acquire_lease(
                LEASE_NAME, self.holder, ttl_seconds=self.ttl_seconds, now=now
            )
            if expiry is not None:
                logger.debug("run lease taken by %s until %s", self.holder, expiry.isoformat())
                self.expires_at = expiry
                return
            held = await self._store.lease_holder(LEASE_NAME, now=now)
            if held is None:
                continue
            if not is_dead_local(held[0]):
                raise LeaseHeld(LEASE_NAME, *held)
            logger.warning("taking over the run lease of %s: its process is gone", held[0])
            await self._store.release_lease(LEASE_NAME, held[0])
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
            logger.debug("run lease renewed until %s", expiry.isoformat())
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
    Its counts are those of its last flushed batch; it ended after ``progress_at``, the last
    time it recorded them, which becomes its ``finished_at``.
    """
    closed = []
    for run in await store.recent_runs(lookback):
        if run.status is RunStatus.RUNNING and run.run_id != current:
            run.status = RunStatus.INTERRUPTED
            progress = run.counts.get("progress_at")
            run.finished_at = datetime.fromisoformat(progress) if progress else run.started_at
            run.errors.append({"scraper": None, "error": "abandoned: its process ended mid-run"})
            await store.save_run(run)
            closed.append(run.run_id)
    return closed
