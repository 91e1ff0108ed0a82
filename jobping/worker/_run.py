"""A run spread over workers: created once, tier 1 as one task per target, then the rest.

The flow, every step a task any worker may pick up, every step safe to repeat:

1. ``start_run`` takes the run lease, records the run (its id, tiers, settings snapshot) and
   one unit per (primary scraper, target), defers a task per unit and one ``advance``.
2. each unit task scrapes its target into the store (``ScraperRunner.run_target``: the same
   isolation, timeout and batched upserts as ``jobping run``), records its result once,
   and, when its tier has no unit left, defers ``advance``.
3. ``advance`` (one at a time per run, by its lock) moves the run on from where its row
   says it is: tier 2 decided as ``jobping run`` decides it (``IndividualTier.decide`` on
   the jobs seen so far), its units planned; then tier 3 (backfill, done in place); then
   the enrichment batches; then the report, the retirement of stale jobs, the lease.

A worker killed mid-task leaves its task ``doing``: once its heartbeat is stale another
worker retries it (see ``_worker``). Upserts are idempotent and a unit's result is written
once, so a unit done twice loses and duplicates nothing; ``advance`` re-reads the row and
continues; a move between phases is compare-and-set, so two copies cannot both make it.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime, timedelta
from typing import Any

import anyio
from procrastinate import App
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.jobs import Job

from jobping.errors import LeaseHeld
from jobping.orchestrator import TIERS, JobSink, Outcome, ScraperReport
from jobping.orchestrator._lease import RunLease, close_abandoned_runs
from jobping.orchestrator._runner import ScraperRunner
from jobping.orchestrator._shutdown import StopFlag
from jobping.orchestrator._tiers import RunState, plan
from jobping.scraping import Scraper
from jobping.settings import Settings
from jobping.worker._assemble import ENRICH_TIER, assemble, scraper_reports, seen_hashes
from jobping.worker._book import Phase, RunRow, UnitRow
from jobping.worker._context import WorkerContext, snapshot
from jobping.worker._names import ADVANCE, ENRICH_UNIT, SCRAPE_UNIT, full_name, run_lock, unit_lock

__all__ = ["advance", "defer_advance", "lease_for", "plan_units", "start_run"]

logger = logging.getLogger("jobping.worker")

ENRICH_BATCH = 25
"""Jobs per enrichment task."""


def lease_for(ctx: WorkerContext, settings: Settings, run_id: str) -> RunLease:
    """The run lease of a distributed run (its holder names the run, not a process)."""
    return RunLease(
        ctx.store,
        holder=f"workers:{run_id}",
        ttl_seconds=settings.run_lease_ttl_seconds,
        now=ctx.now,
    )


async def start_run(ctx: WorkerContext, run_id: str, tiers: list[int]) -> bool:
    """Take the lease, record the run and defer its ``advance``; False if the lease is held.

    Everything after the record is ``advance``'s (planning tier 1 included), so a worker
    dying anywhere in here leaves either nothing or a run ``advance`` can take on.
    """
    book = ctx.book
    if await book.run(run_id) is None:
        settings = ctx.settings
        try:
            await lease_for(ctx, settings, run_id).acquire()
        except LeaseHeld as exc:
            logger.warning("run %s not started: %s", run_id, exc)
            return False
        await close_abandoned_runs(ctx.store, current=run_id)
        await book.create(run_id, started_at=ctx.now(), tiers=tiers, snapshot=snapshot(settings))
    await defer_advance(ctx.app, run_id)
    return True


async def _plan_tier_one(ctx: WorkerContext, settings: Settings, run: RunRow) -> bool:
    """Plan tier 1's units, record the run in the store, move to ``scrape`` tier 1."""
    primary, _individual, not_ready = plan(settings, ctx.scrapers)
    decided = _decision(*_decide_primary(run, primary), started=ctx.now())
    planned = plan_units(settings, primary, 1) if decided["ran"] else []
    await ctx.book.add_units(run.run_id, planned)
    await ctx.store.save_run(assemble(run, await ctx.book.units(run.run_id)).to_record())
    decisions = {"tiers": {"1": decided}, "not_ready": not_ready}
    return await ctx.book.move(run, Phase.SCRAPE, 1, decisions)


def _decide_primary(run: RunRow, primary: list[Scraper]) -> tuple[bool, str]:
    if 1 not in run.tiers:
        return False, "disabled (--tiers)"
    if not primary:
        return False, "no primary scrapers are enabled"
    return True, f"runs every time ({len(primary)} primary scrapers)"


