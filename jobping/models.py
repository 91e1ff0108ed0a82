"""The data JobPing keeps: a normalized job posting and the record of a run. No I/O here."""

from __future__ import annotations

import enum
import operator
from dataclasses import dataclass, field, fields
from datetime import datetime
from itertools import repeat
from typing import Any

__all__ = ["EmploymentType", "Enrichment", "Job", "RunRecord", "RunStatus", "WorkEnvironment"]


class WorkEnvironment(enum.StrEnum):
    """Where the work is done, as the ``jobs.work_environment`` column spells it."""

    REMOTE = "remote"
    HYBRID = "hybrid"
    ON_SITE = "on-site"
    UNKNOWN = "unknown"


class EmploymentType(enum.StrEnum):
    """The terms of employment, as the ``jobs.employment_type`` column spells them."""

    FULL_TIME = "full_time"
    PART_TIME = "part_time"
    CONTRACT = "contract"
    TEMPORARY = "temporary"
    INTERNSHIP = "internship"
    OTHER = "other"
    """Stated, but none of the above (the raw value is kept in ``employment_type_raw``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Job:
    """One normalized job posting; the fields are the columns of the store's ``jobs_view``.

    ``job_hash`` identifies the posting (see ``jobping.normalize.job_hash``); ``country`` is
    ISO 3166-1 alpha-2; datetimes are timezone-aware UTC. ``employment_type`` is None when
    the source does not state it; ``employment_type_raw`` keeps what the source said. The
    store owns ``created_at``, ``last_seen_at`` and ``is_active`` once the job is written,
    and the enrichment record (``summary``, ``enriched_at``, ``enrichment_model``,
    ``enrichment_failures``): an upsert never writes those. Once a job is enriched, the
    store keeps its enriched fields (those of :class:`Enrichment`) when it is scraped again.
    """

    job_hash: str
    title: str
    company: str
    job_url: str
    source: str
    source_id: str | None = None
    location: str | None = None
    city: str | None = None
    country: str | None = None
    description: str = ""
    experience_required: str | None = None
    work_environment: WorkEnvironment = WorkEnvironment.UNKNOWN
    categories: tuple[str, ...] = ()
    language_requirements: tuple[str, ...] = ()
    company_profile_url: str | None = None
    posted_at: datetime | None = None
    original_posted_date: str | None = None
    scrape_timestamp: datetime | None = None
    last_seen_at: datetime | None = None
    is_active: bool = True
    scraper_run_id: str | None = None
    is_internship: bool | None = None
    is_graduate: bool | None = None
    visa_friendly: bool | None = None
    salary_min: float | None = None
    salary_max: float | None = None
    salary_currency: str | None = None
    salary_period: str | None = None
    employment_type: EmploymentType | None = None
    employment_type_raw: str | None = None
    created_at: datetime | None = None
    summary: str | None = None
    enriched_at: datetime | None = None
    enrichment_model: str | None = None
    enrichment_failures: int = 0

    def __post_init__(self) -> None:
        if not self.job_hash:
            raise ValueError("job_hash must not be empty")
        if self.country is not None and (len(self.country) != 2 or not self.country.isupper()):
            raise ValueError(f"country must be ISO 3166-1 alpha-2, got {self.country!r}")
        # Their text is accepted too ("remote"): the hints say enum, callers may not.
        if not isinstance(self.work_environment, WorkEnvironment):
            environment = WorkEnvironment(self.work_environment)  # type: ignore[unreachable]
            object.__setattr__(self, "work_environment", environment)
        if self.employment_type is not None and not isinstance(
            self.employment_type, EmploymentType
        ):
            employment = EmploymentType(self.employment_type)  # type: ignore[unreachable]
            object.__setattr__(self, "employment_type", employment)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (and copied) as the tuple of its values: 3-4x cheaper than the dataclass's.

        Parse workers send every job they check to the run's process: that tuple, and the
        job rebuilt from it without ``__init__`` (the values were a valid job's).
        """
        return (_job_of, (_JOB_VALUES(self),))

    def __copy__(self) -> Job:
        """A copy built as a pickled job is rebuilt (no ``__init__``: the values are valid)."""
        return _job_of(_JOB_VALUES(self))


_JOB_VALUES = operator.attrgetter(*(f.name for f in fields(Job)))
_JOB_SETTERS = tuple(getattr(Job, f.name).__set__ for f in fields(Job))
"""Each field's slot, set directly (a frozen dataclass refuses ``setattr``)."""


def _job_of(values: tuple[Any, ...]) -> Job:
    """The job whose field values are ``values``, in field order (see ``Job.__reduce__``).

    Each slot set by ``map`` in C (no Python loop: twice as fast, and the run's process
    rebuilds every job its parse workers send).
    """
    if len(values) != len(_JOB_SETTERS):
        raise ValueError(f"a job has {len(_JOB_SETTERS)} values, not {len(values)}")
    job = object.__new__(Job)
    any(map(operator.call, _JOB_SETTERS, repeat(job), values))  # each set returns None
    return job


@dataclass(frozen=True, slots=True, kw_only=True)
class Enrichment:
    """What the LLM adds to a job: its enriched fields (the ``Job`` fields of the same names).

    ``categories`` come from the fixed taxonomy of ``jobping.enrich``; ``language_requirements``
    are ISO 639-1 codes; ``summary`` is a sentence or two.
    """

    experience_required: str | None = None
    work_environment: WorkEnvironment = WorkEnvironment.UNKNOWN
    categories: tuple[str, ...] = ()
    language_requirements: tuple[str, ...] = ()
    is_internship: bool | None = None
    is_graduate: bool | None = None
    visa_friendly: bool | None = None
    summary: str = ""


class RunStatus(enum.StrEnum):
    """How a run ended (or that it is still running)."""

    RUNNING = "running"
    SUCCESS = "success"
    DEGRADED = "degraded"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


@dataclass(slots=True, kw_only=True)
class RunRecord:
    """One run as the ``runs`` table keeps it; ``counts`` and ``errors`` are stored as JSON."""

    run_id: str
    started_at: datetime
    status: RunStatus = RunStatus.RUNNING
    finished_at: datetime | None = None
    counts: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
