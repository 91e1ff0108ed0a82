"""``jobping scrape NAME``: run one scraper by hand, see every request and every parsed job.

Nothing is written to the store unless ``--store``. Outside ``--sandbox`` the store still
keeps the request quotas and breakers of the real sites (so a quota holds across commands);
under ``--sandbox`` the store is not opened at all.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, aclosing, asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

import anyio
import typer
from rich.table import Table
from rich.text import Text

from jobping.cli._console import error, stderr, stdout
from jobping.cli._exit import ExitCode
from jobping.cli._state import AppState
from jobping.errors import ConfigError, MissingCredential, ScrapeError, SkipError
from jobping.http import RequestEvent, RequestHook, ScrapeClient
from jobping.models import Job
from jobping.sandbox import SOURCES, serve_sandbox
from jobping.scraping import (
    ScrapeContext,
    Scraper,
    SkippedItem,
    Target,
    check_targets,
    find_scraper,
)
from jobping.settings import Settings
from jobping.store import Store, UpsertResult, open_store, store_options

__all__ = ["scrape", "trace_event"]

_SHOWN_SKIPS = 20
logger = logging.getLogger("jobping.cli")


@dataclasses.dataclass(slots=True)
class TargetOutcome:
    """What one target gave: jobs, requests, skipped items, and why it failed if it did."""

    target: str
    jobs: int = 0
    requests: int = 0
    skipped: list[SkippedItem] = dataclasses.field(default_factory=list)
    problem: str | None = None


@dataclasses.dataclass(slots=True)
class ScrapeOutcome:
    """What the command did: the jobs, each target's outcome, what was stored."""

    jobs: list[Job] = dataclasses.field(default_factory=list)
    targets: list[TargetOutcome] = dataclasses.field(default_factory=list)
    stored: UpsertResult | None = None
    sandbox_url: str | None = None

    @property
    def failed(self) -> bool:
        """Whether a target failed or was skipped (by a quota or an open breaker)."""
        return any(target.problem for target in self.targets)


def scrape(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="The scraper to run (see `jobping scrapers`).")
    ],
    *,
    targets: Annotated[
        list[str] | None,
        typer.Option(
            "--target",
            "-t",
            metavar="TARGET",
            help="A target (board token, query, country); repeatable. Default: the configured"
            " targets ([scrapers.NAME] targets), else the scraper's own.",
        ),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", metavar="N", min=1, help="Stop after N jobs.")
    ] = None,
    store: Annotated[
        bool,
        typer.Option("--store/--no-store", help="Write the jobs to the store (default: do not)."),
    ] = False,
    trace: Annotated[
        bool,
        typer.Option(
            "--trace",
            help="Print every request on stderr: method, redacted URL, status, bytes, time,"
            " retries and the breaker's state.",
        ),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the jobs as JSON lines (one job a line).")
    ] = False,
    sandbox: Annotated[
        bool,
        typer.Option(
            "--sandbox",
            help="Scrape a local sandbox started in-process: offline, its own targets"
            " unless --target, placeholder keys.",
        ),
    ] = False,
) -> None:
    """Run one scraper by hand and show its jobs; nothing is stored unless --store."""
    state: AppState = ctx.obj
    settings = state.settings()
    info = find_scraper(name, settings)
    if sandbox and name not in SOURCES:
        served = ", ".join(SOURCES)
        raise ConfigError({"--sandbox": f"the sandbox does not serve {name}; it serves {served}"})
    if info.scraper is None:
        error(f"{name} is {info.status}")
        raise typer.Exit(ExitCode.FAILED)
    hooks: list[RequestHook] = [trace_event] if trace else []
    try:
        outcome = anyio.run(
            functools.partial(
                _run,
                info.scraper(),
                settings,
                texts=targets or [],
                limit=limit,
                write=store,
                sandbox=sandbox,
                hooks=hooks,
            )
        )
    except MissingCredential as exc:
        sys.stderr.write(f"{name}: skipped: {exc}\n")
        raise typer.Exit(ExitCode.CONFIG) from None
    _render(outcome, as_json=as_json, limit=limit)
    if outcome.failed:
        raise typer.Exit(ExitCode.FAILED)