def _decision(ran: bool, reason: str, *, started: datetime) -> dict[str, Any]:
    return {"ran": ran, "reason": reason, "started": started.isoformat(), "ended": None}


def plan_units(settings: Settings, scrapers: list[Scraper], tier: int) -> list[UnitRow]:
    """One unit per target of each scraper; a scraper whose targets fail gets its result."""
    units = []
    for scraper in scrapers:
        try:
            targets = scraper.configured_targets(settings)
        except Exception as exc:  # noqa: BLE001 - a plugin's own code may raise anything
            result = _whole_scraper(scraper, tier, 1, failed=f"targets: {type(exc).__name__}")
            units.append(UnitRow(f"{tier}:{scraper.name}:", tier, scraper.name, "", result))
            continue
        if not targets:
            result = _whole_scraper(scraper, tier, 0, reason="no targets configured")
            units.append(UnitRow(f"{tier}:{scraper.name}:", tier, scraper.name, "", result))
        units += [
            UnitRow(f"{tier}:{scraper.name}:{target}", tier, scraper.name, str(target))
            for target in targets
        ]
    return units


def _whole_scraper(
    scraper: Scraper, tier: int, targets: int, *, failed: str | None = None, reason: str = ""
) -> dict[str, Any]:
    report = ScraperReport(scraper.name, scraper.source, tier, targets=targets)
    if failed:
        report.record(Outcome.FAILED, failed)
    report.reason = reason or None
    return report.to_dict()


async def defer_advance(app: App, run_id: str) -> None:
    """Defer the run's coordinating task, unless one is already waiting."""
    lock = run_lock(run_id)
    deferrer = app.configure_task(full_name(ADVANCE), queueing_lock=lock, lock=lock)
    with contextlib.suppress(AlreadyEnqueued):
        await deferrer.defer_async(run_id=run_id)


async def _defer_units(app: App, run_id: str, units: list[UnitRow]) -> None:
    """Defer a task per unit (one statement), skipping those already waiting.

    The first time, none waits: one batch. Again (a retried ``advance``), some may: one by
    one, each refused by its queueing lock if it waits already.
    """
    jobs = [_unit_job(app, run_id, unit) for unit in units]
    try:
        await app.job_manager.batch_defer_jobs_async(jobs)
    except AlreadyEnqueued:
        for job in jobs:
            with contextlib.suppress(AlreadyEnqueued):
                await app.job_manager.defer_job_async(job)


def _unit_job(app: App, run_id: str, unit: UnitRow) -> Job:
    lock = unit_lock(run_id, unit.unit)
    task = ENRICH_UNIT if unit.tier == ENRICH_TIER else SCRAPE_UNIT
    deferrer = app.configure_task(full_name(task), queueing_lock=lock, lock=lock)
    return deferrer.make_new_job(run_id=run_id, unit=unit.unit)


async def advance(ctx: WorkerContext, run_id: str) -> None:
    """Move the run on as far as it can go now (see the module's docstring)."""
    run = await ctx.book.run(run_id)
    if run is None:
        logger.warning("advance: no run %s", run_id)
        return
    settings = ctx.settings_for(run)
    while run.phase != Phase.DONE:
        units = await ctx.book.units(run_id)
        tier = ENRICH_TIER if run.phase == Phase.ENRICH else run.tier
        if pending := [u for u in units if u.tier == tier and u.result is None]:
            await _defer_units(ctx.app, run_id, pending)
            return
        moved = await _step(ctx, settings, run, units)
        if not moved:  # another copy moved it: start again from its row
            fresh = await ctx.book.run(run_id)
            if fresh is None:
                return
            run = fresh


async def _step(ctx: WorkerContext, settings: Settings, run: RunRow, units: list[UnitRow]) -> bool:
    """One move of the run's phase; whether this call made it."""
    if run.phase == Phase.NEW:
        return await _plan_tier_one(ctx, settings, run)
    if run.phase == Phase.SCRAPE:
        return await _after_tier(ctx, settings, run, units)
    if run.phase == Phase.ENRICH:
        return await _after_enrichment(ctx, settings, run, units)
    if run.tier == 0:
        deactivated = await _retire(ctx, settings, units)
        return await ctx.book.move(
            run, Phase.FINISH, 1, run.decisions | {"deactivated": deactivated}
        )
    await _finish(ctx, settings, run, units)
    return await ctx.book.move(run, Phase.DONE, 0, run.decisions)


