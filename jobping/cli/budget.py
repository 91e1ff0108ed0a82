"""``jobping budget``: LLM tokens and cost today and this month, against every limit.

Reads the ledger only: works without an API key.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

import anyio
import typer
from rich.table import Table

from jobping.budget import TokenBudget, budget_report, check_price_overrides
from jobping.cli._console import emit_json, stdout
from jobping.cli._state import AppState
from jobping.settings import Settings
from jobping.store import open_store, store_options

__all__ = ["budget", "gather_budget"]


def budget(
    ctx: typer.Context,
    *,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Show LLM usage today and this month against the limits, per model and per day."""
    state: AppState = ctx.obj
    settings = state.settings()
    check_price_overrides(settings)
    report = anyio.run(lambda: gather_budget(settings))
    if as_json:
        emit_json(report)
    else:
        _render(report)


async def gather_budget(
    settings: Settings, *, clock: Callable[[], datetime] | None = None
) -> dict[str, Any]:
    """The budget report as plain data (see ``jobping.budget.budget_report``)."""
    store = await open_store(settings.database_url, **store_options(settings))
    try:
        return await budget_report(TokenBudget.from_settings(settings, store, clock=clock))
    finally:
        await store.close()


def _render(report: dict[str, Any]) -> None:
    console = stdout()
    limits = Table("window", "tokens used / limit", "cost used / limit", "reserved", "resets at")
    limits.title = f"LLM budget ({report['timezone']}, {report['now']})"
    for name, window in (("today", report["today"]), ("this month", report["month"])):
        tokens, cost = window["tokens"], window["cost_usd"]
        limits.add_row(
            name,
            f"{tokens['used']:,} / {tokens['limit']:,} ({tokens['share']:.0%})",
            f"${cost['used']:.4f} / ${cost['limit']:.2f} ({cost['share']:.0%})",
            f"{tokens['reserved']:,} tok, ${cost['reserved']:.4f}",
            window["resets_at"][:16].replace("T", " "),
        )
    console.print(limits)
    projection = report["month"]["projection"]
    console.print(
        f"projection to month end: {projection['tokens']:,} tokens"
        f" ({projection['tokens_share']:.0%}), ${projection['cost_usd']:.2f}"
        f" ({projection['cost_share']:.0%})"
    )
    for name in ("today", "month"):
        console.print(_usage_table(f"per model ({name})", "model", report[name]["by_model"]))
    days = [day for day in report["days"] if day["calls"]]
    console.print(_usage_table("per day (last 30 days, days with calls)", "date", days))
    for warning in report["warnings"]:
        console.print(
            f"warning: {warning['share']:.0%} of the {warning['window']} {warning['measure']}"
            f" limit used (threshold {warning['threshold']:.0%})"
        )
    console.print(f"jobs waiting for enrichment: {report['backlog']:,}")


def _usage_table(title: str, key: str, rows: list[dict[str, Any]]) -> Table:
    table = Table(key, "calls", "prompt", "cached", "completion", "reasoning", "cost", title=title)
    for row in rows:
        table.add_row(
            row[key],
            f"{row['calls']:,}",
            f"{row['prompt_tokens']:,}",
            f"{row['cached_tokens']:,}",
            f"{row['completion_tokens']:,}",
            f"{row['reasoning_tokens']:,}",
            f"${row['cost_usd']:.4f}",
        )
    return table
