"""One scraper run by hand: its targets in order, until a limit; the jobs kept for showing.

Nothing is written to the store unless asked; then the jobs go through the run's
``JobSink`` (normalized, deduplicated, upserted in batches as they arrive). Outside a
sandbox the store still keeps the request quotas and breakers of the real sites (so a quota
holds across commands); in a sandbox that writes nothing the store is not opened at all.
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, aclosing, asynccontextmanager
from datetime import UTC, datetime

from jobping.errors import ConfigError, MissingCredential, ScrapeError, SkipError
from jobping.http import RequestHook, ScrapeClient
from jobping.models import Job
from jobping.orchestrator import Batch, JobSink, ScraperReport
from jobping.sandbox import SOURCES, serve_sandbox
from jobping.scraping import ScrapeContext, Scraper, SkippedItem, Target, check_targets
from jobping.services._store import settings_store
from jobping.settings import Settings
from jobping.store import Store, UpsertResult

__all__ = ["ScrapeOutcome", "TargetOutcome", "scrape_one"]

logger = logging.getLogger("jobping.services")


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
    """What the scrape did: the jobs, each target's outcome, what was stored."""

    jobs: list[Job] = dataclasses.field(default_factory=list)
    targets: list[TargetOutcome] = dataclasses.field(default_factory=list)
    stored: UpsertResult | None = None
    sandbox_url: str | None = None

    @property
    def failed(self) -> bool:
        """Whether a target failed or was skipped (by a quota or an open breaker)."""
        return any(target.problem for target in self.targets)


async def scrape_one(
    scraper: Scraper,
    settings: Settings,
    *,
    targets: Sequence[str] = (),
    limit: int | None = None,
    write: bool = False,
    sandbox: bool = False,
    hooks: Sequence[RequestHook] = (),
) -> ScrapeOutcome:
    """Scrape ``targets`` (else the configured ones) in order until ``limit`` jobs.

    With ``write`` the jobs are stored through a ``JobSink``; with ``sandbox`` a sandbox
    started in-process serves the scraper's API.

    Raises:
        ConfigError: no target, a malformed one, or a sandbox that does not serve the scraper.
        MissingCredential: the scraper needs a key that is not set.
    """
    if sandbox and scraper.name not in SOURCES:
        served = ", ".join(SOURCES)
        raise ConfigError(
            {"--sandbox": f"the sandbox does not serve {scraper.name}; it serves {served}"}
        )
    outcome = ScrapeOutcome()
    async with AsyncExitStack() as stack:
        if sandbox:
            running = await stack.enter_async_context(serve_sandbox())
            settings = running.apply(settings)
            outcome.sandbox_url = running.base_urls[scraper.name]
        if missing := scraper.missing_credentials(settings):
            raise MissingCredential(missing[0])
        chosen = _targets(scraper, settings, targets)
        store = await stack.enter_async_context(_store(settings, open_it=write or not sandbox))
        sink = _sink(store, settings) if write and store is not None else None
        report = ScraperReport(scraper.name, scraper.source, tier=0)  # by hand: no tier
        async with ScrapeClient.from_settings(settings, store, hooks=hooks) as client:
            for target in chosen:
                if limit is not None and len(outcome.jobs) >= limit:
                    break
                context = ScrapeContext.for_scraper(scraper, client, settings)
                batch = sink.batch(report) if sink is not None else None
                result = await _scrape(
                    scraper, context, target, outcome=outcome, limit=limit, batch=batch
                )
                outcome.targets.append(result)
        if sink is not None:
            outcome.stored = sink.totals
    return outcome


def _targets(scraper: Scraper, settings: Settings, texts: Sequence[str]) -> list[Target]:
    """The given targets, else the configured ones; ``ConfigError`` when none."""
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
    async with settings_store(settings) as opened:
        yield opened


def _sink(store: Store, settings: Settings) -> JobSink:
    """The sink of a run, for this scrape: its own run id, the run's batch size."""
    now = datetime.now(UTC)
    return JobSink(
        store,
        run_id=f"scrape-{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}",
        batch_size=settings.run_batch_size,
        now=lambda: datetime.now(UTC),
    )


async def _scrape(
    scraper: Scraper,
    context: ScrapeContext,
    target: Target,
    *,
    outcome: ScrapeOutcome,
    limit: int | None,
    batch: Batch | None,
) -> TargetOutcome:
    """Scrape one target into ``outcome.jobs`` (and ``batch``); a failure is recorded."""
    result = TargetOutcome(str(target))
    try:
        async with aclosing(scraper.scrape(context, target)) as jobs:
            async for job in jobs:
                outcome.jobs.append(job)
                result.jobs += 1
                if batch is not None:
                    await batch.add(job)
                if limit is not None and len(outcome.jobs) >= limit:
                    break
    except (ScrapeError, SkipError) as exc:
        kind = "skipped" if isinstance(exc, SkipError) else "failed"
        result.problem = f"{kind}: {type(exc).__name__}: {exc}"
    except Exception as exc:  # a scraper's own bug fails its target, never the command
        logger.debug("%s crashed on %s", scraper.name, target, exc_info=True)
        result.problem = f"crashed: {type(exc).__name__}: {exc} (-vv shows the traceback)"
    finally:
        if batch is not None:
            await batch.flush()
    result.requests, result.skipped = context.requests, list(context.skipped)
    return result
