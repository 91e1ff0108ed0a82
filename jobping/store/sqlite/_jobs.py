"""The ``jobs`` table on SQLite: the job and enrichment-backlog roles, a mixin of the store.

Every Job field is a column of ``jobs_view`` (``jobs`` joined with ``job_sightings``); rows
are decoded by the one decoder of ``_rows``. An upsert first marks seen, in one statement,
the jobs whose stored content digest (``job_sightings.content_hash``) is theirs: only their
narrow sighting rows are written (and ``is_active`` of the rare inactive one). It compares
the others in full, writes into ``jobs`` the new and changed ones (``WRITTEN_COLUMNS``,
job_hash first, and ``created_at``, which a conflict keeps) and the sighting of every one;
the enrichment record (summary, enriched_at, enrichment_model, enrichment_failures) is never
written by an upsert. Once a job is enriched (``enriched_at`` set), an upsert keeps its
enriched columns too, and a scrape differing only there counts as unchanged.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import AsyncIterator, Collection, Sequence
from datetime import datetime, timedelta
from operator import attrgetter, itemgetter
from typing import Any

from jobping.models import Enrichment, Job
from jobping.store._migrate import immediate
from jobping.store._query import JobFilter, filter_clauses
from jobping.store._rows import (
    CONTENT_COLUMNS,
    ENRICHED_COLUMNS,
    JOB_COLUMNS,
    JOB_DATETIMES,
    JOB_TUPLES,
    SCRAPED_COLUMNS,
    WRITTEN_COLUMNS,
    content_hash,
    job_from_row,
    latest_by_hash,
)
from jobping.store._values import UpsertResult
from jobping.store.sqlite._connection import SqliteConnection, to_text, to_text_or_none

__all__ = ["SqliteJobs"]

_content = itemgetter(*map(WRITTEN_COLUMNS.index, CONTENT_COLUMNS))
_scraped = itemgetter(*map(WRITTEN_COLUMNS.index, SCRAPED_COLUMNS))
_values = attrgetter(*WRITTEN_COLUMNS)
_ACTIVE = WRITTEN_COLUMNS.index("is_active")
_DATETIME_AT = tuple(i for i, name in enumerate(WRITTEN_COLUMNS) if name in JOB_DATETIMES)
_TUPLE_AT = tuple(i for i, name in enumerate(WRITTEN_COLUMNS) if name in JOB_TUPLES)


def _assignment(name: str) -> str:
    if name in ENRICHED_COLUMNS:
        return f"{name} = CASE WHEN jobs.enriched_at IS NULL THEN excluded.{name} ELSE {name} END"
    return f"{name} = excluded.{name}"


_SELECT_JOBS = f"SELECT {', '.join(JOB_COLUMNS)} FROM jobs_view"  # noqa: S608 (constant column names)
_IN_LIST = " WHERE job_hash IN (SELECT value FROM json_each(?))"
_SELECT_BATCH = (
    f"SELECT {', '.join(WRITTEN_COLUMNS)}, enriched_at FROM jobs"  # noqa: S608 (constant column names)
    + _IN_LIST
)
_UPSERT_JOB = (
    f"INSERT INTO jobs ({', '.join(WRITTEN_COLUMNS)}, created_at)"  # noqa: S608 (constant column names)
    f" VALUES ({', '.join('?' * (len(WRITTEN_COLUMNS) + 1))}) ON CONFLICT (job_hash) DO UPDATE SET "
    + ", ".join(map(_assignment, WRITTEN_COLUMNS[1:]))
)
_UPSERT_SIGHTING = """
INSERT INTO job_sightings (job_hash, content_hash, last_seen_at, scrape_timestamp, scraper_run_id)
VALUES (?, ?, ?, ?, ?) ON CONFLICT (job_hash) DO UPDATE SET content_hash = excluded.content_hash,
    last_seen_at = excluded.last_seen_at, scrape_timestamp = excluded.scrape_timestamp,
    scraper_run_id = excluded.scraper_run_id"""
# A JSON array of [job_hash, content_hash, scrape_timestamp, scraper_run_id]: one statement
# marks seen the jobs whose stored digest matches (a primary-key lookup of a narrow row each).
_MARK_SEEN_UNCHANGED = """
UPDATE job_sightings SET last_seen_at = ?,
    scrape_timestamp = json_extract(i.value, '$[2]'), scraper_run_id = json_extract(i.value, '$[3]')