def trace_event(event: RequestEvent) -> None:
    """Write one request attempt on stderr (a ``RequestHook``); the URL is redacted."""
    parts = [
        f"{event.method} {event.url}",
        str(event.status) if event.status is not None else "no response",
        f"{event.bytes} B",
        f"{event.elapsed_seconds * 1000:.0f} ms",
        f"attempt {event.attempt}",
    ]
    if event.outcome != "ok":
        parts.append(f"{event.outcome} ({event.error})" if event.error else event.outcome)
    if event.retry_in is not None:
        parts.append(f"retry in {event.retry_in:.2f}s")
    if event.replaced_bytes:
        parts.append(f"{event.replaced_bytes} invalid UTF-8 bytes replaced")
    parts.append(f"breaker {event.breaker}")
    sys.stderr.write("trace: " + " | ".join(parts) + "\n")


async def _run(
    scraper: Scraper,
    settings: Settings,
    *,
    texts: list[str],
    limit: int | None,
    write: bool,
    sandbox: bool,
    hooks: Sequence[RequestHook],
) -> ScrapeOutcome:
    """Scrape the targets in order until ``limit``; store the jobs if ``write``."""
    outcome = ScrapeOutcome()
    async with AsyncExitStack() as stack:
        if sandbox:
            running = await stack.enter_async_context(serve_sandbox())
            settings = running.apply(settings)
            outcome.sandbox_url = running.base_urls[scraper.name]
        if missing := scraper.missing_credentials(settings):
            raise MissingCredential(missing[0])
        targets = _targets(scraper, settings, texts)
        store = await stack.enter_async_context(_store(settings, open_it=write or not sandbox))
        client = ScrapeClient.from_settings(settings, store, hooks=hooks)
        async with client:
            for target in targets:
                if limit is not None and len(outcome.jobs) >= limit:
                    break
                context = ScrapeContext.for_scraper(scraper, client, settings)
                outcome.targets.append(await _scrape(scraper, context, target, outcome, limit))
        if write and store is not None:
            outcome.stored = await _write(store, outcome.jobs, settings.run_batch_size)
    return outcome


def _targets(scraper: Scraper, settings: Settings, texts: list[str]) -> list[Target]:
    """The ``--target`` values, else the configured targets; ``ConfigError`` when none."""
    try:
        targets = [Target(text) for text in texts] or scraper.configured_targets(settings)
    except ValueError as exc:
        raise ConfigError({"--target": str(exc)}) from None
    check_targets(scraper, targets, key="--target" if texts else None)
    if not targets:
        key = f"SCRAPERS__{scraper.name.upper()}__TARGETS (scrapers.{scraper.name}.targets)"
        raise ConfigError({key: "no targets configured; pass --target"})
    return targets


@asynccontextmanager
async def _store(settings: Settings, *, open_it: bool) -> AsyncIterator[Store | None]:
    """The store, opened only when asked (``StoreError`` if it cannot be)."""
    if not open_it:
        yield None
        return
    opened = await open_store(settings.database_url, **store_options(settings))
    try:
        yield opened
    finally:
        await opened.close()


