"""The ``jobs`` table on SQLite: the row codec, the batched upsert and the backlog's SQL.

Every Job field is a column of the same name. An upsert writes ``_WRITTEN`` (job_hash
first) and then ``created_at``, which a conflict keeps; the enrichment record (summary,
enriched_at, enrichment_model, enrichment_failures) is never written by an upsert. Once a
job is enriched (``enriched_at`` set), an upsert keeps its enriched columns too, and a
scrape differing only there counts as unchanged.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Sequence
from operator import attrgetter, itemgetter
from typing import Any

from jobping.models import Enrichment, Job
from jobping.store._base import UpsertResult
from jobping.store._migrate import immediate
from jobping.store._sqlite_base import from_text_or_none, to_text_or_none

__all__ = [
    "BACKLOG",
    "COUNT_BACKLOG",
    "ENRICHMENT_FAILED",
    "RECENT_ACTIVE",
    "SAVE_ENRICHMENT",
    "SELECT_JOBS",
    "enrichment_params",
    "job_from_row",
    "upsert",
]

_COLUMNS = tuple(field.name for field in dataclasses.fields(Job))
_STORE_OWNED = frozenset(
    {"created_at", "summary", "enriched_at", "enrichment_model", "enrichment_failures"}
)
_WRITTEN = ("job_hash", *(n for n in _COLUMNS if n != "job_hash" and n not in _STORE_OWNED))
_ENRICHED = tuple(f.name for f in dataclasses.fields(Enrichment) if f.name != "summary")
_DATETIMES = frozenset(
    {"posted_at", "scrape_timestamp", "last_seen_at", "created_at", "enriched_at"}
)
_TUPLES = frozenset({"categories", "language_requirements"})
_BOOLS = frozenset({"is_active", "is_internship", "is_graduate", "visa_friendly"})
# The key and the sighting fields (rewritten each time a job is seen) are not "content":
# a job differing only there counts as unchanged.
_SIGHTING = frozenset(
    {"job_hash", "last_seen_at", "is_active", "scrape_timestamp", "scraper_run_id"}
)
_content = itemgetter(*(i for i, n in enumerate(_WRITTEN) if n not in _SIGHTING))
_scraped = itemgetter(*(i for i, n in enumerate(_WRITTEN) if n not in _SIGHTING | {*_ENRICHED}))
_sighting = itemgetter(*map(_WRITTEN.index, ("last_seen_at", "scrape_timestamp", "scraper_run_id")))
_values = attrgetter(*_WRITTEN)
_SEEN, _ACTIVE = _WRITTEN.index("last_seen_at"), _WRITTEN.index("is_active")
_DATETIME_AT = tuple(i for i, name in enumerate(_WRITTEN) if name in _DATETIMES)
_TUPLE_AT = tuple(i for i, name in enumerate(_WRITTEN) if name in _TUPLES)


def _assignment(name: str) -> str:
    if name in _ENRICHED:
        return f"{name} = CASE WHEN jobs.enriched_at IS NULL THEN excluded.{name} ELSE {name} END"
    return f"{name} = excluded.{name}"


SELECT_JOBS = f"SELECT {', '.join(_COLUMNS)} FROM jobs"  # noqa: S608 (constant column names)
_SELECT_BATCH = (
    f"SELECT {', '.join(_WRITTEN)}, enriched_at FROM jobs"  # noqa: S608 (constant column names)
    " WHERE job_hash IN (SELECT value FROM json_each(?))"
)
_UPSERT_JOB = (
    f"INSERT INTO jobs ({', '.join(_WRITTEN)}, created_at)"  # noqa: S608 (constant column names)
    f" VALUES ({', '.join('?' * (len(_WRITTEN) + 1))}) ON CONFLICT (job_hash) DO UPDATE SET "
    + ", ".join(map(_assignment, _WRITTEN[1:]))
)
_SIGHTED = """
UPDATE jobs SET last_seen_at = ?, scrape_timestamp = ?, scraper_run_id = ?, is_active = 1
WHERE job_hash = ?"""
RECENT_ACTIVE = (
    SELECT_JOBS  # noqa: S608 (constant column names)
    + " WHERE is_active = 1 AND posted_at >= ?"
    " AND job_hash NOT IN (SELECT value FROM json_each(?))"
    " ORDER BY posted_at DESC, job_hash LIMIT ?"
)
_IN_BACKLOG = " WHERE enriched_at IS NULL AND is_active = 1 AND enrichment_failures < ?"
BACKLOG = SELECT_JOBS + _IN_BACKLOG + " ORDER BY created_at DESC, job_hash LIMIT ?"
COUNT_BACKLOG = "SELECT count(*) FROM jobs" + _IN_BACKLOG  # noqa: S608 (constant)
SAVE_ENRICHMENT = (
    f"UPDATE jobs SET {' = ?, '.join(_ENRICHED)} = ?,"  # noqa: S608 (constant column names)
    " summary = ?, enrichment_model = ?, enriched_at = ? WHERE job_hash = ?"
)
ENRICHMENT_FAILED = (
    "UPDATE jobs SET enrichment_failures = enrichment_failures + 1 WHERE job_hash = ?"
)


def upsert(connection: sqlite3.Connection, jobs: Sequence[Job], seen: str) -> UpsertResult:
    """Classify against the stored rows and write, under one write lock."""
    rows = {job.job_hash: _row(job, seen) for job in jobs}  # the last duplicate wins
    updated = 0
    writes: list[tuple[object, ...]] = []
    sightings: list[tuple[object, ...]] = []
    with immediate(connection):
        hashes = json.dumps(list(rows))
        stored = {row[0]: row for row in connection.execute(_SELECT_BATCH, (hashes,))}
        for job_hash, row in rows.items():
            old = stored.get(job_hash)
            if old is None:
                writes.append(row)
            elif _changed(old, row):
                updated += 1
                writes.append(row)
            elif _sighting(old) != _sighting(row) or not old[_ACTIVE]:
                sightings.append((*_sighting(row), job_hash))
        connection.executemany(_UPSERT_JOB, writes)
        connection.executemany(_SIGHTED, sightings)
    return UpsertResult(len(rows) - len(stored), updated, len(stored) - updated)


def _changed(old: Sequence[Any], row: Sequence[Any]) -> bool:
    """Whether the content differs; an enriched job's enriched columns are not compared."""
    enriched = old[-1] is not None
    differs: bool = _scraped(old) != _scraped(row) if enriched else _content(old) != _content(row)
    return differs


