"""The Orchestrator: hold the run lease, run the tiers in order, build the report.

Everything else is delegated: the tiers decide and do the work (``_tiers``), the runner
isolates each scraper (``_runner``), the sink persists (``_sink``), the lease and the
shutdown have their own modules. One run, in order:

1. take the run lease (``LeaseHeld`` at once if another run holds it) and record the run;
2. in one task group: keep the lease renewed, watch for signals, and, inside a cancel scope
   that the shutdown's grace period may cancel, run the tiers (then close the client: its
   pool, its quota reservations) and enrich the backlog if an enricher is given;
3. deactivate the stale jobs of every source whose scrape succeeded (not after an
   interruption or an error), and record the outcome;
4. release the lease, whatever happened.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Collection, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import anyio

from jobping.errors import JobPingError, StoreError
from jobping.http import DomainPolicies, ScrapeClient
from jobping.orchestrator._lease import RunLease, close_abandoned_runs, holder_name
from jobping.orchestrator._limits import FieldLimits
from jobping.orchestrator._parse_pool import InProcess, PageParser, ParsePool, parse_workers
from jobping.orchestrator._report import RunReport, ScraperReport, TierReport
from jobping.orchestrator._runner import ScraperRunner, ScraperStatsHook
from jobping.orchestrator._shutdown import Shutdown
from jobping.orchestrator._sink import JobSink
from jobping.orchestrator._tiers import TIERS, RunState, plan
from jobping.redact import redact_text
from jobping.scraping import Scraper
from jobping.settings import Settings
from jobping.store import (
    BreakerStore,
    JobStore,
    LeaseStore,
    QuotaLedger,
    RunLog,
    ValidatorStore,
)

__all__ = ["BacklogEnricher", "Orchestrator", "RunObserver", "RunStore"]

logger = logging.getLogger("jobping.orchestrator")

RunObserver = Callable[[TierReport | ScraperReport], None]
"""Called whenever a tier starts or ends and whenever a scraper's counts change."""


class RunStore(JobStore, RunLog, LeaseStore, QuotaLedger, BreakerStore, ValidatorStore, Protocol):
    """What a run uses of the store: jobs, its record, the lease, the client's state, validators."""


class EnrichResult(Protocol):
    """What an enrichment pass reports."""

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data."""
        ...


class BacklogEnricher(Protocol):
    """Enriches the store's backlog of unenriched jobs (``jobping.enrich.Enricher`` is one)."""

    async def enrich_backlog(self, *, limit: int) -> EnrichResult:
        """Enrich up to ``limit`` backlog jobs, newest first, and save them."""
        ...


