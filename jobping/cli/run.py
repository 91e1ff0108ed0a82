"""``jobping run``: one run of every enabled scraper, tiers, fallback and backfill included.

The report goes to stdout (a table, or JSON with ``--json``); progress goes to stderr, as a
live display on a terminal and as log lines otherwise. The exit code says how the run went
(see ``_exit.py``): 0 success, 3 degraded, 1 failed, 4 another run holds the lease, 130
interrupted. ``--quiet`` (for cron) prints nothing unless the run did not succeed.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import AsyncExitStack, contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import anyio
import typer
from rich import box
from rich.console import Console
from rich.progress import Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from jobping.cli._console import emit_json, error, stderr, stdout
from jobping.cli._exit import ExitCode
from jobping.cli._state import AppState
from jobping.errors import ConfigError
from jobping.models import RunStatus
from jobping.orchestrator import (
    TIERS,
    Orchestrator,
    RunObserver,
    RunReport,
    ScraperReport,
    TierReport,
    write_metrics,
)
from jobping.sandbox import Faults, serve_sandbox
from jobping.scraping import Scraper, check_configured_scrapers, discover_scrapers
from jobping.settings import Settings
from jobping.store import Store, open_store, store_options

if TYPE_CHECKING:
    from jobping.enrich import Enricher

__all__ = ["EXIT_CODES", "execute", "render_report", "run"]

EXIT_CODES: Mapping[RunStatus, ExitCode] = {
    RunStatus.SUCCESS: ExitCode.OK,
    RunStatus.DEGRADED: ExitCode.DEGRADED,
    RunStatus.FAILED: ExitCode.FAILED,
    RunStatus.INTERRUPTED: ExitCode.INTERRUPTED,
    RunStatus.RUNNING: ExitCode.FAILED,
}
"""The exit code of each way a run can end."""


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
    """Run the scrapers once: tier 1, fallback tier 2, backfill tier 3; report and exit code."""
    state: AppState = ctx.obj
    settings = state.settings()
    allowed = parse_tiers(tiers)
    if enqueue:
        _enqueue(settings, allowed, as_json=as_json)
        return
    if metrics_file is not None:
        check_writable(metrics_file)
    if quiet:
        logging.getLogger("jobping").setLevel(logging.WARNING)
    console = stderr()
    live = console.is_terminal and not (quiet or as_json)
    with _progress(console if live else None) as observer:
        report = anyio.run(
            lambda: execute(
                settings,
                tiers=allowed,
                dry_run=no_store,
                sandbox=({} if sandbox else None),
                grace_seconds=grace_seconds,
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
    raise typer.Exit(EXIT_CODES[report.status])


def _enqueue(settings: Settings, tiers: frozenset[int], *, as_json: bool) -> None:
    """Defer a run for the workers and print its id."""
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
    known = {str(tier.number): tier.number for tier in TIERS}
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts or any(part not in known for part in parts):
        raise ConfigError(
            {"--tiers": f"expected tier numbers among 1,2,3 (like 1,2), got {text!r}"}
        )
    return frozenset(known[part] for part in parts)


async def execute(
    settings: Settings,
    *,
    tiers: Collection[int] = frozenset({1, 2, 3}),
    dry_run: bool = False,
    sandbox: Mapping[str, Faults] | None = None,
    grace_seconds: float = 10.0,
    observer: RunObserver | None = None,
    budget_clock: Callable[[], datetime] | None = None,
) -> RunReport:
    """Open the store (and a sandbox with ``sandbox``'s faults, if given) and run once.

    With ``OPENAI_API_KEY`` set, the run enriches the backlog after the tiers (not in a dry
    run), under the budget on ``budget_clock`` (default: now). A sandbox serves OpenAI too
    and sets a placeholder key, so a sandboxed run enriches offline. SIGINT/SIGTERM stop
    the run gracefully; a second one exits the process at once.
    """
    check_configured_scrapers(settings, discover_scrapers(settings))
    async with AsyncExitStack() as stack:
        scrapers: list[Scraper] | None = None
        if sandbox is not None:
            running = await stack.enter_async_context(serve_sandbox(sandbox))
            settings = running.apply(settings)
            scrapers = [
                row.scraper()
                for row in discover_scrapers(settings)
                if row.scraper is not None and row.name in running.base_urls
            ]
        store = await open_store(settings.database_url, **store_options(settings))
        stack.push_async_callback(store.close)
        enricher = None
        if settings.openai_api_key and not dry_run:
            enricher = await stack.enter_async_context(_enricher(settings, store, budget_clock))
        orchestrator = Orchestrator(
            settings,
            store,
            scrapers=scrapers,
            tiers=tiers,
            dry_run=dry_run,
            handle_signals=True,
            grace_seconds=grace_seconds,
            on_force=_exit_at_once,
            observer=observer,
            enricher=enricher,
        )
        return await orchestrator.run()


def _enricher(settings: Settings, store: Store, clock: Callable[[], datetime] | None) -> Enricher:
    """The LLM enricher under the settings' budget (openai is imported only when needed)."""
    from jobping.budget import TokenBudget  # noqa: PLC0415 (heavy, optional)
    from jobping.enrich import Enricher  # noqa: PLC0415 (heavy, optional)

    return Enricher(settings, store, TokenBudget.from_settings(settings, store, clock=clock))


def _exit_at_once() -> None:
    error("second signal: exiting at once (the lease expires by itself)")
    os._exit(ExitCode.INTERRUPTED)


def render_report(report: RunReport, console: Console) -> None:
    """The report as text: the verdict, the tiers, one row per scraper, notes, the totals."""
    console.print(Text(f"run {report.run_id}: {report.status} ({report.reason})"))
    for tier in report.tiers:
        done = f"ran: {tier.reason}; +{tier.contributed} jobs" if tier.ran else tier.reason
        stop = f" (stopped early: {tier.stopped_early})" if tier.stopped_early else ""
        console.print(Text(f"  tier {tier.number} {tier.name}: {done}{stop}"))
    if report.scrapers:
        console.print(_scraper_table(report.scrapers))
    for line in _notes(report):
        console.print(Text(line))
    totals = report.totals()
    console.print(
        Text(
            f"total: {totals['found']} found, {totals['new']} new, {totals['updated']} updated,"
            f" {totals['invalid']} invalid, {totals['backfilled']} backfilled,"
            f" {totals['deactivated']} deactivated, {totals['requests']} requests"
            + (" (dry run: nothing stored)" if report.dry_run else "")
        )
    )
    for line in _enrichment(report.enrichment):
        console.print(Text(line))


def _scraper_table(scrapers: list[ScraperReport]) -> Table:
    columns = ("found", "new", "upd", "inv", "req", "retry", "trips", "secs")
    table = Table(box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0), pad_edge=False)
    table.add_column("scraper", no_wrap=True, min_width=15)
    for name in ("tier", "status", *columns):
        table.add_column(name, no_wrap=True, justify="left" if name == "status" else "right")
    for s in scrapers:
        counts = (s.found, s.new, s.updated, s.invalid, s.requests, s.retries, s.breaker_trips)
        table.add_row(s.name, str(s.tier), s.status, *map(str, counts), f"{s.duration_seconds:.1f}")
    return table


