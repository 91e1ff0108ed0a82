"""``jobping run --enqueue``: defer a run for the workers instead of running it here."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import UTC, datetime

from procrastinate import App
from procrastinate.types import JSONValue

from jobping.worker._names import START_RUN, full_name

__all__ = ["enqueue_run", "new_run_id"]


def new_run_id(now: datetime | None = None) -> str:
    """A run id like ``jobping run``'s: ``20261202T213800Z-1a2b3c4d``."""
    return f"{now or datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


async def enqueue_run(app: App, tiers: Collection[int] = (1, 2, 3)) -> str:
    """Defer a run (its ``start_run`` task); the run's id."""
    run_id = new_run_id()
    numbers: list[JSONValue] = [number for number in sorted(tiers)]
    await app.configure_task(full_name(START_RUN)).defer_async(run_id=run_id, tiers=numbers)
    return run_id
