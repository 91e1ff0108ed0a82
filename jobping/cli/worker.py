"""``jobping worker``: run JobPing's tasks from the queue in PostgreSQL until SIGTERM.

Start one on each machine (a systemd unit: see README, "Running on several machines"); every
worker takes tasks from the same queue, in the store's database (DATABASE_URL must be
PostgreSQL). ``jobping db migrate`` first creates the queue's tables.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import Annotated

import typer

from jobping.cli._state import AppState
from jobping.cli.run import check_writable
from jobping.errors import ConfigError

__all__ = ["worker", "worker_package"]


def worker_package() -> ModuleType:
    """``jobping.worker``, or ``ConfigError`` saying how to install its extra."""
    try:
        return importlib.import_module("jobping.worker")
    except ImportError as exc:
        raise ConfigError(
            {"jobping worker": f"needs the worker extra: pip install 'jobping[worker]' ({exc})"}
        ) from None


def worker(
    ctx: typer.Context,
    *,
    concurrency: Annotated[
        int, typer.Option("--concurrency", min=1, help="Tasks this worker runs at once.")
    ] = 8,
    queues: Annotated[
        str,
        typer.Option(
            "--queues", metavar="runs,scrape,enrich", help="The queues to take tasks from."
        ),
    ] = "runs,scrape,enrich",
    grace_seconds: Annotated[
        float,
        typer.Option(
            "--grace-seconds",
            min=0.0,
            metavar="SECONDS",
            help="After SIGTERM, how long running tasks may finish before they are handed back.",
        ),
    ] = 30.0,
    heartbeat_seconds: Annotated[
        float,
        typer.Option("--heartbeat-seconds", min=0.1, help="How often the worker says it lives."),
    ] = 10.0,
    metrics_file: Annotated[
        Path | None,
        typer.Option(
            "--metrics-file",
            metavar="PATH",
            help="Keep the queue's and workers' figures there as Prometheus text (*.prom).",
        ),
    ] = None,
    stalled_after_seconds: Annotated[
        float,
        typer.Option(
            "--stalled-after-seconds",
            min=0.2,
            help="A worker silent this long is presumed dead; its tasks go to another worker.",
        ),
    ] = 30.0,
) -> None:
    """Run tasks (runs, scraper targets, enrichment) from the PostgreSQL queue until SIGTERM."""
    state: AppState = ctx.obj
    settings = state.settings()
    worker_package().queue_url(settings.database_url)
    if metrics_file is not None:
        check_writable(metrics_file)
    from jobping.worker import QUEUES, WorkerOptions, run_worker  # noqa: PLC0415 (optional)

    chosen = [name.strip() for name in queues.split(",") if name.strip()]
    if not chosen or set(chosen) - set(QUEUES):
        raise ConfigError({"--queues": f"expected names among {','.join(QUEUES)}, got {queues!r}"})
    try:
        options = WorkerOptions(
            concurrency=concurrency,
            queues=chosen,
            grace_seconds=grace_seconds,
            heartbeat_seconds=heartbeat_seconds,
            stalled_after_seconds=stalled_after_seconds,
            metrics_file=metrics_file,
        )
    except ValueError as exc:
        raise ConfigError({"--stalled-after-seconds": str(exc)}) from None
    import anyio  # noqa: PLC0415 (fast start-up)

    anyio.run(run_worker, settings, options)