FROM json_each(?) AS i
WHERE job_sightings.job_hash = json_extract(i.value, '$[0]')
    AND job_sightings.content_hash = json_extract(i.value, '$[1]')
RETURNING job_hash"""
#: Reactivates the inactive jobs of a JSON array of hashes. A job that comes back inactive
#: is rare: the others are only read, never written.
REACTIVATE = "UPDATE jobs SET is_active = 1" + _IN_LIST + " AND is_active = 0"  # noqa: S608 (constant)
_RECENT_ACTIVE = (
    _SELECT_JOBS  # noqa: S608 (constant column names)
    + " WHERE is_active = 1 AND posted_at >= ?"
    " AND job_hash NOT IN (SELECT value FROM json_each(?))"
    " ORDER BY posted_at DESC, job_hash LIMIT ?"
)
_DEACTIVATE_STALE = """
UPDATE jobs SET is_active = 0 WHERE source = ? AND is_active = 1
    AND (SELECT last_seen_at FROM job_sightings AS s WHERE s.job_hash = jobs.job_hash) < ?"""
_IN_BACKLOG = " WHERE enriched_at IS NULL AND is_active = 1 AND enrichment_failures < ?"
_BACKLOG = _SELECT_JOBS + _IN_BACKLOG + " ORDER BY created_at DESC, job_hash LIMIT ?"
_COUNT_BACKLOG = "SELECT count(*) FROM jobs" + _IN_BACKLOG  # noqa: S608 (constant)
_SAVE_ENRICHMENT = (
    f"UPDATE jobs SET {' = ?, '.join(ENRICHED_COLUMNS)} = ?,"  # noqa: S608 (constant column names)
    " summary = ?, enrichment_model = ?, enriched_at = ?,"
    " enrichment_claimed_by = NULL, enrichment_claim_expires_at = NULL WHERE job_hash = ?"
)
_ENRICHMENT_FAILED = (
    "UPDATE jobs SET enrichment_failures = enrichment_failures + 1,"
    " enrichment_claimed_by = NULL, enrichment_claim_expires_at = NULL WHERE job_hash = ?"
)
# One guarded UPDATE (under the write lock): only unclaimed or expired claims are taken.
_CLAIM = (
    "UPDATE jobs SET enrichment_claimed_by = ?, enrichment_claim_expires_at = ?"  # noqa: S608 (constant column names)
    " WHERE job_hash IN (SELECT job_hash FROM jobs"
    + _IN_BACKLOG
    + " AND (enrichment_claim_expires_at IS NULL OR enrichment_claim_expires_at <= ?)"
    " ORDER BY created_at DESC, job_hash LIMIT ?)"
    " RETURNING job_hash"
)
_RELEASE_CLAIMS = (
    "UPDATE jobs SET enrichment_claimed_by = NULL, enrichment_claim_expires_at = NULL"
    " WHERE job_hash IN (SELECT value FROM json_each(?)) AND enrichment_claimed_by = ?"
)


def _upsert(connection: sqlite3.Connection, jobs: Sequence[Job], seen: str) -> UpsertResult:
    """Mark the unchanged seen, then classify the rest and write, under one write lock."""
    batch = latest_by_hash(jobs)
    stamp = functools.cache(to_text_or_none)  # by value: a run's jobs share one scrape time
    sightings = {
        h: (h, content_hash(job), seen, stamp(job.scrape_timestamp), job.scraper_run_id)
        for h, job in batch.items()
    }
    probe = json.dumps(
        [(h, digest, scraped, run) for h, digest, _, scraped, run in sightings.values()]
    )
    updated = 0
    writes: list[tuple[object, ...]] = []
    with immediate(connection):
        seen_again = [row[0] for row in connection.execute(_MARK_SEEN_UNCHANGED, (seen, probe))]
        marked = frozenset(seen_again)
        rows = {h: _row(job, seen) for h, job in batch.items() if h not in marked}
        stored = {
            row[0]: row for row in connection.execute(_SELECT_BATCH, (json.dumps(list(rows)),))
        }
        for job_hash, row in rows.items():
            old = stored.get(job_hash)
            if old is None:
                writes.append(row)
            elif _changed(old, row):
                updated += 1
                writes.append(row)
            else:
                seen_again.append(job_hash)
        connection.execute(REACTIVATE, (json.dumps(seen_again),))
        connection.executemany(_UPSERT_JOB, writes)
        connection.executemany(_UPSERT_SIGHTING, [sightings[h] for h in rows])
    return UpsertResult(len(rows) - len(stored), updated, len(marked) + len(stored) - updated)


def _changed(old: Sequence[Any], row: Sequence[Any]) -> bool:
    """Whether the content differs; an enriched job's enriched columns are not compared."""
    enriched = old[-1] is not None
    differs: bool = _scraped(old) != _scraped(row) if enriched else _content(old) != _content(row)
    return differs


