"""The sink: every job a scraper yields is validated, deduplicated and upserted in batches.

Each running target writes through its own :class:`Batch`, flushed as soon as it holds
``run_batch_size`` jobs and once more when the target ends (also when it fails or is
cancelled), so a crash loses at most the batches being filled. The run-wide set of
``job_hash`` values drops a job another target of this run already yielded; upserts are
idempotent, so running again creates no duplicate. A flush is shielded from cancellation:
a batch is either written and counted, or neither.
"""

from __future__ import annotations

import copy
import logging
import operator
import time
import types
import typing
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import anyio
import anyio.lowlevel

from jobping.models import Job
from jobping.orchestrator._limits import FieldLimits
from jobping.orchestrator._report import ScraperReport
from jobping.orchestrator._timings import RunTimings
from jobping.store import JobStore, UpsertResult

__all__ = ["Admission", "Batch", "Checked", "JobSink", "validate_job"]

logger = logging.getLogger("jobping.orchestrator")


def _runtime_types(hint: Any) -> tuple[type, ...]:
    """The classes ``isinstance`` accepts for an annotation of ``Job``."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return tuple(t for arg in typing.get_args(hint) for t in _runtime_types(arg))
    if hint is float:
        return (float, int)
    return (origin or hint,)


_FIELD_TYPES = {name: _runtime_types(hint) for name, hint in typing.get_type_hints(Job).items()}
_FIELD_VALUES = operator.attrgetter(*_FIELD_TYPES)
_DATETIMES = tuple(name for name, allowed in _FIELD_TYPES.items() if datetime in allowed)
_TUPLES = tuple(name for name, allowed in _FIELD_TYPES.items() if tuple in allowed)
_REQUIRED_TEXT = ("job_hash", "title", "company", "job_url", "source")
_MAX_BUSY_SECONDS = 0.02
"""How long parsing may hold the event loop before a batch yields it (lease renewal, I/O)."""


def validate_job(item: object, *, run_id: str, now: datetime) -> Job:
    """``item`` as a job of this run, or ``ValueError`` saying what is wrong with it.

    A scraper's jobs are built by ``Scraper.job``; this catches the garbage a broken plugin
    might yield instead (a wrong type, a naive datetime, an empty title), which the store
    would otherwise refuse for the whole batch.
    """
    if not isinstance(item, Job):
        raise ValueError(f"not a Job: {type(item).__name__}")
    for (name, allowed), value in zip(_FIELD_TYPES.items(), _FIELD_VALUES(item), strict=True):
        if not isinstance(value, allowed):
            raise ValueError(f"{name} is {type(value).__name__}")
    # Then what only some fields can hold: a naive datetime, a tuple of something else.
    for name in _DATETIMES:
        if (value := getattr(item, name)) is not None and value.utcoffset() is None:
            raise ValueError(f"{name} is a naive datetime")
    for name in _TUPLES:
        if not all(isinstance(v, str) for v in getattr(item, name)):
            raise ValueError(f"{name} holds something other than text")
    if empty := [name for name in _REQUIRED_TEXT if not getattr(item, name).strip()]:
        raise ValueError(f"{empty[0]} is empty")
    # A copy stamped in place: the copy of a valid job needs no __init__ (3x cheaper).
    stamped = copy.copy(item)
    object.__setattr__(stamped, "scraper_run_id", run_id)
    object.__setattr__(stamped, "scrape_timestamp", now)
    object.__setattr__(stamped, "is_active", True)
    return stamped


@dataclass(frozen=True, slots=True)
class Checked:
    """A yielded item once checked: the job stamped for the run, or why it was refused."""

    job: Job | None
    problem: str = ""
    """Why the item is not a valid job (when ``job`` is None)."""
    cut: tuple[str, ...] = ()
    """The over-long fields cut."""

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as its three values (the job as its own cheap tuple, see ``Job``)."""
        return (Checked, (self.job, self.problem, self.cut))


@dataclass(frozen=True, slots=True)
class Admission:
    """How the sink checks each yielded item: validated, stamped for the run, capped.

    It pickles, so a parse worker checks the items of the scraper it runs and the sink
    takes its ``Checked`` items as they are.
    """

    run_id: str
    limits: FieldLimits

    def check(self, item: object, now: datetime) -> Checked:
        """``item`` checked as a job of this run, stamped ``now``."""
        try:
            job, cut = self.limits.cap(validate_job(item, run_id=self.run_id, now=now))
        except ValueError as exc:
            return Checked(None, str(exc))
        return Checked(job, cut=tuple(cut))


