"""The run lease as a person sees it: who holds it, since when, until when; releasing it.

A holder is named ``host:pid:run_id`` (see ``jobping.orchestrator``); its age is that of
its run, read from the run log. Releasing is a guarded delete of that one holder, so a
lease taken by another run in between is never released by mistake.
"""

from __future__ import annotations

import logging
import socket
from datetime import UTC, datetime
from typing import Any

from jobping.orchestrator import LEASE_NAME, is_dead_local
from jobping.services._store import settings_store
from jobping.settings import Settings
from jobping.store import Store

__all__ = ["describe_lease", "release_run_lease"]

logger = logging.getLogger("jobping.orchestrator")


async def describe_lease(store: Store, *, now: datetime) -> dict[str, Any] | None:
    """The live holder of the run lease as plain data, or None when the lease is free.

    Keys: ``holder``, ``host``, ``pid`` (None if the name has none), ``run_id``,
    ``acquired_at`` and ``age_seconds`` (from the run's start, None if unknown),
    ``expires_at``, ``expires_in_seconds`` and ``process``: ``alive``, ``gone`` (a process
    of this host that no longer exists) or ``unknown`` (another host).
    """
    held = await store.lease_holder(LEASE_NAME, now=now)
    if held is None:
        return None
    holder, expires_at = held
    host, _, rest = holder.partition(":")
    pid_text, _, run_id = rest.partition(":")
    run = await store.get_run(run_id) if run_id else None
    started = run.started_at if run else None
    if is_dead_local(holder):
        process = "gone"
    elif host == socket.gethostname() and pid_text.isdigit():
        process = "alive"
    else:
        process = "unknown"
    return {
        "holder": holder,
        "host": host,
        "pid": int(pid_text) if pid_text.isdigit() else None,
        "run_id": run_id or None,
        "acquired_at": started.isoformat() if started else None,
        "age_seconds": round((now - started).total_seconds(), 1) if started else None,
        "expires_at": expires_at.isoformat(),
        "expires_in_seconds": round((expires_at - now).total_seconds(), 1),
        "process": process,
    }


async def release_run_lease(
    settings: Settings, *, force: bool = False, now: datetime | None = None
) -> dict[str, Any]:
    """Release the run lease if its holder's process is gone, or any holder with ``force``.

    Returns ``released`` (bool), ``lease`` (the holder as :func:`describe_lease` gave it,
    None if the lease was free or expired: nothing to release) and ``reason``. A live
    holder (or one on another host) is released only with ``force``, and that is logged.
    """
    now = now or datetime.now(UTC)
    async with settings_store(settings, create=False) as store:
        lease = await describe_lease(store, now=now)
        if lease is None:
            return {"released": False, "lease": None, "reason": "the run lease is free"}
        if lease["process"] != "gone" and not force:
            reason = (
                f"held by {lease['holder']} ({lease['process']} process) until"
                f" {lease['expires_at']}; use --force to release it anyway"
            )
            return {"released": False, "lease": lease, "reason": reason}
        if force and lease["process"] != "gone":
            logger.warning(
                "releasing the run lease of %s by force (process %s)",
                lease["holder"],
                lease["process"],
            )
        await store.release_lease(LEASE_NAME, lease["holder"])
        released = await store.lease_holder(LEASE_NAME, now=now) is None
        reason = "released" if released else "another run took the lease meanwhile"
        return {"released": released, "lease": lease, "reason": reason}
