"""Scrapers that misbehave on purpose, and job builders, for the orchestrator tests.

They are real ``Scraper`` subclasses (no mocks): ``make(cls, name, ...)`` gives one its
name, tier, targets and number of jobs per target.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, ClassVar, cast

import anyio

from jobping.models import Job
from jobping.scraping import ScrapeContext, Scraper, ScraperTier, Target

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def job(source: str, key: str, **changes: Any) -> Job:
    """A valid job of ``source`` whose hash is ``source:key``."""
    fields: dict[str, Any] = {
        "job_hash": f"{source}:{key}",
        "title": f"Engineer {key}",
        "company": "Acme",
        "job_url": f"https://jobs.example.com/{source}/{key}",
        "source": source,
    }
    return Job(**(fields | changes))


class Board(Scraper):
    """Yields ``jobs`` jobs per target, hashed ``source:target-n``; no network."""

    base_url = "https://board.invalid"
    domains = ("board.invalid",)
    jobs: ClassVar[int] = 3

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Yield the target's jobs."""
        for number in range(self.jobs):
            yield job(self.source, f"{target.value}-{number}")


class Raising(Board):
    """Yields one job, then raises an error quoting a secret."""

    secret: ClassVar[str] = ""

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """One job, then a crash."""
        yield job(self.source, f"{target.value}-0")
        raise RuntimeError(f"boom while using key {self.secret}")


class Hanging(Board):
    """Yields one job, then never yields again."""

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """One job, then a hang."""
        yield job(self.source, f"{target.value}-0")
        await anyio.sleep_forever()


class Garbage(Board):
    """Yields things that are not valid jobs around two valid ones."""

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Garbage of several kinds, and two good jobs."""
        items: list[Any] = [
            {"title": "a dict, not a Job"},
            job(self.source, "good-1"),
            None,
            job(self.source, "naive", posted_at=datetime(2026, 1, 1)),  # noqa: DTZ001 - on purpose
            job(self.source, "blank", title="  "),
            job(self.source, "typed", salary_min="a lot"),
            job(self.source, "good-2"),
            job(self.source, "good-1"),  # a duplicate
        ]
        for item in items:
            yield cast(Job, item)


class Requesting(Board):
    """Requests ``url`` through the run's client (to meet its quota or breaker)."""

    url: ClassVar[str] = "https://board.invalid/jobs"

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """One request; a job if it answers."""
        await ctx.get_json(self.url)
        yield job(self.source, f"{target.value}-0")


class Gated(Board):
    """Yields ``jobs`` jobs, then waits for ``gate`` before it finishes."""

    gate: ClassVar[anyio.Event]
    reached: ClassVar[anyio.Event]

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Jobs, then a pause the test ends."""
        for number in range(self.jobs):
            yield job(self.source, f"{target.value}-{number}")
        self.reached.set()
        await self.gate.wait()


def make(
    cls: type[Board],
    name: str,
    *,
    tier: ScraperTier = "primary",
    targets: tuple[str, ...] = ("t1",),
    jobs: int = 3,
    **attributes: Any,
) -> Scraper:
    """An instance of a subclass of ``cls`` called ``name`` (its source too)."""
    namespace = {
        "name": name,
        "source": name,
        "tier": tier,
        "default_targets": targets,
        "jobs": jobs,
        **attributes,
    }
    subclass = type(f"{cls.__name__}_{name}", (cls,), namespace)
    return cast(Scraper, subclass())


class Paging(Board):
    """Requests ``paths`` (under ``base_url``) one page after the other, a job per page.

    A page's job takes the title of the page's first job, when it has one.
    """

    paths: ClassVar[tuple[str, ...]] = ()

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """One job per page, in order."""
        for number, path in enumerate(self.paths):
            page = await ctx.get_json(path)
            jobs = page.get("jobs") if isinstance(page, dict) else None
            title = jobs[0]["title"] if jobs else f"Engineer {number}"
            yield job(self.source, f"{target.value}-{number}", title=title)
