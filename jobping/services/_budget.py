"""The budget report: LLM tokens and cost today and this month, against every limit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from jobping.budget import TokenBudget, budget_report, check_price_overrides
from jobping.services._store import settings_store
from jobping.settings import Settings

__all__ = ["gather_budget"]


async def gather_budget(
    settings: Settings, *, clock: Callable[[], datetime] | None = None
) -> dict[str, Any]:
    """The budget report as plain data (see ``jobping.budget.budget_report``).

    Reads the ledger only: works without an API key.
    """
    check_price_overrides(settings)  # before the store is opened
    async with settings_store(settings, create=False) as store:
        return await budget_report(TokenBudget.from_settings(settings, store, clock=clock))