def _row(job: Job, seen: str) -> tuple[object, ...]:
    """The values of ``_WRITTEN`` plus ``created_at``, as stored."""
    values = list(_values(job))
    for i in _DATETIME_AT:
        values[i] = to_text_or_none(values[i])
    for i in _TUPLE_AT:
        values[i] = json.dumps(values[i])
    values[_SEEN], values[_ACTIVE] = seen, 1
    values.append(seen)
    return tuple(values)


def job_from_row(row: Sequence[Any]) -> Job:
    """The Job of a row selected with :data:`SELECT_JOBS`."""
    values = dict(zip(_COLUMNS, row, strict=True))
    for name in _DATETIMES:
        values[name] = from_text_or_none(values[name])
    for name in _TUPLES:
        values[name] = tuple(json.loads(values[name]))
    for name in _BOOLS:
        values[name] = None if values[name] is None else bool(values[name])
    return Job(**values)


def enrichment_params(
    job_hash: str, enrichment: Enrichment, model: str, enriched_at: str
) -> tuple[object, ...]:
    """The parameters of :data:`SAVE_ENRICHMENT`."""
    values: list[object] = []
    for name in _ENRICHED:
        value = getattr(enrichment, name)
        values.append(json.dumps(value) if name in _TUPLES else value)
    return (*values, enrichment.summary, model, enriched_at, job_hash)
