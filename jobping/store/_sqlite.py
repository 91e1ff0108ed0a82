"""The SQLite backend: one file, no server; safe with several processes on one file.

One ``sqlite3`` connection per store. Each call runs in a worker thread
(``anyio.to_thread.run_sync``) under an ``anyio.Lock``, so the event loop never blocks and
the connection is used by one thread at a time; a cancelled call still finishes its
transaction before the lock is released. WAL lets readers run beside a writer; every write
is a ``BEGIN IMMEDIATE`` transaction, so writers of other processes queue on the busy
timeout. Datetimes are stored as fixed-width ISO-8601 UTC text (text order is time order).
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import time
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime, timedelta
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any, TypeVar

import anyio
import anyio.to_thread

from jobping.errors import StoreError
from jobping.models import Job, RunRecord, RunStatus
from jobping.store._base import BreakerSnapshot, QuotaWindow, UpsertResult
from jobping.store._migrate import immediate, migrate_sqlite, migrations_for

__all__ = ["SqliteStore"]

_T = TypeVar("_T")

# Every Job field is a column of the same name. An upsert writes _WRITTEN (job_hash first)
# and then created_at, which a conflict keeps.
_COLUMNS = tuple(field.name for field in dataclasses.fields(Job))
_WRITTEN = ("job_hash", *(name for name in _COLUMNS if name not in {"job_hash", "created_at"}))
_DATETIMES = frozenset({"posted_at", "scrape_timestamp", "last_seen_at", "created_at"})
_TUPLES = frozenset({"categories", "language_requirements"})
_BOOLS = frozenset({"is_active", "is_internship", "is_graduate", "visa_friendly"})
# The key and the sighting fields (rewritten each time a job is seen) are not "content":
# a job differing only there counts as unchanged.
_SIGHTING = frozenset(
    {"job_hash", "last_seen_at", "is_active", "scrape_timestamp", "scraper_run_id"}
)
_content = itemgetter(*(i for i, name in enumerate(_WRITTEN) if name not in _SIGHTING))
_sighting = itemgetter(*map(_WRITTEN.index, ("last_seen_at", "scrape_timestamp", "scraper_run_id")))
_values = attrgetter(*_WRITTEN)
_SEEN, _ACTIVE = _WRITTEN.index("last_seen_at"), _WRITTEN.index("is_active")
_DATETIME_AT = tuple(i for i, name in enumerate(_WRITTEN) if name in _DATETIMES)
_TUPLE_AT = tuple(i for i, name in enumerate(_WRITTEN) if name in _TUPLES)

_SELECT_JOBS = f"SELECT {', '.join(_COLUMNS)} FROM jobs"  # noqa: S608 (constant column names)
_SELECT_BATCH = (
    f"SELECT {', '.join(_WRITTEN)} FROM jobs"  # noqa: S608 (constant column names)
    " WHERE job_hash IN (SELECT value FROM json_each(?))"
)
_UPSERT_JOB = (
    f"INSERT INTO jobs ({', '.join(_WRITTEN)}, created_at)"  # noqa: S608 (constant column names)
    f" VALUES ({', '.join('?' * (len(_WRITTEN) + 1))}) ON CONFLICT (job_hash) DO UPDATE SET "
    + ", ".join(f"{name} = excluded.{name}" for name in _WRITTEN[1:])
)
_SIGHTED = """
UPDATE jobs SET last_seen_at = ?, scrape_timestamp = ?, scraper_run_id = ?, is_active = 1
WHERE job_hash = ?"""
_RECENT_ACTIVE = (
    _SELECT_JOBS  # noqa: S608 (constant column names)
    + " WHERE is_active = 1 AND posted_at >= ?"
    " AND job_hash NOT IN (SELECT value FROM json_each(?))"
    " ORDER BY posted_at DESC, job_hash LIMIT ?"
)
_SAVE_RUN = """
INSERT INTO runs (run_id, started_at, finished_at, status, counts, errors)
VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (run_id) DO UPDATE SET started_at = excluded.started_at,
finished_at = excluded.finished_at, status = excluded.status, counts = excluded.counts,
errors = excluded.errors"""
_SELECT_RUNS = "SELECT run_id, started_at, finished_at, status, counts, errors FROM runs"
_CONSUME = """
INSERT INTO quota_usage (domain, window_key, used) VALUES (?, ?, ?)
ON CONFLICT (domain, window_key) DO UPDATE SET used = used + excluded.used
WHERE used + excluded.used <= ? RETURNING used"""
_RELEASE = """
UPDATE quota_usage SET used = max(used - ?, 0) WHERE domain = ? AND window_key = ?"""
_SAVE_BREAKER = """
INSERT INTO breakers (domain, state, failures, opened_at, retry_at, cooldown_seconds)
VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (domain) DO UPDATE SET state = excluded.state,
failures = excluded.failures, opened_at = excluded.opened_at, retry_at = excluded.retry_at,
cooldown_seconds = excluded.cooldown_seconds"""
_ACQUIRE = """
INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
WHERE leases.holder = excluded.holder OR leases.expires_at <= ? RETURNING expires_at"""


class SqliteStore:
    """The Store on a SQLite file (or ``:memory:``); open it with :meth:`open`."""

    def __init__(self, connection: sqlite3.Connection, location: str) -> None:
        self._connection: sqlite3.Connection | None = connection
        self._location = location
        self._lock = anyio.Lock()

    @classmethod
    async def open(cls, path: str, *, busy_timeout_seconds: float = 30.0) -> SqliteStore:
        """Open (creating if needed) the database at ``path`` and apply missing migrations."""
        location, connection = await anyio.to_thread.run_sync(_connect, path, busy_timeout_seconds)
        return cls(connection, location)

    @property
    def description(self) -> str:
        """``SQLite <absolute path>``."""
        return f"SQLite {self._location}"

    def __repr__(self) -> str:
        state = "closed" if self._connection is None else "open"
        return f"<SqliteStore {self._location} {state}>"

    async def close(self) -> None:
        """Close the connection; idempotent."""
        async with self._lock:
            connection, self._connection = self._connection, None
            if connection is not None:
                await anyio.to_thread.run_sync(connection.close)

    async def schema_version(self) -> int:
        """The highest migration version applied."""
        rows = await self._read("SELECT max(version) FROM schema_migrations")
        return int(rows[0][0] or 0)

    # jobs -------------------------------------------------------------------------------
    async def upsert_jobs(self, jobs: Sequence[Job], *, seen_at: datetime) -> UpsertResult:
        """Insert or refresh a batch in one transaction (see the Store protocol)."""
        seen = _to_text(seen_at)
        if not jobs:
            return UpsertResult()
        return await self._call(lambda connection: _upsert(connection, jobs, seen))

    async def get_job(self, job_hash: str) -> Job | None:
        """The stored job with that hash, or None."""
        rows = await self._read(_SELECT_JOBS + " WHERE job_hash = ?", (job_hash,))
        return _job(rows[0]) if rows else None

    async def count_jobs(self, *, active_only: bool = False) -> int:
        """How many jobs are stored (only the active ones if asked)."""
        sql = "SELECT count(*) FROM jobs"
        rows = await self._read(sql + " WHERE is_active = 1" if active_only else sql)
        return int(rows[0][0])

    async def recent_active_jobs(
        self, *, posted_since: datetime, exclude: Collection[str] = (), limit: int
    ) -> list[Job]:
        """Active jobs posted at or after ``posted_since``, newest first, minus ``exclude``."""
        params = (_to_text(posted_since), json.dumps(list(exclude)), limit)
        return [_job(row) for row in await self._read(_RECENT_ACTIVE, params)]

    async def deactivate_stale(self, *, source: str, last_seen_before: datetime) -> int:
        """Mark the active jobs of ``source`` last seen before the cutoff inactive; count them."""
        sql = (
            "UPDATE jobs SET is_active = 0 WHERE source = ? AND is_active = 1 AND last_seen_at < ?"
        )
        params = (source, _to_text(last_seen_before))
        return await self._write(lambda connection: connection.execute(sql, params).rowcount)

    # runs -------------------------------------------------------------------------------
    async def save_run(self, run: RunRecord) -> None:
        """Insert or update the run record (by ``run_id``)."""
        params = (
            run.run_id,
            _to_text(run.started_at),
            _to_text_or_none(run.finished_at),
            run.status.value,
            _to_json(run.counts, f"run {run.run_id} counts"),
            _to_json(run.errors, f"run {run.run_id} errors"),
        )
        await self._write(lambda connection: connection.execute(_SAVE_RUN, params))

    async def get_run(self, run_id: str) -> RunRecord | None:
        """The run with that id, or None."""
        rows = await self._read(_SELECT_RUNS + " WHERE run_id = ?", (run_id,))
        return _run(rows[0]) if rows else None

    async def recent_runs(self, limit: int = 20) -> list[RunRecord]:
        """The latest runs, newest first."""
        sql = _SELECT_RUNS + " ORDER BY started_at DESC, run_id DESC LIMIT ?"
        return [_run(row) for row in await self._read(sql, (limit,))]

    # quotas -----------------------------------------------------------------------------
    async def consume_quota(
        self, domain: str, windows: Sequence[QuotaWindow], amount: int, *, now: datetime
    ) -> bool:
        """Add ``amount`` to every window if all stay within their limits; all or none.

        One ``BEGIN IMMEDIATE`` transaction of guarded upserts, rolled back as soon as one
        window refuses. ``now`` is not needed here: the window keys already name the period.
        """
        _check_amount(amount)
        if any(amount > window.limit for window in windows):
            return False

        def consume(connection: sqlite3.Connection) -> bool:
            for window in windows:
                params = (domain, window.key, amount, window.limit)
                if not connection.execute(_CONSUME, params).fetchall():
                    connection.rollback()
                    return False
            return True

        return await self._write(consume)

    async def release_quota(self, domain: str, windows: Sequence[QuotaWindow], amount: int) -> None:
        """Give back ``amount`` unused units to every window (never below zero)."""
        _check_amount(amount)
        params = [(amount, domain, window.key) for window in windows]
        await self._write(lambda connection: connection.executemany(_RELEASE, params))

    async def quota_used(self, domain: str, window_key: str) -> int:
        """Units used in one window of a domain (0 if never used)."""
        sql = "SELECT used FROM quota_usage WHERE domain = ? AND window_key = ?"
        rows = await self._read(sql, (domain, window_key))
        return int(rows[0][0]) if rows else 0

    async def quota_usage(self, window_prefix: str) -> dict[str, int]:
        """Units used per domain in the windows whose key starts with ``window_prefix``."""
        sql = (
            "SELECT domain, sum(used) FROM quota_usage"
            " WHERE substr(window_key, 1, length(?)) = ? GROUP BY domain"
        )
        rows = await self._read(sql, (window_prefix, window_prefix))
        return {domain: int(used) for domain, used in rows}

    # breakers ---------------------------------------------------------------------------
    async def save_breaker(self, snapshot: BreakerSnapshot) -> None:
        """Persist one domain's breaker state (insert or replace)."""
        params = (
            snapshot.domain,
            snapshot.state,
            snapshot.failures,
            _to_text_or_none(snapshot.opened_at),
            _to_text_or_none(snapshot.retry_at),
            snapshot.cooldown_seconds,
        )
        await self._write(lambda connection: connection.execute(_SAVE_BREAKER, params))

    async def load_breakers(self) -> dict[str, BreakerSnapshot]:
        """Every persisted breaker, by domain."""
        sql = "SELECT domain, state, failures, opened_at, retry_at, cooldown_seconds FROM breakers"
        rows = await self._read(sql)
        return {
            domain: BreakerSnapshot(
                domain,
                state,
                failures,
                _from_text_or_none(opened),
                _from_text_or_none(retry),
                cooldown,
            )
            for domain, state, failures, opened, retry, cooldown in rows
        }

    # run lease --------------------------------------------------------------------------
    async def acquire_lease(
        self, name: str, holder: str, *, ttl_seconds: float, now: datetime
    ) -> datetime | None:
        """Take the lease if free, expired, or already ours; the new expiry, or None if held."""
        params = (name, holder, _to_text(now + timedelta(seconds=ttl_seconds)), _to_text(now))
        return await self._returning_expiry(_ACQUIRE, params)

    async def renew_lease(
        self, name: str, holder: str, *, ttl_seconds: float, now: datetime
    ) -> datetime | None:
        """Extend a lease we hold (even past its expiry, if nobody took it); else None."""
        sql = "UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ? RETURNING expires_at"
        params = (_to_text(now + timedelta(seconds=ttl_seconds)), name, holder)
        return await self._returning_expiry(sql, params)

    async def release_lease(self, name: str, holder: str) -> None:
        """Give the lease up if we hold it."""
        sql = "DELETE FROM leases WHERE name = ? AND holder = ?"
        await self._write(lambda connection: connection.execute(sql, (name, holder)))

    async def lease_holder(self, name: str, *, now: datetime) -> tuple[str, datetime] | None:
        """The live holder and expiry of a lease, or None if it is free or expired."""
        sql = "SELECT holder, expires_at FROM leases WHERE name = ? AND expires_at > ?"
        rows = await self._read(sql, (name, _to_text(now)))
        return (rows[0][0], datetime.fromisoformat(rows[0][1])) if rows else None

    # plumbing ---------------------------------------------------------------------------
    async def _returning_expiry(self, sql: str, params: Sequence[object]) -> datetime | None:
        rows = await self._write(lambda connection: connection.execute(sql, params).fetchall())
        return datetime.fromisoformat(rows[0][0]) if rows else None

    async def _read(self, sql: str, params: Sequence[object] = ()) -> list[Any]:
        return await self._call(lambda connection: connection.execute(sql, params).fetchall())

    async def _write(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        def transaction(connection: sqlite3.Connection) -> _T:
            with immediate(connection):
                return work(connection)

        return await self._call(transaction)

    async def _call(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        async with self._lock:
            if self._connection is None:
                raise StoreError(f"the SQLite store {self._location} is closed")
            try:
                return await anyio.to_thread.run_sync(work, self._connection)
            except sqlite3.Error as exc:
                raise StoreError(f"SQLite {self._location}: {exc}") from exc


def _connect(path: str, busy_timeout_seconds: float) -> tuple[str, sqlite3.Connection]:
    """Open, configure and migrate; the absolute location and the connection.

    ``timeout=`` is SQLite's busy timeout; ``isolation_level=None`` leaves the transactions
    to us (``immediate``).
    """
    location = path if path == ":memory:" else str(Path(path).resolve())
    if sqlite3.sqlite_version_info < (3, 35):
        raise StoreError(f"SQLite {sqlite3.sqlite_version} is too old; JobPing needs 3.35+")
    try:
        connection = sqlite3.connect(
            location, timeout=busy_timeout_seconds, isolation_level=None, check_same_thread=False
        )
        try:
            _use_wal(connection, busy_timeout_seconds)
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.execute("PRAGMA foreign_keys = ON")
            migrate_sqlite(connection, migrations_for("sqlite"), location=location)
        except BaseException:
            connection.close()
            raise
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open the SQLite database {location}: {exc}") from exc
    return location, connection


def _use_wal(connection: sqlite3.Connection, busy_timeout_seconds: float) -> None:
    """Switch to WAL, retrying: on a new file, openers racing here get SQLITE_BUSY at once."""
    deadline = time.monotonic() + busy_timeout_seconds
    while True:
        try:
            connection.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                raise
            time.sleep(0.01)  # in the worker thread, never on the event loop
        else:
            return


def _upsert(connection: sqlite3.Connection, jobs: Sequence[Job], seen: str) -> UpsertResult:
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
            elif _content(old) != _content(row):
                updated += 1
                writes.append(row)
            elif old != row[:-1]:  # unchanged content: refresh the sighting fields only
                sightings.append((*_sighting(row), job_hash))
        connection.executemany(_UPSERT_JOB, writes)
        connection.executemany(_SIGHTED, sightings)
    return UpsertResult(len(rows) - len(stored), updated, len(stored) - updated)


def _row(job: Job, seen: str) -> tuple[object, ...]:
    """The values of ``_WRITTEN`` plus ``created_at``, as stored."""
    values = list(_values(job))
    for i in _DATETIME_AT:
        values[i] = _to_text_or_none(values[i])
    for i in _TUPLE_AT:
        values[i] = json.dumps(values[i])
    values[_SEEN], values[_ACTIVE] = seen, 1
    values.append(seen)
    return tuple(values)


def _job(row: Sequence[Any]) -> Job:
    values = dict(zip(_COLUMNS, row, strict=True))
    for name in _DATETIMES:
        values[name] = _from_text_or_none(values[name])
    for name in _TUPLES:
        values[name] = tuple(json.loads(values[name]))
    for name in _BOOLS:
        values[name] = None if values[name] is None else bool(values[name])
    return Job(**values)


def _run(row: Sequence[Any]) -> RunRecord:
    run_id, started_at, finished_at, status, counts, errors = row
    return RunRecord(
        run_id=run_id,
        started_at=datetime.fromisoformat(started_at),
        finished_at=_from_text_or_none(finished_at),
        status=RunStatus(status),
        counts=json.loads(counts),
        errors=json.loads(errors),
    )


def _to_text(moment: datetime) -> str:
    """Fixed-width ISO-8601 UTC: ``2026-11-23T09:30:00.000000+00:00``."""
    if moment.utcoffset() is None:
        raise StoreError(f"naive datetime {moment.isoformat()}: the store needs aware datetimes")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _to_text_or_none(moment: datetime | None) -> str | None:
    return None if moment is None else _to_text(moment)


def _from_text_or_none(text: str | None) -> datetime | None:
    """The aware UTC datetime that ``_to_text`` wrote."""
    return None if text is None else datetime.fromisoformat(text)


def _to_json(value: object, what: str) -> str:
    try:
        return json.dumps(value)
    except (TypeError, ValueError) as exc:
        raise StoreError(f"cannot store {what}: not JSON ({exc})") from exc


def _check_amount(amount: int) -> None:
    if amount < 0:
        raise StoreError(f"a quota amount must not be negative, got {amount}")
