"""``jobping demo``: the whole pipeline offline, breakers, fallback and backfill included.

It starts the sandbox in-process and makes two runs into a throw-away SQLite file (or
``--db PATH``): yesterday's healthy run, primary tier only, fills the store; today's meets the
faults (one source down, one rate-limiting, one slow), trips a breaker, falls back to the
individual tier and backfills from the store. Then it prints today's report. The demo's
settings are small so the sandbox's few jobs need every tier (``run_min_jobs`` 80, a
backfill window of ten years for the old recorded payloads, quick retries).
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Annotated, Any

import anyio
import typer
from rich.text import Text

from jobping.cli._console import emit_json, stderr, stdout
from jobping.cli._state import AppState
from jobping.cli.run import execute, render_report
from jobping.orchestrator import RunReport
from jobping.sandbox import Faults
from jobping.settings import DomainPolicy, Settings

__all__ = ["DEMO_FAULTS", "demo", "demo_settings", "run_demo"]

DEMO_FAULTS = {
    "greenhouse": Faults(down=True),
    "reed": Faults(rate_limited=True, retry_after_seconds=1),
    "remotive": Faults(slow_seconds=2.0),
}
"""Today's faults: a primary source down, an individual one rate-limiting, one slow."""
_DEMO_POLICY = DomainPolicy(
    retry_attempts=3,
    retry_backoff_seconds=0.1,
    retry_max_wait_seconds=2.0,
    breaker_failure_threshold=3,
    request_deadline_seconds=20.0,
)


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
        bool, typer.Option("--json", help="Print both runs' reports as JSON.")
    ] = False,
) -> None:
    """Run the pipeline offline against a local sandbox with faults, and print the report."""
    state: AppState = ctx.obj
    settings = state.settings()
    if not state.verbosity:
        logging.getLogger("jobping").setLevel(logging.WARNING)  # the report tells the story
    with tempfile.TemporaryDirectory(prefix="jobping-demo-") as scratch:
        path = db or Path(scratch) / "demo.db"
        yesterday, today = anyio.run(lambda: run_demo(demo_settings(settings, path)))
    if as_json:
        emit_json({"yesterday": yesterday.to_dict(), "today": today.to_dict()})
        return
    console = stdout()
    console.print(Text(f"yesterday (all sources healthy, tier 1 only): {yesterday.reason}"))
    faults = "; ".join(f"{name} {fault}" for name, fault in DEMO_FAULTS.items())
    console.print(Text(f"today, with faults ({faults}):"))
    render_report(today, console)
    if db is not None:
        stderr().print(Text(f"the store is in {db}: DATABASE_URL=sqlite:///{db} jobping status"))


def demo_settings(settings: Settings, path: Path) -> Settings:
    """``settings`` with the demo's store, thresholds and quick retry policy."""
    update: dict[str, Any] = {
        "database_url": f"sqlite:///{path}",
        "run_min_jobs": 80,
        "run_backfill_days": 3650,
        "run_scraper_timeout_seconds": 60.0,
        "http_defaults": _DEMO_POLICY,
        "http_domains": {},
    }
    return settings.model_copy(update=update)


async def run_demo(settings: Settings) -> tuple[RunReport, RunReport]:
    """Yesterday's healthy primary-only run, then today's run with ``DEMO_FAULTS``.

    Yesterday's bar is the default ``run_min_jobs`` (50): tier 1 alone passes it.
    """
    usual = settings.model_copy(
        update={"run_min_jobs": Settings.model_fields["run_min_jobs"].default}
    )
    yesterday = await execute(usual, tiers={1}, sandbox={})
    today = await execute(settings, sandbox=DEMO_FAULTS)
    return yesterday, today