ALL_TIERS = frozenset(tier.number for tier in TIERS)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Orchestrator:
    """One run of the scrapers; build it, then ``await run()`` once.

    ``dry_run`` writes no job, run record or lease (quotas and breakers still use the store,
    so a dry run never exceeds a quota either). ``enricher``, when given, enriches the
    backlog after the tiers (as many jobs as the run brought new or updated).
    ``handle_signals`` turns SIGINT/SIGTERM into a graceful stop (main thread only);
    ``shutdown.request(reason)`` does the same from code.
    ``now`` and ``sleep`` drive the run's own timing (lease renewal, grace period).
    """

    def __init__(
        self,
        settings: Settings,
        store: RunStore,
        *,
        scrapers: Sequence[Scraper] | None = None,
        tiers: Collection[int] = ALL_TIERS,
        dry_run: bool = False,
        handle_signals: bool = False,
        grace_seconds: float = 10.0,
        on_force: Callable[[], None] | None = None,
        observer: RunObserver | None = None,
        enricher: BacklogEnricher | None = None,
        now: Callable[[], datetime] = _utcnow,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    ) -> None:
        if unknown := set(tiers) - ALL_TIERS:
            raise ValueError(f"unknown tiers {sorted(unknown)}; the tiers are 1, 2 and 3")
        self.shutdown = Shutdown(grace_seconds=grace_seconds, on_force=on_force, sleep=sleep)
        self._settings = settings
        self._policies = DomainPolicies.from_settings(settings)  # a bad one stops us here
        self._store = store
        self._scrapers = scrapers
        self._tiers = frozenset(tiers)
        self._dry_run = dry_run
        self._handle_signals = handle_signals
        self._observer = _guarded(observer) if observer else (lambda _report: None)
        self._enricher = enricher
        self._now = now
        self._sleep = sleep
        self._started = False
        self._progress_lock = anyio.Lock()
        started = now()
        self.report = RunReport(
            run_id=f"{started:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}",
            started_at=started,
            dry_run=dry_run,
            tiers=[TierReport(tier.number, tier.name) for tier in TIERS],
        )

    async def run(self) -> RunReport:
        """Run the tiers under the run lease and return the finished report.

        Raises:
            LeaseHeld: another run holds the lease (nothing was done).
            StoreError: the store failed (the run is recorded as failed if it still can be).
        """
        if self._started:
            raise RuntimeError("an Orchestrator runs once: build a new one for the next run")
        self._started = True
        report = self.report
        lease = None if self._dry_run else self._lease()
        if lease is not None:
            await lease.acquire()
        try:
            if lease is not None:
                await close_abandoned_runs(self._store, current=report.run_id)
                await self._store.save_run(report.to_record())
            await self._run(report, lease)
        except BaseExceptionGroup as group:
            error = _first_error(group)
            if error is None:
                report.interrupted = report.interrupted or "cancelled"
                raise
            report.error = str(error)
            raise error from None
        except JobPingError as exc:
            report.error = str(exc)
            raise
        except BaseException:
            report.interrupted = report.interrupted or "cancelled"
            raise
        finally:
            with anyio.CancelScope(shield=True):
                await self._finish(report, lease)
        return report

    def _lease(self) -> RunLease:
        holder = holder_name(self.report.run_id)
        ttl = self._settings.run_lease_ttl_seconds
        return RunLease(
            self._store, holder=holder, ttl_seconds=ttl, now=self._now, sleep=self._sleep
        )

    async def _run(self, report: RunReport, lease: RunLease | None) -> None:
        """The run's task group: lease renewal, signals, and the work under the grace scope."""
        sink = JobSink(
            None if self._dry_run else self._store,
            timings=report.timings,
            run_id=report.run_id,
            batch_size=self._settings.run_batch_size,
            now=self._now,
            on_written=None if lease is None else self._record_progress,
            limits=FieldLimits.from_settings(self._settings),
        )
        async with anyio.create_task_group() as group:
            if self._handle_signals:
                await group.start(self.shutdown.watch_signals)
            if lease is not None:
                group.start_soon(lease.keep_renewed, self._lost_lease)
            group.start_soon(self._watch_loop, report)
            with anyio.CancelScope() as work:
                group.start_soon(self.shutdown.guard, work)
                await self._scrape(report, sink)
                if self._enricher is not None and not self.shutdown.requested:
                    await self._enrich(self._enricher, report, sink)
            report.interrupted = report.interrupted or self.shutdown.reason
            if not (report.interrupted or report.error):
                await self._retire(report, sink)
            group.cancel_scope.cancel()

    async def _scrape(self, report: RunReport, sink: JobSink) -> None:
        """Open the client (and the parse pool) and run the tiers; the stats go into the report."""
        settings = self._settings
        primary, individual, report.not_ready = plan(settings, self._scrapers)
        hook = ScraperStatsHook()
        setting = settings.run_parse_workers
        targets = _count_targets(settings, [*primary, *individual]) if setting == "auto" else 0
        workers = parse_workers(setting, targets)
        async with contextlib.AsyncExitStack() as stack:
            parser: PageParser = InProcess(report.timings)
            if workers:
                pool = ParsePool(workers, report.timings, sink.admission, self._now)
                parser = await stack.enter_async_context(pool)
            async with ScrapeClient.from_settings(
                settings, self._store, hooks=[hook], policies=self._policies
            ) as client:
                runner = ScraperRunner(
                    settings=settings,
                    client=client,
                    sink=sink,
                    limiter=anyio.CapacityLimiter(settings.run_concurrency),
                    shutdown=self.shutdown,
                    secrets=settings.secret_values(),
                    on_change=self._observer,
                    parser=parser,
                    validators=self._validators(),
                )
                state = RunState(settings, self._store, sink, runner, report, self._now)
                state.primary, state.individual = primary, individual
                try:
                    await self._run_tiers(state)
                finally:
                    with anyio.CancelScope(shield=True):
                        _fill_http_stats(report, await client.stats_report())

    def _validators(self) -> ValidatorStore | None:
        """The store of the targets' validators, unless conditional requests are off or dry."""
        conditional = self._settings.http_conditional_requests and not self._dry_run
        return self._store if conditional else None

    async def _enrich(self, enricher: BacklogEnricher, report: RunReport, sink: JobSink) -> None:
        """Enrich as many backlog jobs as this run brought new or updated ones (newest first).

        The new jobs are the newest of the backlog; the rest of the limit goes to jobs an
        earlier run left unenriched. With ``ENRICH_BATCH`` the enricher is called even when
        the run brought nothing new: it collects the batches that finished since. An
        enrichment failure is reported, never fatal.
        """
        if self._dry_run or (sink.fresh == 0 and not self._settings.enrich_batch):
            return
        started = anyio.current_time()
        try:
            result = await enricher.enrich_backlog(limit=sink.fresh)
        except StoreError:
            raise
        except JobPingError as exc:
            report.enrichment = {"error": redact_text(str(exc), self._settings.secret_values())}
            return
        finally:
            report.timings.enrich += anyio.current_time() - started
        report.enrichment = result.to_dict()

    async def _run_tiers(self, state: RunState) -> None:
        for strategy, tier in zip(TIERS, state.report.tiers, strict=True):
            if self.shutdown.requested:
                break
            if strategy.number not in self._tiers:
                tier.reason = "disabled (--tiers)"
                continue
            tier.ran, tier.reason = strategy.decide(state)
            logger.debug(
                "tier %d (%s) decision: %d jobs seen so far, run_min_jobs=%d, run_target_jobs=%d",
                tier.number,
                tier.name,
                state.sink.stored,
                self._settings.run_min_jobs,
                self._settings.run_target_jobs,
            )
            logger.info("tier %d (%s): %s", tier.number, tier.name, _verb(tier))
            if not tier.ran:
                continue
            self._observer(tier)
            started = anyio.current_time()
            try:
                await strategy.run(state, tier)
            finally:
                tier.duration_seconds = anyio.current_time() - started
                self._observer(tier)
            if not self._dry_run:
                await self._store.save_run(state.report.to_record())

    async def _retire(self, report: RunReport, sink: JobSink) -> None:
        """Deactivate the stale jobs of every source all of whose scrapers saw everything."""
        incomplete = {s.source for s in report.scrapers if not s.complete}
        sources = {s.source for s in report.scrapers} - incomplete
        cutoff = self._now() - timedelta(days=self._settings.run_stale_after_days)
        report.deactivated = await sink.retire(sources, last_seen_before=cutoff)
        for scraper in report.scrapers:
            scraper.deactivated = report.deactivated.get(scraper.source, 0)

    async def _finish(self, report: RunReport, lease: RunLease | None) -> None:
        """Close the report, record it and release the lease; never raises a store error."""
        for tier in report.tiers:
            if not tier.ran and tier.reason == "not reached" and report.interrupted:
                tier.reason = f"not run: {report.interrupted}"
        report.finish(self._now(), self._settings.run_min_jobs)
        logger.info("run %s: %s (%s)", report.run_id, report.status, report.reason)
        if lease is None:
            return
        try:
            await self._store.save_run(report.to_record())
        except StoreError as exc:
            logger.error("could not record run %s: %s", report.run_id, exc)
        try:
            await lease.release()
        except StoreError as exc:
            logger.error("could not release the run lease (it expires by itself): %s", exc)

    @staticmethod
    async def _watch_loop(report: RunReport) -> None:
        """Record the longest the event loop was blocked (a short sleep's overshoot)."""
        tick = 0.01
        while True:
            started = anyio.current_time()
            await anyio.sleep(tick)
            late = anyio.current_time() - started - tick
            report.longest_loop_block_seconds = max(report.longest_loop_block_seconds, late)

    async def _record_progress(self) -> None:
        """Record the run's counts so far (after each batch), stamped ``progress_at``."""
        async with self._progress_lock:
            record = self.report.to_record()
            record.counts["progress_at"] = self._now().isoformat()
            await self._store.save_run(record)

    def _lost_lease(self, reason: str) -> None:
        logger.error("%s; stopping", reason)
        self.report.error = reason
        self.shutdown.request(reason)


