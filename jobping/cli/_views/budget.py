"""``jobping budget``'s report as tables: the limits, the projection, per model, per day."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from jobping.cli._console import stdout

__all__ = ["render_budget"]


def render_budget(report: dict[str, Any]) -> None:
    """The budget report (``jobping.services.gather_budget``) on stdout."""
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
    if report["batches"]:
        console.print(_batches_table(report["batches"]))
    console.print(f"jobs waiting for enrichment: {report['backlog']:,}")


def _batches_table(batches: list[dict[str, Any]]) -> Table:
    table = Table(
        "batch", "model", "state", "jobs", "submitted", "reserved", "cost", title="Batch API"
    )
    for batch in batches:
        table.add_row(
            batch["batch_id"],
            batch["model"],
            batch["state"],
            f"{batch['jobs']:,}",
            batch["submitted_at"][:16].replace("T", " "),
            f"${batch['reserved_usd']:.4f}",
            f"${batch['cost_usd']:.4f}",
        )
    return table


def _usage_table(title: str, key: str, rows: list[dict[str, Any]]) -> Table:
    table = Table(
        key,
        "calls",
        "prompt",
        "cached",
        "completion",
        "reasoning",
        "cost",
        "charged, answer lost",
        "overshoots",
        title=title,
    )
    for row in rows:
        table.add_row(
            row[key],
            f"{row['calls']:,}",
            f"{row['prompt_tokens']:,}",
            f"{row['cached_tokens']:,}",
            f"{row['completion_tokens']:,}",
            f"{row['reasoning_tokens']:,}",
            f"${row['cost_usd']:.4f}",
            f"{row['lost_answers']:,} (${row['lost_answers_cost_usd']:.4f})",
            f"{row['overshoots']:,}",
        )
    return table
