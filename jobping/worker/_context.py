"""What every task of a worker process shares: settings, store, HTTP client, queue."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import anyio
from procrastinate import App

from jobping.http import ScrapeClient
from jobping.scraping import Scraper
from jobping.settings import Settings
from jobping.store import Store
from jobping.worker._book import RunBook, RunRow

__all__ = ["CONTEXT_KEY", "WorkerContext", "snapshot"]

CONTEXT_KEY = "jobping"
"""The key of the ``WorkerContext`` in procrastinate's ``additional_context``."""

_SNAPSHOT_PREFIX = "run_"


def _utcnow() -> datetime:
    return datetime.now(UTC)


def snapshot(settings: Settings) -> dict[str, Any]:
    """The settings a run keeps from when it was created (``run_*``: tiers, batch, limits)."""
    data = settings.model_dump(mode="json")
    return {key: value for key, value in data.items() if key.startswith(_SNAPSHOT_PREFIX)}


@dataclass(slots=True)
class WorkerContext:
    """One per worker process: every task it runs uses these."""

    settings: Settings
    store: Store
    client: ScrapeClient
    app: App
    scrapers: Sequence[Scraper] | None = None
    """The scrapers to plan with (default: every installed one)."""
    now: Callable[[], datetime] = _utcnow
    limiter: anyio.CapacityLimiter = field(init=False)

    def __post_init__(self) -> None:
        self.limiter = anyio.CapacityLimiter(self.settings.run_concurrency)

    @property
    def book(self) -> RunBook:
        """The run tables."""
        return RunBook(self.app)

    def settings_for(self, run: RunRow) -> Settings:
        """This worker's settings with the run's snapshot applied."""
        return self.settings.model_copy(update=run.snapshot)