def _enrichment(result: Mapping[str, Any] | None) -> list[str]:
    """What the enrichment after the tiers did: counts per model, cost, why it stopped."""
    if result is None:
        return []
    if "error" in result:
        return [f"enrichment: failed: {result['error']}"]
    models = ", ".join(f"{count} by {model}" for model, count in result["by_model"].items())
    lines = [
        f"enrichment: {result['enriched']} enriched"
        + (f" ({models})" if models else "")
        + f", {result['failed']} failed, {result['skipped']} left for a later run (budget),"
        f" ${result['cost_usd']:.4f}"
    ]
    lines += [f"enrichment: error: {message}" for message in result["errors"]]
    if result["stopped"]:
        lines.append(f"enrichment: stopped: {result['stopped']}")
    return lines


def _notes(report: RunReport) -> list[str]:
    """One line per error, skip or stop reason, quota left, and scraper not ready."""
    lines = []
    for s in report.scrapers:
        lines += [f"{s.name}: error: {message}" for message in s.errors]
        if s.reason and s.status != "ok":
            lines.append(f"{s.name}: {s.reason}")
        for domain, windows in s.quota_left.items():
            left = ", ".join(f"{window} {count}" for window, count in windows.items())
            lines.append(f"{s.name}: quota left on {domain}: {left}")
    lines += [f"{name}: not ready: {problem}" for name, problem in report.not_ready.items()]
    return lines


class _LiveProgress:
    """A run observer drawing one progress row per scraper."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._rows: dict[tuple[int, str], TaskID] = {}

    def __call__(self, item: TierReport | ScraperReport) -> None:
        if isinstance(item, TierReport):
            return
        key = (item.tier, item.name)
        done = sum(item.outcomes.values())
        status = item.status if done >= item.targets else f"{done}/{item.targets} targets"
        if key not in self._rows:
            self._rows[key] = self._progress.add_task(
                item.name, total=None, tier=item.tier, status=status
            )
        self._progress.update(self._rows[key], completed=item.found, status=status)


@contextmanager
def _progress(console: Console | None) -> Iterator[RunObserver | None]:
    """A live display on ``console`` while the run lasts (None: no display, log lines)."""
    if console is None:
        yield None
        return
    display = Progress(
        TextColumn("tier {task.fields[tier]}"),
        TextColumn("{task.description:<16}"),
        TextColumn("{task.completed:>6.0f} jobs"),
        TextColumn("{task.fields[status]}"),
        TimeElapsedColumn(),
        console=console,
    )
    logging.getLogger("jobping").setLevel(logging.WARNING)  # the display replaces the logs
    with display:
        yield _LiveProgress(display)
