"""``jobping run``: one run of every enabled scraper, tiers, fallback and backfill included.

The report goes to stdout (a table, or JSON with ``--json``); progress goes to stderr, as a
live display on a terminal and as log lines otherwise. The exit code says how the run went
(see ``_exit.py``): 0 success, 3 degraded, 1 failed, 4 another run holds the lease, 130
interrupted. ``--quiet`` (for cron) prints nothing unless the run did not succeed.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from jobping.cli._console import emit_json, stderr, stdout
from jobping.cli._exit import ExitCode, exit_at_once
from jobping.cli._state import AppState
from jobping.errors import ConfigError

if TYPE_CHECKING:
    from jobping.models import RunStatus
    from jobping.settings import Settings

__all__ = ["exit_code_of", "parse_tiers", "run"]


def run(
    ctx: typer.Context,
    *,
    tiers: Annotated[
        str,
        typer.Option(
            "--tiers",
            metavar="1,2,3",
            help="Tiers allowed to run: 1 primary, 2 individual (fallback), 3 backfill.",
        ),
    ] = "1,2,3",
    no_store: Annotated[
        bool,
        typer.Option(
            "--no-store",
            help="Dry run: write no job, run record or lease (quotas and breakers still count).",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help="For cron: no output unless the run did not succeed."),
    ] = False,
    metrics_file: Annotated[
        Path | None,
        typer.Option(
            "--metrics-file",
            metavar="PATH",
            help="Also write the report as Prometheus text (node_exporter textfile, *.prom).",
        ),
    ] = None,
    sandbox: Annotated[
        bool,
        typer.Option(
            "--sandbox",
            help="Run the sandboxed scrapers, and enrich, against a local sandbox started"
            " in-process (offline, no key; jobs and LLM usage still go to DATABASE_URL: point"
            " it at a scratch file).",
        ),
    ] = False,
    enqueue: Annotated[
        bool,
        typer.Option(
            "--enqueue",
            help="Defer the run for `jobping worker`s (PostgreSQL) instead of running it here;"
            " prints its run id.",
        ),
    ] = False,
    grace_seconds: Annotated[
        float,
        typer.Option(
            "--grace-seconds",
            min=0.0,
            metavar="SECONDS",
            help="After SIGINT/SIGTERM, how long requests in flight may finish.",
        ),
    ] = 10.0,
) -> None:
    """Run the scrapers once: tier 1, fallback tier 2, backfill tier 3; report and exit code.

    Tier 1 (the primary scrapers) runs every time. Tier 2 (the individual scrapers) runs
    when no primary scraper succeeded or the run has seen fewer than RUN_MIN_JOBS jobs (jobs
    seen: valid and deduplicated, new, updated or unchanged). Tier 3 (backfill from the store)
    runs while the run is still short.

    Exit codes: 0 success; 1 failed (fewer than RUN_MIN_JOBS even after backfill, or an
    error); 2 bad configuration (nothing attempted); 3 degraded (a fallback tier was needed
    or a scraper failed); 4 another run holds the lease; 5 the store failed; 130 interrupted.
    """
    state: AppState = ctx.obj
    settings = state.settings()
    allowed = parse_tiers(tiers)
    if enqueue:
        _enqueue(settings, allowed, as_json=as_json)
        return
    from jobping.orchestrator._forkserver import start_early  # noqa: PLC0415 (fast start-up)

    # The parse workers' forkserver imports jobping while this process does (below).
    start_early(settings.run_parse_workers)

    # The command's machinery loads when it runs, not with `jobping --help`.
    import logging  # noqa: PLC0415 (fast start-up)

    import anyio  # noqa: PLC0415 (fast start-up)

    from jobping.cli._views.run import progress, render_report  # noqa: PLC0415 (rich)
    from jobping.models import RunStatus  # noqa: PLC0415 (fast start-up)
    from jobping.orchestrator import write_metrics  # noqa: PLC0415 (fast start-up)
    from jobping.services import execute_run  # noqa: PLC0415 (fast start-up)

    if metrics_file is not None:
        check_writable(metrics_file)
    if quiet:
        logging.getLogger("jobping").setLevel(logging.WARNING)
    console = stderr()
    live = console.is_terminal and not (quiet or as_json)
    with progress(console if live else None) as observer:
        report = anyio.run(
            lambda: execute_run(
                settings,
                tiers=allowed,
                dry_run=no_store,
                sandbox=({} if sandbox else None),
                grace_seconds=grace_seconds,
                on_force=exit_at_once,
                observer=observer,
            )
        )
    if metrics_file is not None:
        try:
            write_metrics(metrics_file, report)
        except OSError as exc:  # the report below is still printed, the exit code still the run's
            logging.getLogger("jobping").error("could not write --metrics-file: %s", exc)
    if as_json:
        emit_json(report.to_dict())
    elif not quiet:
        render_report(report, stdout())
    elif report.status is not RunStatus.SUCCESS:
        render_report(report, console)
    raise typer.Exit(exit_code_of(report.status))


def _enqueue(settings: Settings, tiers: frozenset[int], *, as_json: bool) -> None:
    """Defer a run for the workers and print its id."""
    import anyio  # noqa: PLC0415 (fast start-up)

    from jobping.cli.worker import worker_package  # noqa: PLC0415 (optional extra)

    worker = worker_package()
    url = worker.queue_url(settings.database_url)

    async def defer() -> str:
        async with worker.open_queue(url, pool_max_size=2) as app:
            run_id: str = await worker.enqueue_run(app, tiers)
            return run_id

    run_id = anyio.run(defer)
    if as_json:
        emit_json({"run_id": run_id, "enqueued": True})
    else:
        stdout().print(f"run {run_id} enqueued for the workers")


def check_writable(path: Path) -> None:
    """``ConfigError`` naming ``--metrics-file`` unless ``path`` can be written (before a run)."""
    folder = path.parent
    if not folder.is_dir():
        raise ConfigError({"--metrics-file": f"directory {folder} does not exist"})
    if path.is_dir():
        raise ConfigError({"--metrics-file": f"{path} is a directory, not a file"})
    try:  # a real attempt: permissions, a read-only mount, a full disk
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".jobping-check-"):
            pass
    except OSError as exc:
        raise ConfigError({"--metrics-file": f"cannot write in {folder}: {exc.strerror}"}) from None


def parse_tiers(text: str) -> frozenset[int]:
    """``"1,3"`` as ``{1, 3}``; ``ConfigError`` naming ``--tiers`` when malformed."""
    from jobping.orchestrator import TIERS  # noqa: PLC0415 (fast start-up)

    known = {str(tier.number): tier.number for tier in TIERS}
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts or any(part not in known for part in parts):
        raise ConfigError(
            {"--tiers": f"expected tier numbers among 1,2,3 (like 1,2), got {text!r}"}
        )
    return frozenset(known[part] for part in parts)


def exit_code_of(status: RunStatus) -> ExitCode:
    """The exit code of each way a run can end."""
    from jobping.models import RunStatus  # noqa: PLC0415 (fast start-up)

    return {
        RunStatus.SUCCESS: ExitCode.OK,
        RunStatus.DEGRADED: ExitCode.DEGRADED,
        RunStatus.FAILED: ExitCode.FAILED,
        RunStatus.INTERRUPTED: ExitCode.INTERRUPTED,
        RunStatus.RUNNING: ExitCode.FAILED,
    }[status]
