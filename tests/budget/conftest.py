"""Fixtures of the budget tests: a SQLite store, a fake clock, a TokenBudget on both."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from jobping.budget import BudgetLimits, PriceTable, TokenBudget
from jobping.store import Store
from jobping.testing import FakeClock
from tests.budget import NOW
from tests.helpers import opened_store

MakeBudget = Callable[..., TokenBudget[Store]]
LIMITS = BudgetLimits(
    daily_tokens=100_000,
    monthly_tokens=1_000_000,
    daily_micro_usd=50_000,
    monthly_micro_usd=500_000,
)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    """A fresh SQLite store."""
    async with opened_store(f"sqlite:///{tmp_path / 'budget.db'}") as opened:
        yield opened


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock at 2026-11-23 09:30 UTC."""
    return FakeClock(NOW)


@pytest.fixture
def make_budget(store: Store, clock: FakeClock) -> MakeBudget:
    """A TokenBudget on the store and the fake clock; keyword arguments change it."""

    def make(**changes: Any) -> TokenBudget[Store]:
        options: dict[str, Any] = {
            "prices": PriceTable.load(),
            "limits": LIMITS,
            "tz": ZoneInfo("UTC"),
            "clock": clock,
        }
        options |= changes
        return TokenBudget(store, options.pop("prices"), options.pop("limits"), **options)

    return make
