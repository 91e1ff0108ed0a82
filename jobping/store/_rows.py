"""The one decoding of stored rows for every backend, the column sets, and rows as JSON.

Every backend decodes a stored job with :func:`job_from_row` (a run with
:func:`run_from_row`, a breaker with :func:`breaker_from_row`), from a mapping of column
name to value: PostgREST (the Supabase backend) and the psycopg backend (``to_jsonb``) give JSON
objects, SQLite gives its row zipped with the column names. Datetimes come back as aware UTC
datetimes whether a backend gives them as ISO-8601 text or as datetimes; lists whether
as arrays or as JSON text (SQLite); booleans whether as booleans or as 0 and 1 (SQLite).

The PostgreSQL family also writes with these encoders: the psycopg backend sends the same
JSON objects as ``jsonb`` (``jsonb_populate_recordset``) that PostgREST sends, lists as JSON
arrays (``text[]`` in the table).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import marshal
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from operator import attrgetter
from typing import Any

from jobping.errors import StoreError
from jobping.models import Enrichment, Job, RunRecord, RunStatus
from jobping.store._values import BatchLine, BreakerSnapshot, EnrichmentBatch, TargetValidators

__all__ = [
    "BREAKER_COLUMNS",
    "CLAIM_COLUMNS",
    "CONTENT_COLUMNS",
    "ENRICHED_COLUMNS",
    "JOB_COLUMNS",
    "JOB_DATETIMES",
    "JOB_TUPLES",
    "RUN_COLUMNS",
    "SCRAPED_COLUMNS",
    "SIGHTING_COLUMNS",
    "SIGHTING_ROW",
    "WRITTEN_COLUMNS",
    "aware",
    "batch_from_row",
    "batch_line_rows",
    "batch_row",
    "breaker_from_row",
    "breaker_row",
    "check_amount",
    "content_changed",
    "content_hash",
    "enrichment_row",
    "iso",
    "job_from_row",
    "job_rows",
    "kept_enrichment",
    "latest_by_hash",
    "moment_or_none",
    "run_from_row",
    "run_row",
    "sighting_of",
    "sighting_rows",
    "validators_from_row",
    "validators_row",
]

#: Every Job field is a column of the same name (the table may have more, like ``id``).
JOB_COLUMNS = tuple(field.name for field in dataclasses.fields(Job))
_STORE_OWNED = frozenset(
    {"created_at", "summary", "enriched_at", "enrichment_model", "enrichment_failures"}
)
#: The claim columns (#11): not fields of Job; saving an enrichment clears them.
CLAIM_COLUMNS = ("enrichment_claimed_by", "enrichment_claim_expires_at")
#: What each sighting of a job rewrites: the columns of the narrow ``job_sightings`` table
#: (with ``job_hash`` and ``content_hash``), not of ``jobs``; ``jobs_view`` joins them (#16).
SIGHTING_COLUMNS = ("last_seen_at", "scrape_timestamp", "scraper_run_id")
#: The columns of ``job_sightings``.
SIGHTING_ROW = ("job_hash", "content_hash", *SIGHTING_COLUMNS)
#: What an upsert writes into ``jobs`` (``job_hash`` first); ``created_at`` only when it inserts.
WRITTEN_COLUMNS = tuple(
    name for name in JOB_COLUMNS if name not in _STORE_OWNED and name not in SIGHTING_COLUMNS
)
#: A job differing from the stored one only in the key, ``is_active`` or the sighting
#: fields (rewritten each time a job is seen) is unchanged.
CONTENT_COLUMNS = tuple(n for n in WRITTEN_COLUMNS if n not in ("job_hash", "is_active"))
#: The fields the LLM fills in; once a job is enriched, an upsert keeps them.
ENRICHED_COLUMNS = tuple(f.name for f in dataclasses.fields(Enrichment) if f.name != "summary")
#: The content an upsert compares (and writes) for an enriched job.
SCRAPED_COLUMNS = tuple(name for name in CONTENT_COLUMNS if name not in ENRICHED_COLUMNS)
RUN_COLUMNS = ("run_id", "started_at", "finished_at", "status", "counts", "errors")
BREAKER_COLUMNS = ("domain", "state", "failures", "opened_at", "retry_at", "cooldown_seconds")
JOB_DATETIMES = frozenset(
    {"posted_at", "scrape_timestamp", "last_seen_at", "created_at", "enriched_at"}
)
JOB_TUPLES = frozenset({"categories", "language_requirements"})
_JOB_BOOLS = frozenset({"is_active", "is_internship", "is_graduate", "visa_friendly"})
_content_values = attrgetter(*CONTENT_COLUMNS)
_UNMARSHALLED = ("work_environment", "employment_type", "posted_at")
_plain_values = attrgetter(*(name for name in CONTENT_COLUMNS if name not in _UNMARSHALLED))
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def aware(moment: datetime) -> datetime:
    """``moment`` itself; StoreError if it is naive (the store needs aware datetimes)."""
    if moment.utcoffset() is None:
        raise StoreError(f"naive datetime {moment.isoformat()}: the store needs aware datetimes")
    return moment


def iso(moment: datetime | None) -> str | None:
    """ISO-8601 UTC text with microseconds (None stays None); StoreError if naive."""
    return None if moment is None else aware(moment).astimezone(UTC).isoformat()


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _parse_or_none(text: str | None) -> datetime | None:
    return None if text is None else _parse(text)


def moment_or_none(value: object) -> datetime | None:
    """A datetime a backend returned (a datetime, or ISO-8601 text) in UTC; None otherwise."""
    if isinstance(value, str):
        return _parse(value)
    return value.astimezone(UTC) if isinstance(value, datetime) else None


def check_amount(amount: int) -> None:
    """StoreError unless ``amount`` (of quota units) is zero or more."""
    if amount < 0:
        raise StoreError(f"a quota amount must not be negative, got {amount}")


def content_hash(job: Job) -> str:
    """A digest of the job's ``CONTENT_COLUMNS``, stored in ``job_sightings.content_hash``.

    Exact: equal digests mean equal content, so a job scraped again with the digest of its
    stored row is unchanged without comparing its columns. Taken over ``marshal`` (version 2,
    no back-references) of the values, the enums as their text and ``posted_at`` as whole
    microseconds since the epoch (the instant, as the store keeps it): marshal keeps types
    and values apart (``loads`` gives them back), and each mapping is one-to-one; hashed with
    SHA-256 (hardware-accelerated on most CPUs), its first 128 bits kept. A value
    marshal refuses (a ``str`` subclass) digests its ``repr`` instead, in another domain
    (first byte). Unequal digests prove nothing (``1`` for ``1.0``, a row stored before the
    digest existed or by another digest): such a job goes through the full comparison, which
    writes its digest.
    """
    posted, employment = job.posted_at, job.employment_type
    values = (
        _plain_values(job),
        str(job.work_environment),
        None if employment is None else str(employment),
        None if posted is None else (aware(posted) - _EPOCH) // _MICROSECOND,
    )
    try:
        content = b"m" + marshal.dumps(values, 2)
    except ValueError:
        content = b"r" + repr(_content_values(job)).encode()
    return hashlib.sha256(content).hexdigest()[:32]


def latest_by_hash(jobs: Iterable[Job]) -> dict[str, Job]:
    """The batch by hash (the last duplicate wins), sorted by hash (the order rows lock in)."""
    return dict(sorted({job.job_hash: job for job in jobs}.items()))


def sighting_rows(jobs: Iterable[Job]) -> list[dict[str, Any]]:
    """What marks each job seen unchanged, as JSON objects (``jobping_mark_seen_unchanged``).

    Its hash and content digest (the stored row must have both), ``scrape_timestamp`` and
    ``scraper_run_id``.
    """
    stamp = functools.cache(iso)  # by value: a run's jobs share one scrape time
    return [
        {
            "job_hash": job.job_hash,
            "content_hash": content_hash(job),
            "scrape_timestamp": stamp(job.scrape_timestamp),
            "scraper_run_id": job.scraper_run_id,
        }
        for job in jobs
    ]


def job_rows(
    jobs: Iterable[Job], *, seen_at: datetime, sighted: Iterable[Mapping[str, Any]] = ()
) -> dict[str, dict[str, Any]]:
    """The rows an upsert writes, by hash (the last duplicate wins), sorted by hash.

    Each row has the ``WRITTEN_COLUMNS`` and ``created_at`` (of ``jobs``), and the
    ``SIGHTING_COLUMNS`` and ``content_hash`` (of ``job_sightings``); ``last_seen_at`` and
    ``created_at`` are ``seen_at`` and ``is_active`` is true (a conflict with a stored row
    keeps its ``created_at``). The digests of ``sighted`` (rows of :func:`sighting_rows`)
    are reused, so no job is digested twice.
    """
    seen = iso(seen_at)
    known = {row["job_hash"]: row["content_hash"] for row in sighted}
    return {
        h: _job_row(job, seen, known.get(h) or content_hash(job))
        for h, job in latest_by_hash(jobs).items()
    }


def sighting_of(row: Mapping[str, Any]) -> dict[str, Any]:
    """The ``job_sightings`` columns (``SIGHTING_ROW``) of a row of :func:`job_rows`."""
    return {name: row[name] for name in SIGHTING_ROW}


def _job_row(job: Job, seen: str | None, digest: str) -> dict[str, Any]:
    row: dict[str, Any] = {
        name: getattr(job, name) for name in (*WRITTEN_COLUMNS, *SIGHTING_COLUMNS)
    }
    _encode(row)
    row.update(last_seen_at=seen, is_active=True, created_at=seen, content_hash=digest)
    return row


def _encode(row: dict[str, Any]) -> None:
    for name in JOB_DATETIMES.intersection(row):
        row[name] = iso(row[name])
    for name in JOB_TUPLES.intersection(row):
        row[name] = list(row[name])


def job_from_row(row: Mapping[str, Any]) -> Job:
    """The Job a stored row holds, by column name; other columns of the row are ignored."""
    values = {name: row[name] for name in JOB_COLUMNS}
    for name in JOB_DATETIMES:
        values[name] = moment_or_none(values[name])
    for name in JOB_TUPLES:
        items = values[name]
        values[name] = tuple(json.loads(items) if isinstance(items, str) else items or ())
    for name in _JOB_BOOLS:
        values[name] = None if values[name] is None else bool(values[name])
    return Job(**values)


def content_changed(stored: Job, incoming: Job) -> bool:
    """Whether ``incoming`` changes the content of ``stored`` (enriched fields kept apart)."""
    columns = CONTENT_COLUMNS if stored.enriched_at is None else SCRAPED_COLUMNS
    return any(getattr(stored, name) != getattr(incoming, name) for name in columns)


def enrichment_row(enrichment: Enrichment, *, model: str, now: datetime) -> dict[str, Any]:
    """The columns ``save_enrichment`` writes, as a JSON object."""
    row: dict[str, Any] = {name: getattr(enrichment, name) for name in ENRICHED_COLUMNS}
    row.update(summary=enrichment.summary, enrichment_model=model, enriched_at=now)
    row.update(dict.fromkeys(CLAIM_COLUMNS))
    _encode(row)
    return row


def kept_enrichment(stored: Job) -> dict[str, Any]:
    """The enriched columns of a stored job, as an upsert of it must write them back."""
    row: dict[str, Any] = {name: getattr(stored, name) for name in ENRICHED_COLUMNS}
    _encode(row)
    return row


def run_row(run: RunRecord) -> dict[str, Any]:
    """The run as a JSON object; StoreError naming the field if counts or errors are not JSON."""
    for field, value in (("counts", run.counts), ("errors", run.errors)):
        try:
            json.dumps(value)
        except (TypeError, ValueError) as exc:
            raise StoreError(f"cannot store run {run.run_id} {field}: not JSON ({exc})") from exc
    return {
        "run_id": run.run_id,
        "started_at": iso(run.started_at),
        "finished_at": iso(run.finished_at),
        "status": run.status.value,
        "counts": run.counts,
        "errors": run.errors,
    }


def run_from_row(row: Mapping[str, Any]) -> RunRecord:
    """The RunRecord a stored row holds (``counts`` and ``errors`` as JSON, or JSON text)."""
    counts, errors = (
        json.loads(value) if isinstance(value, str) else value
        for value in (row["counts"], row["errors"])
    )
    return RunRecord(
        run_id=row["run_id"],
        started_at=_parse(row["started_at"]),
        finished_at=_parse_or_none(row["finished_at"]),
        status=RunStatus(row["status"]),
        counts=counts,
        errors=errors,
    )


def breaker_row(snapshot: BreakerSnapshot) -> dict[str, Any]:
    """The breaker snapshot as a JSON object."""
    return {
        "domain": snapshot.domain,
        "state": snapshot.state,
        "failures": snapshot.failures,
        "opened_at": iso(snapshot.opened_at),
        "retry_at": iso(snapshot.retry_at),
        "cooldown_seconds": snapshot.cooldown_seconds,
    }


def breaker_from_row(row: Mapping[str, Any]) -> BreakerSnapshot:
    """The BreakerSnapshot a stored row holds."""
    return BreakerSnapshot(
        row["domain"],
        row["state"],
        row["failures"],
        _parse_or_none(row["opened_at"]),
        _parse_or_none(row["retry_at"]),
        float(row["cooldown_seconds"]),
    )


def batch_row(
    batch: EnrichmentBatch, text: Callable[[datetime], str | None] = iso
) -> dict[str, Any]:
    """The ``enrichment_batches`` row of a newly submitted batch (times as ``text`` has them)."""
    return {
        "batch_id": batch.batch_id,
        "model": batch.model,
        "input_file_id": batch.input_file_id,
        "holder": batch.holder,
        "max_output_tokens": batch.max_output_tokens,
        "reserved_tokens": batch.reserved_tokens,
        "reserved_micro_usd": batch.reserved_micro_usd,
        "submitted_at": text(batch.submitted_at),
        "expires_at": text(batch.expires_at),
    }


def batch_line_rows(batch: EnrichmentBatch) -> list[dict[str, Any]]:
    """The ``enrichment_batch_jobs`` rows of a batch."""
    return [{"batch_id": batch.batch_id, **dataclasses.asdict(line)} for line in batch.lines]


def batch_from_row(row: Mapping[str, Any]) -> EnrichmentBatch:
    """A batch from its row with a ``lines`` list of its job rows (JSON text or decoded)."""
    lines = row["lines"]
    if isinstance(lines, str):
        lines = json.loads(lines)
    fields = [field.name for field in dataclasses.fields(BatchLine)]
    return EnrichmentBatch(
        batch_id=row["batch_id"],
        model=row["model"],
        input_file_id=row["input_file_id"],
        holder=row["holder"],
        max_output_tokens=int(row["max_output_tokens"]),
        submitted_at=_moment(row["submitted_at"]),
        expires_at=_moment(row["expires_at"]),
        lines=tuple(BatchLine(**{name: line[name] for name in fields}) for line in lines),
        state=row["state"],
        micro_usd=int(row["micro_usd"]),
        collected_at=moment_or_none(row["collected_at"]),
    )


def _moment(value: object) -> datetime:
    moment = moment_or_none(value)
    if moment is None:
        raise StoreError(f"expected a time, got {value!r}")
    return moment


def validators_row(validators: TargetValidators) -> dict[str, Any]:
    """The validators of a target as a JSON object (``job_hashes`` a JSON array)."""
    return {
        "scraper": validators.scraper,
        "target": validators.target,
        "url": validators.url,
        "etag": validators.etag,
        "last_modified": validators.last_modified,
        "body_hash": validators.body_hash,
        "job_hashes": list(validators.job_hashes),
        "saved_at": iso(validators.saved_at),
    }


def validators_from_row(row: Mapping[str, Any]) -> TargetValidators:
    """The TargetValidators a stored row holds (``job_hashes`` a list or JSON text)."""
    hashes = row["job_hashes"]
    return TargetValidators(
        scraper=row["scraper"],
        target=row["target"],
        url=row["url"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        body_hash=row["body_hash"],
        job_hashes=tuple(json.loads(hashes) if isinstance(hashes, str) else hashes),
        saved_at=_parse(row["saved_at"]) if isinstance(row["saved_at"], str) else row["saved_at"],
    )
