"""Running scrapers in isolation: one task per target, bounded, timed, never failing the run.

Every target of every scraper is one unit of work: it waits for a slot of the run-wide
limiter (``run_concurrency``), then scrapes under ``run_scraper_timeout_seconds`` (counted
from when it got the slot) and streams its jobs into the sink. Whatever the scraper does,
raising, hanging past its timeout or yielding garbage, the unit ends with an outcome in the
scraper's report; only cancellation and a store failure pass through.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Awaitable, Callable, Sequence

import anyio

from jobping.errors import SkipError, StoreError
from jobping.http import RequestEvent, Validators
from jobping.orchestrator._parse_pool import InProcess, PageParser
from jobping.orchestrator._report import Outcome, ScraperReport
from jobping.orchestrator._shutdown import RunStopped, StopFlag, StoppableClient
from jobping.orchestrator._sink import Batch, JobSink
from jobping.orchestrator._timings import RunTimings
from jobping.redact import preview
from jobping.scraping import (
    ConditionalClient,
    JsonClient,
    Revalidation,
    ScrapeContext,
    Scraper,
    Target,
    TargetUnchanged,
)
from jobping.settings import Settings
from jobping.store import TargetValidators, ValidatorStore

__all__ = ["ScraperRunner", "ScraperStatsHook"]

logger = logging.getLogger("jobping.orchestrator")

_current: contextvars.ContextVar[ScraperReport | None] = contextvars.ContextVar(
    "jobping_current_scraper", default=None
)
_MAX_ERROR_CHARS = 300


class ScraperStatsHook:
    """A request hook crediting each request to the scraper whose task sent it.

    Domains are shared (a sandbox serves every source from one host), so the client's
    per-domain stats cannot say which scraper made a request; the task's context can.
    """

    def __init__(self) -> None:
        self._breakers: dict[str, str] = {}

    def __call__(self, event: RequestEvent, /) -> None:
        """Count the event for the current scraper; a breaker that opens is a trip."""
        was = self._breakers.get(event.domain, "closed")
        self._breakers[event.domain] = event.breaker
        report = _current.get()
        if report is None:
            return
        report.domains.add(event.domain)
        report.requests += event.sent
        report.retries += event.retry_in is not None
        report.replaced_bytes += event.replaced_bytes
        report.breaker_trips += event.breaker == "open" and was != "open"


class ScraperRunner:
    """Runs scrapers target by target into the sink, each unit isolated from the others.

    ``validators``, when given (and the client can send conditional requests), revalidates
    each target scraped whole in one request last time, and keeps what the next run needs.
    ``parser`` runs each target's scraper (in this process by default, or in a
    :class:`ParsePool`'s workers) and counts the fetch and parse time.
    """

    def __init__(
        self,
        *,
        settings: Settings,
        client: JsonClient,
        sink: JobSink,
        limiter: anyio.CapacityLimiter,
        shutdown: StopFlag,
        secrets: Sequence[str] = (),
        on_change: Callable[[ScraperReport], None] = lambda _report: None,
        validators: ValidatorStore | None = None,
        parser: PageParser | None = None,
    ) -> None:
        self._settings = settings
        conditional = isinstance(client, ConditionalClient)
        self._validators = validators if conditional else None
        self._client = client
        self._sink = sink
        self._limiter = limiter
        self._shutdown = shutdown
        self._secrets = tuple(secrets)
        self._on_change = on_change
        self._parser = parser or InProcess(RunTimings())

    async def run_all(
        self, scrapers: Sequence[tuple[Scraper, ScraperReport]], stop: StopFlag
    ) -> None:
        """Run every scraper's targets concurrently (within the limiter) until done or stopped."""
        flags = (self._shutdown, stop)
        async with anyio.create_task_group() as group:
            for scraper, report in scrapers:
                group.start_soon(self._run_scraper, scraper, report, flags)

    async def run_target(self, scraper: Scraper, target: Target, report: ScraperReport) -> None:
        """Run one target of ``scraper`` into the sink, isolated as ever (a worker's unit)."""
        known = await self._known(scraper, str(target))
        await self._run_target(scraper, target, report, (self._shutdown,), known.get(str(target)))

    async def _run_scraper(
        self, scraper: Scraper, report: ScraperReport, flags: tuple[StopFlag, ...]
    ) -> None:
        started = anyio.current_time()
        try:
            targets = scraper.configured_targets(self._settings)
        except Exception as exc:  # noqa: BLE001 - a plugin's own code may raise anything
            report.targets = 1
            report.record(Outcome.FAILED, self._describe("targets", exc))
            targets = []
        else:
            report.targets = len(targets)
            if not targets:
                report.reason = "no targets configured"
        self._on_change(report)
        known = await self._known(scraper) if targets else {}
        try:
            async with anyio.create_task_group() as group:
                for target in targets:
                    stored = known.get(str(target))
                    group.start_soon(self._run_target, scraper, target, report, flags, stored)
        finally:
            report.duration_seconds = anyio.current_time() - started
            self._on_change(report)
            logger.info(
                "%s: %s, %d found, %d new, %d updated, %d invalid, %d requests in %.1fs",
                report.name,
                report.status,
                report.found,
                report.new,
                report.updated,
                report.invalid,
                report.requests,
                report.duration_seconds,
            )

    async def _run_target(
        self,
        scraper: Scraper,
        target: Target,
        report: ScraperReport,
        flags: tuple[StopFlag, ...],
        stored: TargetValidators | None = None,
    ) -> None:
        async with self._limiter:
            if stopped := next((flag.reason for flag in flags if flag.reason), None):
                report.record(Outcome.STOPPED, stopped)
                return
            client = StoppableClient(self._client, flags, self._parser.timings)
            revalidation = self._revalidation(stored, client)
            batch = self._sink.batch(report)
            token = _current.set(report)
            outcome: Outcome = Outcome.STOPPED
            reason: str | None = "cancelled"
            try:
                outcome, reason = await self._scrape(
                    scraper, target, batch.add, report, client, revalidation=revalidation
                )
            except anyio.get_cancelled_exc_class():
                reason = next((flag.reason for flag in flags if flag.reason), reason)
                raise
            finally:
                _current.reset(token)
                await batch.flush()
                report.record(outcome, reason)
                self._on_change(report)
            if outcome is Outcome.OK and revalidation is not None:
                key = (scraper.name, str(target))
                await self._revalidated(
                    report, batch, key=key, stored=stored, revalidation=revalidation
                )

    async def _known(
        self, scraper: Scraper, target: str | None = None
    ) -> dict[str, TargetValidators]:
        """What the last answers of ``scraper``'s targets (or that one) left, by target."""
        if self._validators is None:
            return {}
        return await self._validators.load_validators(scraper.name, target=target)

    def _revalidation(
        self, stored: TargetValidators | None, client: StoppableClient
    ) -> Revalidation | None:
        """The revalidation of a target's first request (None when the runner does not)."""
        if self._validators is None:
            return None
        previous = None
        if stored is not None:
            validators = Validators(stored.etag, stored.last_modified, stored.body_hash)
            previous = (stored.url, validators)
        return Revalidation(client, previous)

    async def _revalidated(
        self,
        report: ScraperReport,
        batch: Batch,
        *,
        key: tuple[str, str],
        stored: TargetValidators | None,
        revalidation: Revalidation,
    ) -> None:
        """After a target ended ok: mark an unchanged answer's jobs seen, or keep a new answer's.

        Only a target scraped whole in its one request keeps its answer's validators (a
        target with more pages, or stopped by its page cap, depends on more than one answer).
        """
        if revalidation.unchanged is not None and stored is not None:
            if revalidation.unchanged == "not_modified":
                report.not_modified += 1
            else:
                report.body_unchanged += 1
            await self._sink.mark_seen(stored.job_hashes, report)
            self._on_change(report)
            return
        answer = revalidation.answer
        if answer is None or not revalidation.whole or self._validators is None:
            return
        await self._validators.save_validators(
            TargetValidators(
                scraper=key[0],
                target=key[1],
                url=answer.url,
                etag=answer.validators.etag,
                last_modified=answer.validators.last_modified,
                body_hash=answer.validators.body_hash,
                job_hashes=tuple(dict.fromkeys(batch.job_hashes)),
                saved_at=self._sink.now(),
            )
        )

    async def _scrape(
        self,
        scraper: Scraper,
        target: Target,
        add: Callable[[object], Awaitable[None]],
        report: ScraperReport,
        client: StoppableClient,
        *,
        revalidation: Revalidation | None = None,
    ) -> tuple[Outcome, str | None]:
        """Scrape one target into ``add``; the outcome and its reason (never raises)."""
        timeout = self._settings.run_scraper_timeout_seconds
        ctx: ScrapeContext | None = None
        try:
            ctx = ScrapeContext.for_scraper(
                scraper, client, self._settings, revalidation=revalidation
            )
            with anyio.fail_after(timeout):
                jobs = self._parser.scrape(scraper, ctx, target, client)
                try:
                    async for item in jobs:
                        await add(item)
                finally:
                    await jobs.aclose()
        except TargetUnchanged as exc:
            if revalidation is not None:
                revalidation.unchanged = exc.freshness
        except StoreError:
            raise  # the store failing is the run's failure, not this scraper's
        except SkipError as exc:
            return Outcome.SKIPPED, f"{target}: {exc}"
        except RunStopped as exc:
            return Outcome.STOPPED, str(exc)
        except TimeoutError:
            return Outcome.FAILED, f"{target}: timed out after {timeout:g}s"
        except Exception as exc:  # noqa: BLE001 - one scraper's failure never fails the run
            return Outcome.FAILED, self._describe(str(target), exc)
        finally:
            if ctx is not None:
                report.invalid += len(ctx.skipped)
                report.replaced_bytes += ctx.replaced_bytes
                report.page_cap_reached |= ctx.page_cap_reached
                if revalidation is not None:
                    revalidation.whole = ctx.requests == 1 and not ctx.page_cap_reached
        return Outcome.OK, None

    def _describe(self, where: str, exc: Exception) -> str:
        """``where: Type: message``, redacted and cut short."""
        return preview(f"{where}: {type(exc).__name__}: {exc}", _MAX_ERROR_CHARS, self._secrets)