async def _after_tier(
    ctx: WorkerContext, settings: Settings, run: RunRow, units: list[UnitRow]
) -> bool:
    """Tier ``run.tier`` is done: decide (and plan, or do) the next one."""
    decisions = dict(run.decisions)
    tiers = dict(decisions.get("tiers", {}))
    now = ctx.now()
    if str(run.tier) in tiers:
        tiers[str(run.tier)] = tiers[str(run.tier)] | {"ended": now.isoformat()}
    state = _state(ctx, settings, run, units)
    if run.tier == 1:
        ran, reason = _decide(2, run, state)
        tiers["2"] = _decision(ran, reason, started=now)
        planned = plan_units(settings, state.individual, 2) if ran else []
        await ctx.book.add_units(run.run_id, planned)
        return await ctx.book.move(run, Phase.SCRAPE, 2, decisions | {"tiers": tiers})
    ran, reason = _decide(3, run, state)
    tiers["3"] = _decision(ran, reason, started=now)
    if ran:
        await TIERS[2].run(state, state.report.tiers[2])
        tiers["3"] |= {"backfilled": len(state.report.backfill), "ended": now.isoformat()}
        decisions["backfill"] = [job.job_hash for job in state.report.backfill]
    return await ctx.book.move(run, Phase.ENRICH, 0, decisions | {"tiers": tiers})


async def _after_enrichment(
    ctx: WorkerContext, settings: Settings, run: RunRow, units: list[UnitRow]
) -> bool:
    """Plan the enrichment batches the first time; once they are done, move to finishing."""
    if run.decisions.get("enrichment_planned"):
        return await ctx.book.move(run, Phase.FINISH, 0, run.decisions)
    await ctx.book.add_units(run.run_id, _enrich_units(settings, units))
    return await ctx.book.move(run, Phase.ENRICH, 0, run.decisions | {"enrichment_planned": True})


def _state(ctx: WorkerContext, settings: Settings, run: RunRow, units: list[UnitRow]) -> RunState:
    """The tiers' view of the run so far: its report, and a sink holding its counts."""
    report = assemble(run, units)
    sink = JobSink(None, run_id=run.run_id, batch_size=settings.run_batch_size, now=ctx.now)
    sink.new = sum(s.new for s in report.scrapers)
    sink.updated = sum(s.updated for s in report.scrapers)
    sink.unchanged = sum(s.unchanged for s in report.scrapers)
    sink.seen = seen_hashes(units)
    runner = ScraperRunner(
        settings=settings, client=ctx.client, sink=sink, limiter=ctx.limiter, shutdown=StopFlag()
    )
    state = RunState(settings, ctx.store, sink, runner, report, ctx.now)
    state.primary, state.individual, _ = plan(settings, ctx.scrapers)
    return state


def _decide(number: int, run: RunRow, state: RunState) -> tuple[bool, str]:
    if number not in run.tiers:
        return False, "disabled (--tiers)"
    return TIERS[number - 1].decide(state)


def _enrich_units(settings: Settings, units: list[UnitRow]) -> list[UnitRow]:
    """Batches of ``ENRICH_BATCH`` jobs, as many in all as the run brought new or updated."""
    if settings.openai_api_key is None:
        return []
    fresh = sum(s.new + s.updated for s in scraper_reports(units))
    sizes = [min(ENRICH_BATCH, fresh - start) for start in range(0, fresh, ENRICH_BATCH)]
    return [
        UnitRow(f"enrich:{index:04d}", ENRICH_TIER, "enrich", str(size))
        for index, size in enumerate(sizes)
    ]


async def _retire(ctx: WorkerContext, settings: Settings, units: list[UnitRow]) -> dict[str, int]:
    """Deactivate the stale jobs of every source all of whose scrapers saw everything."""
    reports = scraper_reports(units)
    incomplete = {s.source for s in reports if not s.complete}
    cutoff = ctx.now() - timedelta(days=settings.run_stale_after_days)
    return {
        source: await ctx.store.deactivate_stale(source=source, last_seen_before=cutoff)
        for source in sorted({s.source for s in reports} - incomplete)
    }


async def _finish(
    ctx: WorkerContext, settings: Settings, run: RunRow, units: list[UnitRow]
) -> None:
    """Record the finished report and release the run lease."""
    report = assemble(run, units)
    jobs = [await ctx.store.get_job(h) for h in run.decisions.get("backfill", ())]
    report.backfill = [job for job in jobs if job is not None]
    report.finish(ctx.now(), settings.run_min_jobs)
    await ctx.store.save_run(report.to_record())
    with anyio.CancelScope(shield=True):
        await lease_for(ctx, settings, run.run_id).release()
    logger.info("run %s: %s (%s)", run.run_id, report.status, report.reason)