class JobSink:
    """Validate → dedupe within the run → batched upsert; counts what each batch did.

    Without a store (a dry run) nothing is written and every unique job counts as new.
    Over-long fields are cut to ``limits`` on the way in (see :class:`FieldLimits`).
    The time it spends admitting and writing jobs adds up in ``timings.store``.
    ``on_written`` is awaited after each write (still shielded): the orchestrator records
    the run's counts there, so a run killed mid-way leaves counts up to its last batch.
    A run writes through one sink; so does ``jobping scrape --store``, counting into one
    ``ScraperReport`` and reading the totals from :attr:`totals`.
    """

    def __init__(
        self,
        store: JobStore | None,
        *,
        run_id: str,
        batch_size: int,
        now: Callable[[], datetime],
        on_written: Callable[[], Awaitable[None]] | None = None,
        limits: FieldLimits | None = None,
        timings: RunTimings | None = None,
    ) -> None:
        self.run_id = run_id
        self.batch_size = batch_size
        self.seen: set[str] = set()
        """The ``job_hash`` of every valid job of this run."""
        self.new = 0
        self.updated = 0
        self.unchanged = 0
        self._store = store
        self._now = now
        self._on_written = on_written
        self.admission = Admission(run_id, limits or FieldLimits())
        self._timings = timings or RunTimings()
        self._changed = anyio.Event()

    def now(self) -> datetime:
        """The run's clock."""
        return self._now()

    @property
    def fresh(self) -> int:
        """New plus updated jobs written so far (what enrichment has to look at)."""
        return self.new + self.updated

    @property
    def stored(self) -> int:
        """Valid, deduplicated jobs of this run written so far: new, updated or unchanged.

        This is what the tiers count: a board that did not change is a healthy source.
        """
        return self.new + self.updated + self.unchanged

    @property
    def totals(self) -> UpsertResult:
        """What every write so far did, in total."""
        return UpsertResult(new=self.new, updated=self.updated, unchanged=self.unchanged)

    def batch(self, report: ScraperReport) -> Batch:
        """A buffer for one running target, counting into ``report``."""
        return Batch(self, report)

    def admit(
        self, item: object, report: ScraperReport, valid: list[str] | None = None
    ) -> Job | None:
        """``item`` stamped for this run if it is a valid job not yet seen, else None.

        A ``Checked`` item (from a parse worker) was already checked: only counted here.
        The hash of a valid job (seen or not) is appended to ``valid`` when given.
        """
        started = time.perf_counter()
        try:
            checked = item if isinstance(item, Checked) else self.admission.check(item, self._now())
            return self._count(checked, report, valid)
        finally:
            self._timings.store += time.perf_counter() - started

    def _count(
        self, checked: Checked, report: ScraperReport, valid: list[str] | None
    ) -> Job | None:
        job, cut = checked.job, checked.cut
        if job is None:
            report.invalid += 1
            logger.debug("%s: invalid job dropped: %s", report.name, checked.problem)
            return None
        if cut:
            report.truncated += 1
            logger.warning(
                "%s: job %s: cut over-long %s", report.name, job.job_hash, ", ".join(cut)
            )
        report.found += 1
        if valid is not None:
            valid.append(job.job_hash)
        if job.job_hash in self.seen:
            report.duplicates += 1
            return None
        self.seen.add(job.job_hash)
        return job

    async def wait_stored(self, count: int) -> None:
        """Return once ``count`` jobs of this run are written."""
        while self.stored < count:
            await self._changed.wait()

    async def write(self, jobs: Sequence[Job], report: ScraperReport) -> None:
        """Upsert ``jobs`` (shielded from cancellation) and count the result."""
        with anyio.CancelScope(shield=True):
            started = time.perf_counter()
            if self._store is None:
                result = UpsertResult(new=len(jobs))
            else:
                result = await self._store.upsert_jobs(jobs, seen_at=self._now())
            self._timings.store += time.perf_counter() - started
            logger.debug(
                "%s: batch of %d written (%d new, %d updated, %d unchanged)",
                report.name,
                len(jobs),
                result.new,
                result.updated,
                result.unchanged,
            )
            report.new += result.new
            report.updated += result.updated
            report.unchanged += result.unchanged
            self.new += result.new
            self.updated += result.updated
            self.unchanged += result.unchanged
            await self._written()

    async def mark_seen(self, job_hashes: Sequence[str], report: ScraperReport) -> None:
        """Count the jobs of an unchanged answer as parsed again, marking them seen in bulk.

        The jobs this run already saw count as duplicates; the others are marked seen in one
        statement (shielded from cancellation) and count as found and unchanged, as many as
        the store still holds.
        """
        with anyio.CancelScope(shield=True):
            hashes = list(dict.fromkeys(job_hashes))
            fresh = [job_hash for job_hash in hashes if job_hash not in self.seen]
            marked = 0
            if self._store is not None and fresh:
                marked = await self._store.mark_jobs_seen(
                    fresh, seen_at=self._now(), run_id=self.run_id
                )
            self.seen.update(fresh)
            report.duplicates += len(hashes) - len(fresh)
            report.found += len(hashes) - len(fresh) + marked
            report.unchanged += marked
            self.unchanged += marked
            await self._written()

    async def _written(self) -> None:
        """Wake ``wait_stored`` and let the orchestrator record the counts."""
        self._changed.set()
        self._changed = anyio.Event()
        if self._on_written is not None:
            await self._on_written()

    async def retire(
        self, sources: Collection[str], *, last_seen_before: datetime
    ) -> dict[str, int]:
        """Mark the unseen active jobs of each source inactive; the count per source."""
        if self._store is None:
            return {}
        return {
            source: await self._store.deactivate_stale(
                source=source, last_seen_before=last_seen_before
            )
            for source in sorted(sources)
        }


class Batch:
    """The pending jobs of one running target."""

    def __init__(self, sink: JobSink, report: ScraperReport) -> None:
        self._sink = sink
        self._report = report
        self._pending: list[Job] = []
        self.job_hashes: list[str] = []
        """The hash of every valid job the target yielded (those seen before included)."""
        self._busy_since = time.monotonic()

    async def add(self, item: object) -> None:
        """Take one yielded item: count it, drop it if invalid or seen, flush when full.

        Parsing a large page is CPU work between two awaits: every ``_MAX_BUSY_SECONDS`` of
        it, ``add`` yields the event loop so lease renewal and I/O are not held up.
        """
        if time.monotonic() - self._busy_since > _MAX_BUSY_SECONDS:
            await anyio.lowlevel.checkpoint()
            self._busy_since = time.monotonic()
        job = self._sink.admit(item, self._report, self.job_hashes)
        if job is None:
            return
        self._pending.append(job)
        if len(self._pending) >= self._sink.batch_size:
            await self.flush()

    async def flush(self) -> None:
        """Write the pending jobs, if any."""
        if self._pending:
            jobs, self._pending = self._pending, []
            await self._sink.write(jobs, self._report)
