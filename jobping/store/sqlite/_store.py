"""The SQLite store: the roles of ``_jobs`` and ``_budget`` over one connection, and the rest.

The connection (one per store, worker threads, ``BEGIN IMMEDIATE`` writes) is a
:class:`SqliteConnection` the store holds; the job and enrichment-backlog roles come from
the :class:`SqliteJobs` mixin, the budget ledger from :class:`SqliteBudgetLedger`, LLM
batches from :class:`SqliteBatches` and conditional-request validators from
:class:`SqliteValidators`; this module adds the run log, quotas, breakers and leases.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime, timedelta

from jobping.models import RunRecord
from jobping.store._rows import (
    BREAKER_COLUMNS,
    RUN_COLUMNS,
    breaker_from_row,
    check_amount,
    run_from_row,
)
from jobping.store._values import BreakerSnapshot, QuotaWindow
from jobping.store.sqlite._batches import SqliteBatches
from jobping.store.sqlite._budget import SqliteBudgetLedger
from jobping.store.sqlite._connection import (
    SqliteConnection,
    to_json,
    to_text,
    to_text_or_none,
)
from jobping.store.sqlite._jobs import SqliteJobs
from jobping.store.sqlite._validators import SqliteValidators

__all__ = ["SqliteStore"]

_SAVE_RUN = """
INSERT INTO runs (run_id, started_at, finished_at, status, counts, errors)
VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (run_id) DO UPDATE SET started_at = excluded.started_at,
finished_at = excluded.finished_at, status = excluded.status, counts = excluded.counts,
errors = excluded.errors"""
_SELECT_RUNS = f"SELECT {', '.join(RUN_COLUMNS)} FROM runs"  # noqa: S608 (constant columns)
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
_SELECT_BREAKERS = f"SELECT {', '.join(BREAKER_COLUMNS)} FROM breakers"  # noqa: S608 (constant)
_ACQUIRE = """
INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
WHERE leases.holder = excluded.holder OR leases.expires_at <= ? RETURNING expires_at"""


class SqliteStore(SqliteJobs, SqliteBudgetLedger, SqliteBatches, SqliteValidators):
    """The Store on a SQLite file (or ``:memory:``); open it with :meth:`open`."""

    def __init__(self, db: SqliteConnection) -> None:
        self._db = db

    @classmethod
    async def open(cls, path: str, *, busy_timeout_seconds: float = 30.0) -> SqliteStore:
        """Open (creating if needed) the database at ``path`` and apply missing migrations."""
        return cls(await SqliteConnection.open(path, busy_timeout_seconds=busy_timeout_seconds))

    @property
    def description(self) -> str:
        """``SQLite <absolute path>``."""
        return f"SQLite {self._db.location}"

    def __repr__(self) -> str:
        return f"<SqliteStore {self._db.location} {'closed' if self._db.closed else 'open'}>"

    async def close(self) -> None:
        """Close the connection; idempotent."""
        await self._db.close()

    async def schema_version(self) -> int:
        """The highest migration version applied."""
        rows = await self._db.read("SELECT max(version) FROM schema_migrations")
        return int(rows[0][0] or 0)

    # runs -------------------------------------------------------------------------------
    async def save_run(self, run: RunRecord) -> None:
        """Insert or update the run record (by ``run_id``)."""
        params = (
            run.run_id,
            to_text(run.started_at),
            to_text_or_none(run.finished_at),
            run.status.value,
            to_json(run.counts, f"run {run.run_id} counts"),
            to_json(run.errors, f"run {run.run_id} errors"),
        )
        await self._db.write(lambda connection: connection.execute(_SAVE_RUN, params))

    async def get_run(self, run_id: str) -> RunRecord | None:
        """The run with that id, or None."""
        rows = await self._db.read(_SELECT_RUNS + " WHERE run_id = ?", (run_id,))
        return run_from_row(dict(zip(RUN_COLUMNS, rows[0], strict=True))) if rows else None

    async def recent_runs(self, limit: int = 20) -> list[RunRecord]:
        """The latest runs, newest first."""
        sql = _SELECT_RUNS + " ORDER BY started_at DESC, run_id DESC LIMIT ?"
        rows = await self._db.read(sql, (limit,))
        return [run_from_row(dict(zip(RUN_COLUMNS, row, strict=True))) for row in rows]

    # quotas -----------------------------------------------------------------------------
    async def consume_quota(
        self, domain: str, windows: Sequence[QuotaWindow], amount: int, *, now: datetime
    ) -> bool:
        """Add ``amount`` to every window if all stay within their limits; all or none.

        One ``BEGIN IMMEDIATE`` transaction of guarded upserts, rolled back as soon as one
        window refuses. ``now`` is not needed here: the window keys already name the period.
        """
        check_amount(amount)
        if any(amount > window.limit for window in windows):
            return False

        def consume(connection: sqlite3.Connection) -> bool:
            for window in windows:
                params = (domain, window.key, amount, window.limit)
                if not connection.execute(_CONSUME, params).fetchall():
                    connection.rollback()
                    return False
            return True

        return await self._db.write(consume)

    async def release_quota(self, domain: str, windows: Sequence[QuotaWindow], amount: int) -> None:
        """Give back ``amount`` unused units to every window (never below zero)."""
        check_amount(amount)
        params = [(amount, domain, window.key) for window in windows]
        await self._db.write(lambda connection: connection.executemany(_RELEASE, params))

    async def quota_used(self, domain: str, window_key: str) -> int:
        """Units used in one window of a domain (0 if never used)."""
        sql = "SELECT used FROM quota_usage WHERE domain = ? AND window_key = ?"
        rows = await self._db.read(sql, (domain, window_key))
        return int(rows[0][0]) if rows else 0

    async def quota_usage(self, window_prefix: str) -> dict[str, int]:
        """Units used per domain in the windows whose key starts with ``window_prefix``."""
        sql = (
            "SELECT domain, sum(used) FROM quota_usage"
            " WHERE substr(window_key, 1, length(?)) = ? GROUP BY domain"
        )
        rows = await self._db.read(sql, (window_prefix, window_prefix))
        return {domain: int(used) for domain, used in rows}

    # breakers ---------------------------------------------------------------------------
    async def save_breaker(self, snapshot: BreakerSnapshot) -> None:
        """Persist one domain's breaker state (insert or replace)."""
        params = (
            snapshot.domain,
            snapshot.state,
            snapshot.failures,
            to_text_or_none(snapshot.opened_at),
            to_text_or_none(snapshot.retry_at),
            snapshot.cooldown_seconds,
        )
        await self._db.write(lambda connection: connection.execute(_SAVE_BREAKER, params))

    async def load_breakers(self) -> dict[str, BreakerSnapshot]:
        """Every persisted breaker, by domain."""
        rows = await self._db.read(_SELECT_BREAKERS)
        snapshots = [breaker_from_row(dict(zip(BREAKER_COLUMNS, row, strict=True))) for row in rows]
        return {snapshot.domain: snapshot for snapshot in snapshots}

    # run lease --------------------------------------------------------------------------
    async def acquire_lease(
        self, name: str, holder: str, *, ttl_seconds: float, now: datetime
    ) -> datetime | None:
        """Take the lease if free, expired, or already ours; the new expiry, or None if held."""
        params = (name, holder, to_text(now + timedelta(seconds=ttl_seconds)), to_text(now))
        return await self._returning_expiry(_ACQUIRE, params)

    async def renew_lease(
        self, name: str, holder: str, *, ttl_seconds: float, now: datetime
    ) -> datetime | None:
        """Extend a lease we hold (even past its expiry, if nobody took it); else None."""
        sql = "UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ? RETURNING expires_at"
        params = (to_text(now + timedelta(seconds=ttl_seconds)), name, holder)
        return await self._returning_expiry(sql, params)

    async def release_lease(self, name: str, holder: str) -> None:
        """Give the lease up if we hold it."""
        sql = "DELETE FROM leases WHERE name = ? AND holder = ?"
        await self._db.write(lambda connection: connection.execute(sql, (name, holder)))

    async def lease_holder(self, name: str, *, now: datetime) -> tuple[str, datetime] | None:
        """The live holder and expiry of a lease, or None if it is free or expired."""
        sql = "SELECT holder, expires_at FROM leases WHERE name = ? AND expires_at > ?"
        rows = await self._db.read(sql, (name, to_text(now)))
        return (rows[0][0], datetime.fromisoformat(rows[0][1])) if rows else None

    # plumbing ---------------------------------------------------------------------------
    async def _returning_expiry(self, sql: str, params: Sequence[object]) -> datetime | None:
        rows = await self._db.write(lambda connection: connection.execute(sql, params).fetchall())
        return datetime.fromisoformat(rows[0][0]) if rows else None
