"""``jobping scrapers``: every installed scraper, its tier, domains, targets, and readiness."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from jobping.cli._console import emit_json, stdout
from jobping.cli._state import AppState
from jobping.scraping import ScraperInfo, check_configured_scrapers, discover_scrapers

__all__ = ["scrapers"]


def scrapers(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON.")] = False,
) -> None:
    """List the built-in and plugin scrapers (entry-point group jobping.scrapers) and their state.

    A plugin that fails to import, or repeats a name, is shown as "not ready" with the reason;
    so is a scraper whose API key is not set.
    """
    state: AppState = ctx.obj
    settings = state.settings()
    rows = discover_scrapers(settings)
    check_configured_scrapers(settings, rows)
    if as_json:
        emit_json([_as_dict(row) for row in rows])
        return
    table = Table(title="scrapers (--json adds where each comes from)")
    table.add_column("name", no_wrap=True)
    table.add_column("tier", no_wrap=True)
    for column in ("domains", "targets", "status"):
        table.add_column(column)
    for row in rows:
        tier = row.tier or "-"
        table.add_row(
            row.name,
            tier if row.enabled else f"{tier} (disabled)",
            ", ".join(row.domains),
            ", ".join(row.targets),
            row.status,
        )
    stdout().print(table)


def _as_dict(row: ScraperInfo) -> dict[str, object]:
    return {
        "name": row.name,
        "origin": row.origin,
        "tier": row.tier,
        "enabled": row.enabled,
        "domains": list(row.domains),
        "targets": list(row.targets),
        "ready": row.ready,
        "status": row.status,
    }