def _guarded(observer: RunObserver) -> RunObserver:
    """``observer``, with its errors logged instead of raised: a display never fails a run."""

    def notify(report: TierReport | ScraperReport) -> None:
        try:
            observer(report)
        except Exception:
            logger.warning("run observer %r failed", observer, exc_info=True)

    return notify


def _verb(tier: TierReport) -> str:
    return f"running: {tier.reason}" if tier.ran else f"not run: {tier.reason}"


def _fill_http_stats(report: RunReport, stats: dict[str, Any]) -> None:
    """The client's totals into the report, and each scraper's quota left per domain."""
    report.http = stats["total"]
    domains: dict[str, dict[str, Any]] = stats["domains"]
    for scraper in report.scrapers:
        scraper.quota_left = {
            domain: left
            for domain in sorted(scraper.domains)
            if isinstance(left := domains.get(domain, {}).get("quota_left"), dict)
        }


def _count_targets(settings: Settings, scrapers: Sequence[Scraper]) -> int:
    """How many targets the scrapers have (one for a scraper whose targets do not load)."""
    count = 0
    for scraper in scrapers:
        try:
            count += len(scraper.configured_targets(settings))
        except Exception:  # noqa: BLE001 - the runner reports it; one target's worth here
            count += 1
    return count


def _first_error(group: BaseExceptionGroup[BaseException]) -> JobPingError | None:
    """The first JobPing error inside a (nested) exception group."""
    for exc in group.exceptions:
        if isinstance(exc, JobPingError):
            return exc
        if isinstance(exc, BaseExceptionGroup) and (found := _first_error(exc)):
            return found
    return None
