"""The demo: the whole pipeline offline, breakers, fallback, backfill and budget included.

Two runs into the demo's store, against a sandbox started in-process: yesterday's healthy
run, primary tier only, fills the store; today's meets the faults (one source down, one
rate-limiting, one slow), trips a breaker, falls back to the individual tier and backfills
from the store. Both enrich their new jobs through the sandbox's OpenAI endpoint, with no
key: yesterday's calls are booked to yesterday's budget, and today's daily cost limit is
small (``DEMO_DAILY_COST_LIMIT_USD``), so today's calls move from gpt-5.4-mini to
gpt-5.4-nano at 80 % of it, and the jobs past it wait in the backlog.

The demo's settings are small so the sandbox's few jobs need every tier (today's
``run_min_jobs`` just above what tiers 1 and 2 can see, a backfill window of ten years for
the old recorded payloads, quick retries), and its budget is its own (one call at a time,
the default model chain), so every demo tells the same story.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from jobping.orchestrator import RunReport
from jobping.sandbox import Faults
from jobping.services._budget import gather_budget
from jobping.services._run import execute_run
from jobping.settings import Settings

__all__ = ["DEMO_DAILY_COST_LIMIT_USD", "DEMO_FAULTS", "demo_settings", "run_demo"]

DEMO_FAULTS = {
    "greenhouse": Faults(down=True),
    "reed": Faults(rate_limited=True, retry_after_seconds=1),
    "remotive": Faults(slow_seconds=2.0),
}
"""Today's faults: a primary source down, an individual one rate-limiting, one slow."""
DEMO_DAILY_COST_LIMIT_USD = 0.05
"""Today's LLM budget: about 25 calls to gpt-5.4-mini, then as many to gpt-5.4-nano."""
_DEMO_POLICY: dict[str, Any] = {  # HTTP_DEFAULTS as plain data, validated by jobping.http
    "retry_attempts": 3,
    "retry_backoff_seconds": 0.1,
    "retry_max_wait_seconds": 2.0,
    "breaker_failure_threshold": 3,
    "request_deadline_seconds": 20.0,
}
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


_TODAY_EXTRA = 102
"""Above what the individual tier brings less the down source's jobs (111 - 19), below with
the backfill of that source's jobs (111): the sandbox's recorded payloads make it exact."""


def demo_settings(settings: Settings, path: Path) -> Settings:
    """``settings`` with the demo's SQLite file, thresholds, quick retry policy and budget."""
    update: dict[str, Any] = {
        "database_url": f"sqlite:///{path}",
        "run_target_jobs": 10_000,
        "run_backfill_days": 3650,
        "run_scraper_timeout_seconds": 60.0,
        "http_defaults": _DEMO_POLICY,
        "http_domains": {},
        **_DEMO_BUDGET,
    }
    return settings.model_copy(update=update)


async def run_demo(
    settings: Settings, *, on_force: Callable[[], None] | None = None
) -> tuple[RunReport, RunReport, dict[str, Any]]:
    """Yesterday's healthy primary-only run, today's run with ``DEMO_FAULTS``, today's budget.

    Yesterday's bar is the default ``run_min_jobs`` (50): tier 1 alone passes it; its LLM
    calls are booked a day earlier, under the default daily cost limit. Today's bar is what
    yesterday saw plus ``_TODAY_EXTRA``: with a source down, tier 1 falls short, the
    individual tier (which yesterday did not run) brings more but not enough, and the
    backfill makes up for the source that is down.
    """
    defaults = Settings.model_fields
    usual = settings.model_copy(
        update={
            "run_min_jobs": defaults["run_min_jobs"].default,
            "openai_daily_cost_limit": defaults["openai_daily_cost_limit"].default,
        }
    )
    yesterday = await execute_run(
        usual, tiers={1}, sandbox={}, budget_clock=_a_day_ago, on_force=on_force
    )
    seen = yesterday.seen + _TODAY_EXTRA
    today = await execute_run(
        settings.model_copy(update={"run_min_jobs": seen}),
        sandbox=DEMO_FAULTS,
        on_force=on_force,
    )
    return yesterday, today, await gather_budget(settings)


def _a_day_ago() -> datetime:
    """Yesterday's budget clock: now, a day earlier."""
    return datetime.now(UTC) - timedelta(days=1)
