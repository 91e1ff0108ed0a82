"""``jobping enrich``: work through the jobs waiting for LLM enrichment, within the budget."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

import anyio
import typer

from jobping.budget import TokenBudget, check_price_overrides
from jobping.cli._console import emit_json, stdout
from jobping.cli._exit import ExitCode
from jobping.cli._state import AppState
from jobping.enrich import Enricher
from jobping.settings import Settings
from jobping.store import open_store, store_options

__all__ = ["enrich", "enrich_backlog"]


def enrich(
    ctx: typer.Context,
    *,
    limit: Annotated[
        int, typer.Option("--limit", min=1, help="Most jobs to enrich in this run.")
    ] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Enrich jobs of the backlog (newest first) until the limit or the budget is reached."""
    state: AppState = ctx.obj
    settings = state.settings()
    check_price_overrides(settings)
    report = anyio.run(lambda: enrich_backlog(settings, limit=limit))
    if as_json:
        emit_json(report)
    else:
        _render(report)
    if report["stopped"]:
        raise typer.Exit(ExitCode.FAILED)


async def enrich_backlog(
    settings: Settings, *, limit: int, clock: Callable[[], datetime] | None = None
) -> dict[str, Any]:
    """Enrich up to ``limit`` backlog jobs; the report and the backlog left, as plain data.

    Raises:
        MissingCredential: OPENAI_API_KEY is not set.
    """
    store = await open_store(settings.database_url, **store_options(settings))
    try:
        budget = TokenBudget.from_settings(settings, store, clock=clock)
        async with Enricher(settings, store, budget) as enricher:
            report = await enricher.enrich_backlog(limit=limit)
        return report.to_dict() | {"backlog": await store.count_jobs_needing_enrichment()}
    finally:
        await store.close()


def _render(report: dict[str, Any]) -> None:
    console = stdout()
    models = ", ".join(f"{model} {count}" for model, count in report["by_model"].items())
    console.print(
        f"enriched {report['enriched']} ({models or 'no call'}), cost ${report['cost_usd']:.4f};"
        f" skipped for the budget {report['skipped']}; failed {report['failed']}"
    )
    for message in report["errors"]:
        console.print(f"failed: {message}")
    if report["stopped"]:
        console.print(f"stopped: {report['stopped']}")
    console.print(f"jobs waiting for enrichment: {report['backlog']:,}")