def _row(job: Job, seen: str) -> tuple[object, ...]:
    """The values of ``WRITTEN_COLUMNS`` and ``created_at``, as stored."""
    values = list(_values(job))
    for i in _DATETIME_AT:
        values[i] = to_text_or_none(values[i])
    for i in _TUPLE_AT:
        values[i] = json.dumps(values[i]) if values[i] else "[]"  # mostly empty: 10x cheaper
    values[_ACTIVE] = 1
    values.append(seen)
    return tuple(values)


def _enrichment_params(
    job_hash: str, enrichment: Enrichment, model: str, enriched_at: str
) -> tuple[object, ...]:
    """The parameters of :data:`_SAVE_ENRICHMENT`."""
    values: list[object] = []
    for name in ENRICHED_COLUMNS:
        value = getattr(enrichment, name)
        values.append(json.dumps(value) if name in JOB_TUPLES else value)
    return (*values, enrichment.summary, model, enriched_at, job_hash)


def _claim(connection: sqlite3.Connection, params: tuple[object, ...]) -> list[Any]:
    """Claim (one guarded UPDATE), then read the claimed jobs (in the write's transaction)."""
    claimed = [row[0] for row in connection.execute(_CLAIM, params)]
    return connection.execute(_SELECT_JOBS + _IN_LIST, (json.dumps(claimed),)).fetchall()


def _job(row: Sequence[Any]) -> Job:
    """The Job of a row selected with :data:`_SELECT_JOBS`."""
    return job_from_row(dict(zip(JOB_COLUMNS, row, strict=True)))


