"""The three tiers of a run: small strategies, each deciding whether it is needed and why.

1. **primary**: the primary scrapers, run together as one batch, every time.
2. **individual**: if tier 1 failed (no primary scraper succeeded) or the run has fewer than
   ``run_min_jobs`` jobs seen (valid and deduplicated, new, updated or unchanged: an
   unchanged board is a healthy source), the individual scrapers, each isolated, within the
   run's concurrency limit; it stops starting work once the run has ``run_target_jobs``.
3. **backfill**: if the run still has fewer than ``run_min_jobs``, active jobs of the store
   posted within ``run_backfill_days`` that this run did not see, newest first, at most
   ``run_backfill_limit``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

import anyio

from jobping.orchestrator._report import Outcome, RunReport, ScraperReport, TierReport
from jobping.orchestrator._runner import ScraperRunner
from jobping.orchestrator._shutdown import StopFlag
from jobping.orchestrator._sink import JobSink
from jobping.scraping import Scraper, discover_scrapers
from jobping.settings import Settings
from jobping.store import JobStore

__all__ = ["TIERS", "BackfillTier", "IndividualTier", "PrimaryTier", "RunState", "Tier", "plan"]


@dataclass(slots=True)
class RunState:
    """What the tiers of one run share."""

    settings: Settings
    store: JobStore
    sink: JobSink
    runner: ScraperRunner
    report: RunReport
    now: Callable[[], datetime]
    primary: list[Scraper] = field(default_factory=list)
    individual: list[Scraper] = field(default_factory=list)

    @property
    def shortfall(self) -> str | None:
        """Why the run needs more jobs, or None when it has ``run_min_jobs``."""
        seen, wanted = self.sink.stored, self.settings.run_min_jobs
        if seen >= wanted:
            return None
        return f"the run has seen {seen} jobs, fewer than run_min_jobs={wanted}"

    async def scrape(self, scrapers: Sequence[Scraper], tier: TierReport, stop: StopFlag) -> None:
        """Run ``scrapers`` as part of ``tier``, adding their reports to the run's."""
        reports = [ScraperReport(s.name, s.source, tier.number) for s in scrapers]
        self.report.scrapers.extend(reports)
        tier.scrapers = [r.name for r in reports]
        try:
            await self.runner.run_all(list(zip(scrapers, reports, strict=True)), stop)
        finally:
            tier.new = sum(r.new for r in reports)
            tier.updated = sum(r.updated for r in reports)
            tier.unchanged = sum(r.unchanged for r in reports)


class Tier(Protocol):
    """One tier: whether it is needed (and why), and how it runs."""

    number: int
    name: str

    def decide(self, state: RunState) -> tuple[bool, str]:
        """Whether to run, and the reason either way."""
        ...

    async def run(self, state: RunState, tier: TierReport) -> None:
        """Do the tier's work, recording what it contributed in ``tier``."""


class PrimaryTier:
    """Tier 1: every primary scraper, together."""

    number = 1
    name = "primary"

    def decide(self, state: RunState) -> tuple[bool, str]:
        """Always needed, when there are primary scrapers."""
        if not state.primary:
            return False, "no primary scrapers are enabled"
        return True, f"runs every time ({len(state.primary)} primary scrapers)"

    async def run(self, state: RunState, tier: TierReport) -> None:
        """Run the primary scrapers as one batch."""
        await state.scrape(state.primary, tier, StopFlag())


class IndividualTier:
    """Tier 2: the individual scrapers, on fallback, until ``run_target_jobs``."""

    number = 2
    name = "individual"

    def decide(self, state: RunState) -> tuple[bool, str]:
        """Needed when tier 1 failed or the run is short of ``run_min_jobs``."""
        primary = [r for r in state.report.scrapers if r.tier == PrimaryTier.number]
        if primary and not any(r.outcomes[Outcome.OK] for r in primary):
            why = "tier 1 failed: no primary scraper succeeded"
        elif (short := state.shortfall) is not None:
            why = short
        else:
            return False, f"not needed: {state.sink.stored} jobs seen"
        if not state.individual:
            return False, f"needed ({why}), but no individual scrapers are enabled"
        return True, why

    async def run(self, state: RunState, tier: TierReport) -> None:
        """Run the individual scrapers; stop starting work once the target is reached."""
        stop = StopFlag()
        async with anyio.create_task_group() as group:
            group.start_soon(self._stop_at_target, state, stop)
            await state.scrape(state.individual, tier, stop)
            group.cancel_scope.cancel()
        stopped = any(
            r.outcomes[Outcome.STOPPED] for r in state.report.scrapers if r.tier == self.number
        )
        tier.stopped_early = stop.reason if stopped else None

    @staticmethod
    async def _stop_at_target(state: RunState, stop: StopFlag) -> None:
        target = state.settings.run_target_jobs
        await state.sink.wait_stored(target)
        stop.request(f"run_target_jobs={target} reached")


class BackfillTier:
    """Tier 3: recent active jobs from the store that this run did not see."""

    number = 3
    name = "backfill"

    def decide(self, state: RunState) -> tuple[bool, str]:
        """Needed while the run is short of ``run_min_jobs``."""
        short = state.shortfall
        if short is None:
            return False, f"not needed: {state.sink.stored} jobs seen"
        return True, short

    async def run(self, state: RunState, tier: TierReport) -> None:
        """Take the newest recent active jobs the run has not seen."""
        settings = state.settings
        jobs = await state.store.recent_active_jobs(
            posted_since=state.now() - timedelta(days=settings.run_backfill_days),
            exclude=state.sink.seen,
            limit=settings.run_backfill_limit,
        )
        state.report.backfill = jobs
        tier.backfilled = len(jobs)


TIERS: tuple[Tier, ...] = (PrimaryTier(), IndividualTier(), BackfillTier())
"""The tiers, in the order a run tries them."""


def plan(
    settings: Settings, scrapers: Sequence[Scraper] | None = None
) -> tuple[list[Scraper], list[Scraper], dict[str, str]]:
    """The enabled scrapers by tier (primary, individual), and the ones that cannot load.

    ``scrapers`` defaults to every installed scraper (``discover_scrapers``).
    """
    not_ready: dict[str, str] = {}
    if scrapers is None:
        rows = discover_scrapers(settings)
        not_ready = {r.name: r.problem for r in rows if r.scraper is None and r.problem}
        scrapers = [r.scraper() for r in rows if r.scraper is not None]
    enabled = sorted(
        (s for s in scrapers if s.config(settings).enabled), key=lambda scraper: scraper.name
    )
    primary = [s for s in enabled if s.configured_tier(settings) == "primary"]
    return primary, [s for s in enabled if s not in primary], not_ready
