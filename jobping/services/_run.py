"""One run: settings → store → (sandbox) → enricher → orchestrator, run once, its report."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from contextlib import AsyncExitStack
from datetime import datetime
from typing import TYPE_CHECKING

from jobping.budget import check_price_overrides
from jobping.orchestrator import Orchestrator, RunObserver, RunReport
from jobping.sandbox import Faults, serve_sandbox
from jobping.scraping import (
    Scraper,
    check_configured_scrapers,
    check_configured_targets,
    discover_scrapers,
)
from jobping.settings import Settings
from jobping.store import Store, open_store, store_options

if TYPE_CHECKING:
    from jobping.enrich import Enricher

__all__ = ["execute_run"]


async def execute_run(
    settings: Settings,
    *,
    tiers: Collection[int] = frozenset({1, 2, 3}),
    dry_run: bool = False,
    sandbox: Mapping[str, Faults] | None = None,
    grace_seconds: float = 10.0,
    handle_signals: bool = True,
    on_force: Callable[[], None] | None = None,
    observer: RunObserver | None = None,
    budget_clock: Callable[[], datetime] | None = None,
) -> RunReport:
    """Open the store (and a sandbox with ``sandbox``'s faults, if given) and run once.

    With ``OPENAI_API_KEY`` set, the run enriches the backlog after the tiers (not in a dry
    run), under the budget on ``budget_clock`` (default: now). A sandbox serves OpenAI too
    and sets a placeholder key, so a sandboxed run enriches offline. With
    ``handle_signals``, SIGINT/SIGTERM stop the run gracefully and a second one calls
    ``on_force``.
    """
    check_configured_scrapers(settings, discover_scrapers(settings))
    check_configured_targets(discover_scrapers(settings))
    check_price_overrides(settings)
    async with AsyncExitStack() as stack:
        scrapers: list[Scraper] | None = None
        if sandbox is not None:
            running = await stack.enter_async_context(serve_sandbox(sandbox))
            settings = running.apply(settings)
            scrapers = [
                row.scraper()
                for row in discover_scrapers(settings)
                if row.scraper is not None and row.name in running.base_urls
            ]
        store = await open_store(settings.database_url, **store_options(settings))
        stack.push_async_callback(store.close)
        enricher = None
        if settings.openai_api_key and not dry_run:
            enricher = await stack.enter_async_context(_enricher(settings, store, budget_clock))
        orchestrator = Orchestrator(
            settings,
            store,
            scrapers=scrapers,
            tiers=tiers,
            dry_run=dry_run,
            handle_signals=handle_signals,
            grace_seconds=grace_seconds,
            on_force=on_force,
            observer=observer,
            enricher=enricher,
        )
        return await orchestrator.run()


def _enricher(settings: Settings, store: Store, clock: Callable[[], datetime] | None) -> Enricher:
    """The LLM enricher under the settings' budget (openai is imported only when needed)."""
    from jobping.budget import TokenBudget  # noqa: PLC0415 (heavy, optional)
    from jobping.enrich import Enricher  # noqa: PLC0415 (heavy, optional)

    budget = TokenBudget.from_settings(settings, store, clock=clock)
    return Enricher(settings, store, budget, batch=settings.enrich_batch)
