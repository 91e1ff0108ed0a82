"""The run report: per scraper, per tier and in total; plain data and JSON, never printed here.

A run's status follows from the report (see :meth:`RunReport.finish`): ``failed`` when an
error ended it (the store failed, the lease was lost) or when it has fewer than
``run_min_jobs`` jobs seen (new, updated or unchanged) even after the backfill,
``interrupted`` when a signal stopped it, ``degraded`` when a fallback tier was needed or a
scraper failed, else ``success``. The command line maps the status to its exit code.
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jobping.models import Job, RunRecord, RunStatus
from jobping.orchestrator._timings import RunTimings

__all__ = ["Outcome", "RunReport", "ScraperReport", "TierReport"]

MAX_ERRORS = 10
"""Errors kept per scraper; more are counted, not kept."""

_JOB_COUNTS = ("found", "new", "updated", "unchanged", "duplicates", "invalid", "truncated")
_HTTP_COUNTS = ("requests", "retries", "breaker_trips", "not_modified", "body_unchanged")


class Outcome(enum.StrEnum):
    """How one target of one scraper ended."""

    OK = "ok"
    FAILED = "failed"
    SKIPPED = "skipped"
    """Not attempted by policy: quota exhausted, circuit open, missing credential."""
    STOPPED = "stopped"
    """Stopped before the end: the tier reached its target, or the run was interrupted."""


@dataclass(slots=True)
class ScraperReport:
    """What one scraper did in a run, over all its targets."""

    name: str
    source: str
    tier: int
    targets: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    found: int = 0
    """Valid jobs it yielded (duplicates within the run included)."""
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    """Jobs another scraper (or target) of this run had already yielded."""
    invalid: int = 0
    """Items it skipped as malformed plus objects it yielded that are not valid jobs."""
    truncated: int = 0
    """Valid jobs with a field cut to its limit on the way in (``JOB_MAX_*_CHARS``)."""
    requests: int = 0
    retries: int = 0
    breaker_trips: int = 0
    not_modified: int = 0
    """Targets whose conditional request was answered 304: their jobs were marked seen."""
    body_unchanged: int = 0
    """Targets whose answer had the stored body hash: marked seen without parsing it."""
    replaced_bytes: int = 0
    """Invalid UTF-8 bytes of its pages decoded as U+FFFD (the pages were kept)."""
    domains: set[str] = field(default_factory=set)
    """The domains its requests went to."""
    quota_left: dict[str, dict[str, int]] = field(default_factory=dict)
    """Per domain it used: the units left in each quota window."""
    page_cap_reached: bool = False
    duration_seconds: float = 0.0
    reason: str | None = None
    """Why it was skipped or stopped (the first target's reason)."""
    errors: list[str] = field(default_factory=list)
    """Redacted errors of the targets that failed (at most ``MAX_ERRORS``)."""
    deactivated: int = 0

    def record(self, outcome: Outcome, reason: str | None = None) -> None:
        """Account for one target's outcome; a failure's reason is kept as an error."""
        self.outcomes[outcome] += 1
        if outcome is Outcome.FAILED and reason:
            self.add_error(reason)
        elif reason and self.reason is None:
            self.reason = reason

    def add_error(self, message: str) -> None:
        """Keep one (already redacted) error message."""
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(message)

    @property
    def status(self) -> str:
        """``ok``, ``partial``, ``failed``, ``skipped`` or ``stopped``."""
        ok, failed = self.outcomes[Outcome.OK], self.outcomes[Outcome.FAILED]
        done = sum(self.outcomes.values())
        if ok and ok == done == self.targets:
            return "ok"
        if ok:
            return "partial"
        if failed:
            return "failed"
        if self.outcomes[Outcome.STOPPED] or done < self.targets:
            return "stopped"
        return "skipped"

    @property
    def failed(self) -> bool:
        """Whether a target failed (not merely skipped or stopped)."""
        return self.outcomes[Outcome.FAILED] > 0

    @property
    def complete(self) -> bool:
        """Whether it saw its whole listing: every target ok, no page cap reached."""
        return self.status == "ok" and not self.page_cap_reached

    @property
    def seen(self) -> int:
        """Valid, deduplicated jobs written: new, updated or unchanged."""
        return self.new + self.updated + self.unchanged

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json`` and the runs table."""
        return {
            "name": self.name,
            "source": self.source,
            "tier": self.tier,
            "status": self.status,
            "reason": self.reason,
            "targets": {"total": self.targets, **{o.value: self.outcomes[o] for o in Outcome}},
            **{name: getattr(self, name) for name in (*_JOB_COUNTS, *_HTTP_COUNTS)},
            "domains": sorted(self.domains),
            "quota_left": self.quota_left,
            "page_cap_reached": self.page_cap_reached,
            "replaced_bytes": self.replaced_bytes,
            "deactivated": self.deactivated,
            "duration_seconds": round(self.duration_seconds, 3),
            "errors": list(self.errors),
        }


@dataclass(slots=True)
class TierReport:
    """Whether a tier ran, why (or why not), and what it contributed."""

    number: int
    name: str
    ran: bool = False
    reason: str = "not reached"
    scrapers: list[str] = field(default_factory=list)
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    backfilled: int = 0
    stopped_early: str | None = None
    """Why it stopped before every scraper finished (``run_target_jobs`` reached)."""
    duration_seconds: float = 0.0

    @property
    def contributed(self) -> int:
        """The jobs it added to the run: seen (new, updated, unchanged) and backfilled."""
        return self.new + self.updated + self.unchanged + self.backfilled

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json`` and the runs table."""
        return {
            "tier": self.number,
            "name": self.name,
            "ran": self.ran,
            "reason": self.reason,
            "scrapers": list(self.scrapers),
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "backfilled": self.backfilled,
            "contributed": self.contributed,
            "stopped_early": self.stopped_early,
            "duration_seconds": round(self.duration_seconds, 3),
        }


@dataclass(slots=True)
class RunReport:
    """The whole run: tiers, scrapers, totals and the resulting status."""

    run_id: str
    started_at: datetime
    dry_run: bool = False
    finished_at: datetime | None = None
    status: RunStatus = RunStatus.RUNNING
    reason: str = ""
    tiers: list[TierReport] = field(default_factory=list)
    scrapers: list[ScraperReport] = field(default_factory=list)
    not_ready: dict[str, str] = field(default_factory=dict)
    """Installed scrapers that could not load (a broken plugin), with the reason."""
    deactivated: dict[str, int] = field(default_factory=dict)
    """Jobs made inactive, per source whose scrape succeeded."""
    interrupted: str | None = None
    """Why the run was stopped early (a signal), else None."""
    error: str | None = None
    """What ended the run with an error (the store failing, the lease lost), else None."""
    http: dict[str, Any] = field(default_factory=dict)
    """The client's total request stats."""
    enrichment: dict[str, Any] | None = None
    longest_loop_block_seconds: float = 0.0
    """The longest the event loop was held by one piece of work (parsing, a slow hook):
    what lease renewal and every request in flight waited at worst."""
    """What the enrichment after the tiers did (None when it did not run)."""
    timings: RunTimings = field(default_factory=RunTimings)
    """Where the run's time went (fetch, parse, store, enrich) and its processes' usage."""
    backfill: list[Job] = field(default_factory=list, repr=False)
    """The jobs tier 3 took from the store (for callers; the JSON has their count)."""

    @property
    def seen(self) -> int:
        """Jobs the whole run saw and wrote: new, updated or unchanged."""
        return sum(scraper.seen for scraper in self.scrapers)

    def totals(self) -> dict[str, int]:
        """Counts summed over the scrapers, plus the backfill and the deactivations."""
        sums = {
            name: sum(getattr(s, name) for s in self.scrapers)
            for name in (*_JOB_COUNTS, *_HTTP_COUNTS)
        }
        return sums | {
            "backfilled": len(self.backfill),
            "deactivated": sum(self.deactivated.values()),
            "scrapers_failed": sum(s.failed for s in self.scrapers) + len(self.not_ready),
            "scrapers_skipped": sum(s.status == "skipped" for s in self.scrapers),
        }

    def finish(self, finished_at: datetime, min_jobs: int) -> None:
        """Set the end time, the status and the reason for it."""
        self.finished_at = finished_at
        self.status, self.reason = self._verdict(min_jobs)

    def _verdict(self, min_jobs: int) -> tuple[RunStatus, str]:
        if self.error:
            return RunStatus.FAILED, self.error
        if self.interrupted:
            return RunStatus.INTERRUPTED, self.interrupted
        have = self.seen + len(self.backfill)
        if have < min_jobs:
            return RunStatus.FAILED, (
                f"{have} jobs seen or backfilled, fewer than run_min_jobs={min_jobs}"
            )
        fallbacks = [t.name for t in self.tiers if t.ran and t.number > 1]
        failed = [s.name for s in self.scrapers if s.failed] + sorted(self.not_ready)
        if fallbacks or failed:
            parts = [f"fallback tier needed: {', '.join(fallbacks)}"] if fallbacks else []
            parts += [f"scrapers failed: {', '.join(failed)}"] if failed else []
            return RunStatus.DEGRADED, "; ".join(parts)
        return RunStatus.SUCCESS, f"{have} jobs seen"

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``, the runs table and the metrics file."""
        duration = (
            (self.finished_at - self.started_at).total_seconds() if self.finished_at else None
        )
        return {
            "run_id": self.run_id,
            "status": self.status.value,
            "reason": self.reason,
            "dry_run": self.dry_run,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "duration_seconds": None if duration is None else round(duration, 3),
            "totals": self.totals(),
            "tiers": [tier.to_dict() for tier in self.tiers],
            "scrapers": [scraper.to_dict() for scraper in self.scrapers],
            "not_ready": dict(self.not_ready),
            "deactivated": dict(self.deactivated),
            "http": self.http,
            "enrichment": self.enrichment,
            "longest_loop_block_seconds": round(self.longest_loop_block_seconds, 4),
            "timings": self.timings.to_dict(),
        }

    def to_record(self) -> RunRecord:
        """The row of the runs table: the report as ``counts``, the errors flattened."""
        counts = self.to_dict()
        for key in ("run_id", "status", "started_at", "finished_at"):
            counts.pop(key)
        errors = [
            {"scraper": scraper.name, "error": message}
            for scraper in self.scrapers
            for message in scraper.errors
        ] + [{"scraper": name, "error": problem} for name, problem in self.not_ready.items()]
        return RunRecord(
            run_id=self.run_id,
            started_at=self.started_at,
            status=self.status,
            finished_at=self.finished_at,
            counts=counts,
            errors=errors,
        )