class SqliteJobs:
    """The job and enrichment-backlog roles of the SQLite store (a mixin over ``_db``)."""

    _db: SqliteConnection

    # jobs -------------------------------------------------------------------------------
    async def upsert_jobs(self, jobs: Sequence[Job], *, seen_at: datetime) -> UpsertResult:
        """Insert or refresh a batch in one transaction (see the JobStore role)."""
        seen = to_text(seen_at)
        if not jobs:
            return UpsertResult()
        return await self._db.call(lambda connection: _upsert(connection, jobs, seen))

    async def iter_jobs(
        self, where: JobFilter, *, limit: int | None = None, page_rows: int = 1000
    ) -> AsyncIterator[Job]:
        """The jobs ``where`` selects, newest first: one query, fetched ``page_rows`` at a time.

        SQLite sorts once (in its temporary store) and hands the rows over page by page, so
        neither side holds the whole result.
        """
        if limit is not None and limit <= 0:
            return
        clauses, params = filter_clauses(
            where, mark="?", ilike="LIKE {} ESCAPE '\\'", moment=to_text
        )
        sql = _SELECT_JOBS + (" WHERE " + " AND ".join(clauses) if clauses else "")
        sql += " ORDER BY created_at DESC, job_hash LIMIT ?"
        cursor = await self._db.call(
            lambda c: c.execute(sql, (*params, -1 if limit is None else limit))
        )
        try:
            while rows := await self._db.call(lambda _c: cursor.fetchmany(page_rows)):
                for row in rows:
                    yield _job(row)
        finally:
            await self._db.call(lambda _c: cursor.close())

    async def get_job(self, job_hash: str) -> Job | None:
        """The stored job with that hash, or None."""
        rows = await self._db.read(_SELECT_JOBS + " WHERE job_hash = ?", (job_hash,))
        return _job(rows[0]) if rows else None

    async def count_jobs(self, *, active_only: bool = False) -> int:
        """How many jobs are stored (only the active ones if asked)."""
        sql = "SELECT count(*) FROM jobs"
        rows = await self._db.read(sql + " WHERE is_active = 1" if active_only else sql)
        return int(rows[0][0])

    async def recent_active_jobs(
        self, *, posted_since: datetime, exclude: Collection[str] = (), limit: int
    ) -> list[Job]:
        """Active jobs posted at or after ``posted_since``, newest first, minus ``exclude``."""
        params = (to_text(posted_since), json.dumps(list(exclude)), limit)
        return [_job(row) for row in await self._db.read(_RECENT_ACTIVE, params)]

    async def deactivate_stale(self, *, source: str, last_seen_before: datetime) -> int:
        """Mark the active jobs of ``source`` last seen before the cutoff inactive; count them."""
        params = (source, to_text(last_seen_before))
        return await self._db.write(
            lambda connection: connection.execute(_DEACTIVATE_STALE, params).rowcount
        )

    # enrichment backlog -----------------------------------------------------------------
    async def jobs_needing_enrichment(self, *, limit: int, max_failures: int = 3) -> list[Job]:
        """Active, unenriched jobs with fewer than ``max_failures`` failures, newest first."""
        return [_job(row) for row in await self._db.read(_BACKLOG, (max_failures, limit))]

    async def count_jobs_needing_enrichment(self, *, max_failures: int = 3) -> int:
        """How many jobs wait for enrichment."""
        rows = await self._db.read(_COUNT_BACKLOG, (max_failures,))
        return int(rows[0][0])

    async def save_enrichment(
        self, job_hash: str, enrichment: Enrichment, *, model: str, now: datetime
    ) -> bool:
        """Write the enrichment; the job leaves the backlog. False if there is no such job."""
        params = _enrichment_params(job_hash, enrichment, model, to_text(now))
        return await self._db.write(
            lambda connection: connection.execute(_SAVE_ENRICHMENT, params).rowcount > 0
        )

    async def claim_enrichment(
        self,
        holder: str,
        *,
        limit: int,
        ttl_seconds: float,
        now: datetime,
        max_failures: int = 3,
    ) -> list[Job]:
        """Claim up to ``limit`` jobs of the backlog for ``holder`` (one guarded UPDATE)."""
        expires = to_text(now + timedelta(seconds=ttl_seconds))
        params = (holder, expires, max_failures, to_text(now), limit)
        jobs = [_job(row) for row in await self._db.write(lambda c: _claim(c, params))]
        jobs.sort(key=lambda job: job.job_hash)
        jobs.sort(key=attrgetter("created_at"), reverse=True)
        return jobs

    async def release_enrichment_claims(self, holder: str, job_hashes: Sequence[str]) -> None:
        """Give back the claims ``holder`` still holds on these jobs."""
        if not job_hashes:
            return
        params = (json.dumps(list(job_hashes)), holder)
        await self._db.write(lambda connection: connection.execute(_RELEASE_CLAIMS, params))

    async def record_enrichment_failure(self, job_hash: str) -> None:
        """Count one more failed enrichment of the job and release its claim."""
        await self._db.write(lambda connection: connection.execute(_ENRICHMENT_FAILED, (job_hash,)))
