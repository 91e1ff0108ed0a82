"""``jobping demo``: the whole pipeline offline, breakers, fallback, backfill and budget included.

It starts the sandbox in-process and makes two runs into a throw-away SQLite file (or
``--db PATH``): yesterday's healthy run, then today's with faults (see
``jobping.services.run_demo``). Then it prints today's report and today's budget.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from jobping.cli._console import emit_json, stderr, stdout
from jobping.cli._exit import exit_at_once
from jobping.cli._state import AppState

__all__ = ["demo"]


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
    import logging  # noqa: PLC0415 (fast start-up)
    import tempfile  # noqa: PLC0415 (fast start-up)

    import anyio  # noqa: PLC0415 (fast start-up)

    from jobping.cli._views.demo import render_demo  # noqa: PLC0415 (rich)
    from jobping.cli._views.live import busy  # noqa: PLC0415 (rich)
    from jobping.services import demo_settings, run_demo  # noqa: PLC0415 (fast start-up)

    state: AppState = ctx.obj
    settings = state.settings()
    if not state.verbosity:
        logging.getLogger("jobping").setLevel(logging.WARNING)  # the report tells the story
    with tempfile.TemporaryDirectory(prefix="jobping-demo-") as scratch:
        path = db or Path(scratch) / "demo.db"
        doing = "demo: yesterday's run, today's run with faults, then the LLM enrichment"
        with busy(stderr(), doing):
            yesterday, today, budget = anyio.run(
                lambda: run_demo(demo_settings(settings, path), on_force=exit_at_once)
            )
    if as_json:
        emit_json({"yesterday": yesterday.to_dict(), "today": today.to_dict(), "budget": budget})
        return
    render_demo(yesterday, today, budget, stdout())
    if db is not None:
        url = f"DATABASE_URL=sqlite:///{db}"
        sys.stderr.write(f"the store is in {db}: {url} jobping status (or jobping budget)\n")
