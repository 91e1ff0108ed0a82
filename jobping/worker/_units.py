"""The work of one unit: one target of one scraper, or one enrichment batch.

A unit whose result is recorded is not done again (its task may run twice: a worker died
after recording it, before its task was marked done). When the last unit of its tier is
recorded, the task defers the run's ``advance``.
"""

from __future__ import annotations

import logging
from typing import Any

import anyio

from jobping.errors import ConfigError, JobPingError, StoreError
from jobping.orchestrator import JobSink, Outcome, ScraperReport
from jobping.orchestrator._runner import ScraperRunner
from jobping.orchestrator._shutdown import StopFlag
from jobping.orchestrator._tiers import plan
from jobping.redact import redact_text
from jobping.scraping import Scraper, Target
from jobping.settings import Settings
from jobping.worker._book import RunRow, UnitRow
from jobping.worker._context import WorkerContext
from jobping.worker._run import defer_advance, lease_for

__all__ = ["enrich_unit", "scrape_unit"]

logger = logging.getLogger("jobping.worker")


async def scrape_unit(ctx: WorkerContext, run_id: str, unit: str) -> None:
    """Scrape one target of the run into the store and record its result."""
    await _do(ctx, run_id, unit, _scrape)


async def enrich_unit(ctx: WorkerContext, run_id: str, unit: str) -> None:
    """Enrich one batch of the run's backlog and record what it did."""
    await _do(ctx, run_id, unit, _enrich)


async def _do(ctx: WorkerContext, run_id: str, key: str, work: Any) -> None:
    run, unit = await ctx.book.run(run_id), await ctx.book.unit(run_id, key)
    if run is None or unit is None:
        logger.warning("no unit %s of run %s: nothing to do", key, run_id)
        return
    if unit.result is None:
        settings = ctx.settings_for(run)
        stop = StopFlag()
        lease = lease_for(ctx, settings, run_id)
        async with anyio.create_task_group() as group:
            group.start_soon(lease.keep_renewed, stop.request)
            result = await work(ctx, settings, run, unit, stop)
            group.cancel_scope.cancel()
        await ctx.book.record(run_id, key, result)
    if await ctx.book.pending(run_id, unit.tier) == 0:
        await defer_advance(ctx.app, run_id)


async def _scrape(
    ctx: WorkerContext, settings: Settings, run: RunRow, unit: UnitRow, stop: StopFlag
) -> dict[str, Any]:
    scraper = _scraper(ctx, settings, unit.scraper)
    report = ScraperReport(scraper.name, scraper.source, unit.tier, targets=1)
    started = anyio.current_time()
    if unit.tier > 1 and (reached := await _target_reached(ctx, settings, run)):
        report.record(Outcome.STOPPED, reached)
        return report.to_dict() | {"hashes": []}
    sink = JobSink(ctx.store, run_id=run.run_id, batch_size=settings.run_batch_size, now=ctx.now)
    runner = ScraperRunner(
        settings=settings,
        client=ctx.client,
        sink=sink,
        limiter=ctx.limiter,
        shutdown=stop,
        secrets=settings.secret_values(),
        validators=ctx.store if settings.http_conditional_requests else None,
    )
    await runner.run_target(scraper, Target(unit.target), report)
    report.duration_seconds = anyio.current_time() - started
    logger.info(
        "%s %s: %s, %d found, %d new, %d updated in %.1fs",
        scraper.name, unit.target, report.status, report.found, report.new, report.updated,
        report.duration_seconds,
    )  # fmt: skip
    return report.to_dict() | {"hashes": sorted(sink.seen)}


def _scraper(ctx: WorkerContext, settings: Settings, name: str) -> Scraper:
    primary, individual, _ = plan(settings, ctx.scrapers)
    for scraper in (*primary, *individual):
        if scraper.name == name:
            return scraper
    problem = f"the run names scraper {name!r}, which this worker has not enabled"
    raise ConfigError({f"scrapers.{name}": problem})


async def _target_reached(ctx: WorkerContext, settings: Settings, run: RunRow) -> str | None:
    """``run_target_jobs=N reached`` once the run has seen that many jobs, else None."""
    target = settings.run_target_jobs
    seen = await ctx.book.seen(run.run_id)
    return f"run_target_jobs={target} reached" if seen >= target else None


async def _enrich(
    ctx: WorkerContext, settings: Settings, run: RunRow, unit: UnitRow, stop: StopFlag
) -> dict[str, Any]:
    del run, stop  # an enrichment batch is short; it is not stopped half-way
    from jobping.budget import TokenBudget  # noqa: PLC0415 (heavy, optional)
    from jobping.enrich import Enricher  # noqa: PLC0415 (heavy, optional)

    budget = TokenBudget.from_settings(settings, ctx.store)
    try:
        async with Enricher(settings, ctx.store, budget) as enricher:
            result = await enricher.enrich_backlog(limit=int(unit.target))
    except StoreError:
        raise
    except JobPingError as exc:
        return {"error": redact_text(str(exc), settings.secret_values())}
    return result.to_dict()
