"""The typer app: the global options and the commands, in the order of ``jobping --help``.

Each command module imports only typer and the standard library at its top; what a command
does (``jobping.services``) and how it shows it (``_views``, rich) load when it runs.
"""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import Annotated

import typer

from jobping.cli import (
    budget,
    db,
    demo,
    discover,
    doctor,
    enrich,
    jobs,
    lease,
    run,
    sandbox,
    scrape,
    scrapers,
    status,
    worker,
)
from jobping.cli._console import version_line
from jobping.cli._state import AppState

__all__ = ["app"]


class LogFormat(enum.StrEnum):
    """The choices of ``--log-format``."""

    TEXT = "text"
    JSON = "json"


app = typer.Typer(
    name="jobping",
    help="Run job-board scrapers on a schedule and keep a clean table of live postings.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _print_version(value: bool) -> None:
    if value:
        sys.stdout.write(version_line())
        raise typer.Exit


@app.callback()
def _global_options(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            envvar="JOBPING_CONFIG",
            show_envvar=True,
            help="TOML config file (default: ./jobping.toml if present). Env vars and .env win.",
        ),
    ] = None,
    verbose: Annotated[
        int,
        typer.Option("--verbose", "-v", count=True, help="More log output (-v info, -vv debug)."),
    ] = 0,
    log_format: Annotated[
        LogFormat | None,
        typer.Option("--log-format", help="Log lines as text or JSON (env LOG_FORMAT)."),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    """Run job-board scrapers on a schedule and keep a clean table of live postings."""
    ctx.obj = AppState(
        config_path=config, verbosity=verbose, log_format=log_format.value if log_format else None
    )


# In the order of `jobping --help`: the scheduled job first, then debugging, then reports.
app.command("run")(run.run)
app.command("demo")(demo.demo)
app.command("scrape")(scrape.scrape)
app.command("scrapers")(scrapers.scrapers)
app.command("discover")(discover.discover)
app.command("sandbox")(sandbox.sandbox)
app.command("status")(status.status)
app.command("jobs")(jobs.jobs)
app.command("budget")(budget.budget)
app.command("enrich")(enrich.enrich)
app.command("doctor")(doctor.doctor)
app.command("worker")(worker.worker)
app.add_typer(db.app, name="db")
app.add_typer(lease.app, name="lease")
