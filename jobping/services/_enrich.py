"""Enrich the backlog: the jobs waiting for the LLM, within the budget."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

import anyio

from jobping.budget import TokenBudget, check_price_overrides
from jobping.enrich import Enricher, EnrichReport
from jobping.services._store import settings_store
from jobping.settings import Settings

__all__ = ["enrich_backlog"]


async def enrich_backlog(
    settings: Settings,
    *,
    limit: int,
    batch: bool = False,
    clock: Callable[[], datetime] | None = None,
) -> dict[str, Any]:
    """Enrich up to ``limit`` backlog jobs; the report and the backlog left, as plain data.

    Finished Batch API batches are collected first; with ``batch`` the jobs are sent as a
    new batch instead of enriched now. ``interrupted``: SIGTERM or SIGINT stopped it (in
    the main thread only).

    Raises:
        MissingCredential: OPENAI_API_KEY is not set.
    """
    check_price_overrides(settings)  # before the store is opened
    async with settings_store(settings) as store:
        budget = TokenBudget.from_settings(settings, store, clock=clock)
        received: list[str] = []
        report = EnrichReport()
        async with (
            Enricher(settings, store, budget, batch=batch) as enricher,
            anyio.create_task_group() as group,
        ):
            if threading.current_thread() is threading.main_thread():  # where signals arrive
                group.start_soon(_cancel_on_signal, group.cancel_scope, received)
            report = await enricher.enrich_backlog(limit=limit)
            group.cancel_scope.cancel()
        if received:
            report.stopped = f"stopped by {received[0]}: calls in flight were charged"
        backlog = await store.count_jobs_needing_enrichment()
        return report.to_dict() | {"backlog": backlog, "interrupted": bool(received)}


async def _cancel_on_signal(scope: anyio.CancelScope, received: list[str]) -> None:
    """On SIGTERM or SIGINT, cancel the enrichment: its calls in flight are charged (#11).

    Without this, the signal would end the process before the calls in flight were
    settled, and their holds would expire unbilled in the ledger.
    """
    with anyio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
        async for number in signals:
            received.append(signal.Signals(number).name)
            scope.cancel()
            return