async def _scrape(
    scraper: Scraper,
    context: ScrapeContext,
    target: Target,
    outcome: ScrapeOutcome,
    limit: int | None,
) -> TargetOutcome:
    """Scrape one target into ``outcome.jobs``; a failure is recorded, not raised."""
    result = TargetOutcome(str(target))
    try:
        async with aclosing(scraper.scrape(context, target)) as jobs:
            async for job in jobs:
                outcome.jobs.append(job)
                result.jobs += 1
                if limit is not None and len(outcome.jobs) >= limit:
                    break
    except (ScrapeError, SkipError) as exc:
        kind = "skipped" if isinstance(exc, SkipError) else "failed"
        result.problem = f"{kind}: {type(exc).__name__}: {exc}"
    except Exception as exc:  # a scraper's own bug fails its target, never the command
        logger.debug("%s crashed on %s", scraper.name, target, exc_info=True)
        result.problem = f"crashed: {type(exc).__name__}: {exc} (-vv shows the traceback)"
    result.requests, result.skipped = context.requests, list(context.skipped)
    return result


async def _write(store: Store, jobs: list[Job], batch_size: int) -> UpsertResult:
    """Upsert ``jobs`` in batches of ``batch_size``."""
    seen_at = datetime.now(UTC)
    total = UpsertResult()
    for start in range(0, len(jobs), batch_size):
        total += await store.upsert_jobs(jobs[start : start + batch_size], seen_at=seen_at)
    return total


def _render(outcome: ScrapeOutcome, *, as_json: bool, limit: int | None) -> None:
    """Jobs on stdout (JSON lines or a table), the summary on stderr."""
    if as_json:
        for job in outcome.jobs:
            sys.stdout.write(json.dumps(_job_data(job), ensure_ascii=False) + "\n")
    elif outcome.jobs:
        stdout().print(_table(outcome.jobs))
    _summary(outcome, limit)


def _job_data(job: Job) -> dict[str, Any]:
    data = dataclasses.asdict(job)
    return {
        key: value.isoformat() if isinstance(value, datetime) else value
        for key, value in data.items()
    }


def _table(jobs: list[Job]) -> Table:
    table = Table(title=f"{len(jobs)} jobs")
    table.add_column("#", justify="right")
    for column in ("title", "company", "location"):
        table.add_column(column, ratio=2)
    table.add_column("work", no_wrap=True)
    table.add_column("posted", no_wrap=True, min_width=10)
    table.add_column("salary")
    table.add_column("url", ratio=2, overflow="ellipsis")
    for number, job in enumerate(jobs, start=1):
        posted = job.posted_at.date().isoformat() if job.posted_at else ""
        cells = [job.title, job.company, job.location or "", job.work_environment.value]
        cells += [posted, _salary(job), job.job_url]
        table.add_row(str(number), *(Text(cell) for cell in cells))
    return table


def _salary(job: Job) -> str:
    if job.salary_min is None and job.salary_max is None:
        return ""
    amounts = " - ".join(f"{value:,.0f}" for value in (job.salary_min, job.salary_max) if value)
    period = f"/{job.salary_period}" if job.salary_period else ""
    return f"{amounts} {job.salary_currency or ''}{period}".strip()


def _summary(outcome: ScrapeOutcome, limit: int | None) -> None:
    console = stderr()
    if outcome.sandbox_url:
        console.print(Text(f"sandbox: serving at {outcome.sandbox_url}"))
    for target in outcome.targets:
        line = f"{target.target}: jobs {target.jobs}, requests {target.requests}"
        line += f", items skipped {len(target.skipped)}"
        console.print(Text(f"{line}; {target.problem}" if target.problem else line))
        for skipped in target.skipped[:_SHOWN_SKIPS]:
            console.print(Text(f"  skipped {skipped.item}: {skipped.reason}"))
        if len(target.skipped) > _SHOWN_SKIPS:
            console.print(Text(f"  ... and {len(target.skipped) - _SHOWN_SKIPS} more skipped"))
    total = f"{len(outcome.jobs)} jobs"
    if limit is not None and len(outcome.jobs) >= limit:
        total += f" (stopped at --limit {limit})"
    if outcome.stored is not None:
        stored = outcome.stored
        total += f"; stored: {stored.new} new, {stored.updated} updated, {stored.unchanged} same"
    else:
        total += "; nothing stored (--store to write)"
    console.print(Text(total))
