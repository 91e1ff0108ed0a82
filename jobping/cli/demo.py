"""``jobping demo``: the whole pipeline offline, breakers, fallback, backfill and budget included.

It starts the sandbox in-process and makes two runs into a throw-away SQLite file (or
``--db PATH``): yesterday's healthy run, primary tier only, fills the store; today's meets the
faults (one source down, one rate-limiting, one slow), trips a breaker, falls back to the
individual tier and backfills from the store. Both enrich their new jobs through the
sandbox's OpenAI endpoint, with no key: yesterday's calls are booked to yesterday's budget,
and today's daily cost limit is small (``DEMO_DAILY_COST_LIMIT_USD``), so today's calls
move from gpt-5.4-mini to gpt-5.4-nano at 80 % of it, and the jobs past it wait in the
backlog. Then it prints today's report and today's budget.

The demo's settings are small so the sandbox's few jobs need every tier (``run_min_jobs``
80, a backfill window of ten years for the old recorded payloads, quick retries), and its
budget is its own (one call at a time, the default model chain), so every demo tells the
same story.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import anyio
import typer
from rich.console import Console
from rich.text import Text

from jobping.cli._console import emit_json, stderr, stdout
from jobping.cli._state import AppState
from jobping.cli.budget import gather_budget
from jobping.cli.run import execute, render_report
from jobping.http import DomainPolicy
from jobping.orchestrator import RunReport
from jobping.sandbox import Faults
from jobping.settings import Settings

__all__ = ["DEMO_DAILY_COST_LIMIT_USD", "DEMO_FAULTS", "demo", "demo_settings", "run_demo"]

DEMO_FAULTS = {
    "greenhouse": Faults(down=True),
    "reed": Faults(rate_limited=True, retry_after_seconds=1),
    "remotive": Faults(slow_seconds=2.0),
}
"""Today's faults: a primary source down, an individual one rate-limiting, one slow."""
DEMO_DAILY_COST_LIMIT_USD = 0.05
"""Today's LLM budget: about 25 calls to gpt-5.4-mini, then as many to gpt-5.4-nano."""
_DEMO_POLICY = DomainPolicy(
    retry_attempts=3,
    retry_backoff_seconds=0.1,
    retry_max_wait_seconds=2.0,
    breaker_failure_threshold=3,
    request_deadline_seconds=20.0,
)
_DEMO_BUDGET: dict[str, Any] = {
    "openai_models": Settings.model_fields["openai_models"].get_default(call_default_factory=True),
    "openai_enable_fallback": True,
    "openai_budget_thresholds": [0.80, 0.95],
    "openai_concurrency": 1,  # one call at a time: the budget runs out the same way each time
    "openai_daily_token_limit": 1_000_000,
    "openai_monthly_token_limit": 30_000_000,
    "openai_daily_cost_limit": DEMO_DAILY_COST_LIMIT_USD,
    "openai_monthly_cost_limit": 300.0,
}


def demo(
    ctx: typer.Context,
    *,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db", metavar="PATH", help="Keep the SQLite file here (default: a temp file)."
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print both runs' reports and the budget as JSON.")
    ] = False,
) -> None:
    """Run the pipeline offline against a local sandbox with faults; print the report and budget."""
    state: AppState = ctx.obj
    settings = state.settings()
    if not state.verbosity:
        logging.getLogger("jobping").setLevel(logging.WARNING)  # the report tells the story
    with tempfile.TemporaryDirectory(prefix="jobping-demo-") as scratch:
        path = db or Path(scratch) / "demo.db"
        yesterday, today, budget = anyio.run(lambda: run_demo(demo_settings(settings, path)))
    if as_json:
        emit_json({"yesterday": yesterday.to_dict(), "today": today.to_dict(), "budget": budget})
        return
    console = stdout()
    console.print(Text(f"yesterday (all sources healthy, tier 1 only): {_outcome(yesterday)}"))
    faults = "; ".join(f"{name} {fault}" for name, fault in DEMO_FAULTS.items())
    console.print(Text(f"today, with faults ({faults}):"))
    render_report(today, console)
    _render_budget(budget, console)
    if db is not None:
        url = f"DATABASE_URL=sqlite:///{db}"
        stderr().print(Text(f"the store is in {db}: {url} jobping status (or jobping budget)"))


def demo_settings(settings: Settings, path: Path) -> Settings:
    """``settings`` with the demo's store, thresholds, quick retry policy and budget."""
    update: dict[str, Any] = {
        "database_url": f"sqlite:///{path}",
        "run_min_jobs": 80,
        "run_backfill_days": 3650,
        "run_scraper_timeout_seconds": 60.0,
        "http_defaults": _DEMO_POLICY,
        "http_domains": {},
        **_DEMO_BUDGET,
    }
    return settings.model_copy(update=update)


async def run_demo(settings: Settings) -> tuple[RunReport, RunReport, dict[str, Any]]:
    """Yesterday's healthy primary-only run, today's run with ``DEMO_FAULTS``, today's budget.

    Yesterday's bar is the default ``run_min_jobs`` (50): tier 1 alone passes it; its LLM
    calls are booked a day earlier, under the default daily cost limit.
    """
    defaults = Settings.model_fields
    usual = settings.model_copy(
        update={
            "run_min_jobs": defaults["run_min_jobs"].default,
            "openai_daily_cost_limit": defaults["openai_daily_cost_limit"].default,
        }
    )
    yesterday = await execute(usual, tiers={1}, sandbox={}, budget_clock=_a_day_ago)
    today = await execute(settings, sandbox=DEMO_FAULTS)
    return yesterday, today, await gather_budget(settings)


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


def _a_day_ago() -> datetime:
    """Yesterday's budget clock: now, a day earlier."""
    return datetime.now(UTC) - timedelta(days=1)


def _outcome(report: RunReport) -> str:
    """The run's verdict, and what its enrichment did."""
    enrichment = report.enrichment or {}
    models = ", ".join(
        f"{count} by {model}" for model, count in enrichment.get("by_model", {}).items()
    )
    enriched = f"; enriched {models}" if models else ""
    return f"{report.reason}{enriched}"
