"""``jobping scrapers``: every installed scraper, its tier, domains, targets, and readiness."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from jobping.cli._console import emit_json
from jobping.cli._state import AppState

if TYPE_CHECKING:
    from jobping.scraping import ScraperInfo

__all__ = ["scrapers"]


def scrapers(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON.")] = False,
) -> None:
    """List the built-in and plugin scrapers (entry-point group jobping.scrapers) and their state.

    A plugin that fails to import, or repeats a name, is shown as "not ready" with the reason;
    so is a scraper whose API key is not set.
    """
    from jobping.cli._views.scrapers import render_scrapers  # noqa: PLC0415 (rich)
    from jobping.scraping import (  # noqa: PLC0415 (fast start-up)
        check_configured_scrapers,
        discover_scrapers,
    )

    state: AppState = ctx.obj
    settings = state.settings()
    rows = discover_scrapers(settings)
    check_configured_scrapers(settings, rows)
    if as_json:
        emit_json([_as_dict(row) for row in rows])
        return
    render_scrapers(rows)


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
