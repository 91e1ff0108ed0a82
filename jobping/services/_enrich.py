"""Enrich the backlog: the jobs waiting for the LLM, within the budget."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from jobping.budget import TokenBudget, check_price_overrides
from jobping.enrich import Enricher
from jobping.services._store import settings_store
from jobping.settings import Settings

__all__ = ["enrich_backlog"]


async def enrich_backlog(
    settings: Settings, *, limit: int, clock: Callable[[], datetime] | None = None
) -> dict[str, Any]:
    """Enrich up to ``limit`` backlog jobs; the report and the backlog left, as plain data.

    Raises:
        MissingCredential: OPENAI_API_KEY is not set.
    """
    check_price_overrides(settings)  # before the store is opened
    async with settings_store(settings) as store:
        budget = TokenBudget.from_settings(settings, store, clock=clock)
        async with Enricher(settings, store, budget) as enricher:
            report = await enricher.enrich_backlog(limit=limit)
        return report.to_dict() | {"backlog": await store.count_jobs_needing_enrichment()}
