"""``jobping demo``'s story: yesterday's verdict, today's report, today's LLM budget."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.text import Text

from jobping.cli._views.run import render_report
from jobping.orchestrator import RunReport
from jobping.services import DEMO_FAULTS

__all__ = ["render_demo"]


def render_demo(
    yesterday: RunReport, today: RunReport, budget: dict[str, Any], console: Console
) -> None:
    """Both runs and today's budget, as the demo tells them."""
    console.print(Text(f"yesterday (all sources healthy, tier 1 only): {_outcome(yesterday)}"))
    faults = "; ".join(f"{name} {fault}" for name, fault in DEMO_FAULTS.items())
    console.print(Text(f"today, with faults ({faults}):"))
    render_report(today, console)
    _render_budget(budget, console)


def _render_budget(report: dict[str, Any], console: Console) -> None:
    """Today's LLM budget in a few lines: used against the limits, per model, the backlog."""
    today = report["today"]
    tokens, cost = today["tokens"], today["cost_usd"]
    console.print(
        Text(
            f"LLM budget today ({report['timezone']}; the sandbox answered, no key needed):"
            f" {tokens['used']:,} of {tokens['limit']:,} tokens ({tokens['share']:.0%}),"
            f" ${cost['used']:.4f} of ${cost['limit']:.2f} ({cost['share']:.0%})"
        )
    )
    for row in today["by_model"]:
        console.print(
            Text(
                f"  {row['model']}: {row['calls']} calls, {row['prompt_tokens']:,} prompt"
                f" tokens ({row['cached_tokens']:,} cached), {row['completion_tokens']:,}"
                f" completion ({row['reasoning_tokens']:,} reasoning), ${row['cost_usd']:.4f}"
            )
        )
    crossed: dict[tuple[str, str, float], list[str]] = {}
    for warning in report["warnings"]:
        key = (warning["window"], warning["measure"], warning["share"])
        crossed.setdefault(key, []).append(f"{warning['threshold']:.0%}")
    for (window, measure, share), thresholds in crossed.items():
        past = " and ".join(thresholds)
        console.print(
            Text(f"  warning: {share:.0%} of the {window} {measure} limit used (past {past})")
        )
    console.print(
        Text(f"  {report['backlog']} jobs wait for enrichment; `jobping budget` has the rest")
    )


def _outcome(report: RunReport) -> str:
    """The run's verdict, and what its enrichment did."""
    enrichment = report.enrichment or {}
    models = ", ".join(
        f"{count} by {model}" for model, count in enrichment.get("by_model", {}).items()
    )
    enriched = f"; enriched {models}" if models else ""
    return f"{report.reason}{enriched}"
