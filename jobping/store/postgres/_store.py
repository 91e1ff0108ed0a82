"""The PostgreSQL backend: psycopg 3 (async) over one ``psycopg_pool`` pool per store.

One pool per process, opened by :meth:`PostgresStore.open` after the schema is migrated on a
connection of its own. Every pooled connection is checked on checkout (a dead one is
replaced), runs in autocommit with explicit transactions where a call writes more than one
statement, and has ``statement_timeout``, ``idle_in_transaction_session_timeout`` and
``TimeZone=UTC`` set when it is opened. Quotas, leases and the budget ledger change only
inside the SQL functions of ``migrations/postgres`` (one call each, see ``_calls``), so
concurrency is the database's job. The store is flat: :class:`PostgresQueries` (one statement
each) and :class:`FunctionCalls` (one SQL function call each) are mixins over its ``_fetch``
and ``_call``.
Every psycopg error becomes a ``StoreError`` naming the server, never the password.
"""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from jobping.errors import ConfigError, MigrationError, StoreError
from jobping.models import Job
from jobping.redact import redact_text
from jobping.store._calls import FunctionCalls, SqlFunctionCall
from jobping.store._migrate import Migration, migrations_for, pending_migrations
from jobping.store._rows import aware, job_rows, latest_by_hash, sighting_of, sighting_rows
from jobping.store._values import UpsertResult
from jobping.store.postgres import _sql as sql
from jobping.store.postgres._queries import PostgresQueries

__all__ = ["PostgresOptions", "PostgresStore"]

_Connection = psycopg.AsyncConnection[Any]


@dataclass(frozen=True, slots=True)
class PostgresOptions:
    """Pool size and timeouts of a PostgreSQL store (the ``PG_*`` settings).

    A statement or idle-in-transaction timeout of 0 s turns that timeout off.
    """

    pool_min_size: int = 1
    pool_max_size: int = 10
    connect_timeout_seconds: float = 10.0
    statement_timeout_seconds: float = 30.0
    idle_in_transaction_timeout_seconds: float = 60.0

    def __post_init__(self) -> None:
        if self.pool_max_size < max(self.pool_min_size, 1):
            problem = f"must be at least 1 and at least PG_POOL_MIN_SIZE ({self.pool_min_size})"
            raise ConfigError({"PG_POOL_MAX_SIZE": problem})

    def connect_kwargs(self, conninfo: str) -> dict[str, Any]:
        """Autocommit, libpq's whole-second connect timeout, and our application name."""
        kwargs: dict[str, Any] = {
            "autocommit": True,
            "connect_timeout": max(1, math.ceil(self.connect_timeout_seconds)),
        }
        if "application_name" not in conninfo_to_dict(conninfo):
            kwargs["application_name"] = "jobping"
        return kwargs

    async def configure(self, connection: _Connection) -> None:
        """Set the session's timeouts and UTC as its time zone (on every new connection)."""
        milliseconds = (
            str(round(seconds * 1000))
            for seconds in (
                self.statement_timeout_seconds,
                self.idle_in_transaction_timeout_seconds,
            )
        )
        await connection.execute(sql.SESSION_SETTINGS, tuple(milliseconds))


@dataclass(frozen=True, slots=True)
class _Server:
    """Where the store connects, for messages: never the password, which it only redacts."""

    location: str
    password: str | None = field(repr=False)
    options: PostgresOptions

    @classmethod
    def of(cls, conninfo: str, options: PostgresOptions) -> _Server:
        try:
            params = conninfo_to_dict(conninfo)
        except psycopg.ProgrammingError as exc:
            problem = "not a valid PostgreSQL URL (postgresql://user:password@host:port/dbname)"
            raise ConfigError({"DATABASE_URL": problem}) from exc
        host = params.get("host") or "localhost"
        user = f"{params['user']}@" if params.get("user") else ""
        location = f"{user}{host}:{params.get('port') or 5432}/{params.get('dbname') or ''}"
        password = params.get("password")
        return cls(location, str(password) if password else None, options)

    @contextmanager
    def translated(self) -> Iterator[None]:
        """Turn any psycopg error raised inside into a StoreError naming this server."""
        try:
            yield
        except psycopg.Error as exc:
            raise StoreError(f"PostgreSQL {self.location}: {self.problem(exc)}") from exc

    def problem(self, exc: psycopg.Error) -> str:
        """What went wrong, in one line, with the password redacted."""
        options = self.options
        if isinstance(exc, PoolTimeout):
            return (
                f"no pooled connection free within {options.connect_timeout_seconds:g} s"
                f" + {options.statement_timeout_seconds:g} s (PG_POOL_MAX_SIZE is"
                f" {options.pool_max_size})"
            )
        message = " ".join((exc.diag.message_primary or str(exc)).split())
        if isinstance(exc, psycopg.errors.QueryCanceled) and "statement timeout" in message:
            message = (
                f"the statement ran past the statement timeout"
                f" ({options.statement_timeout_seconds:g} s, PG_STATEMENT_TIMEOUT_SECONDS)"
                " and was cancelled"
            )
        return redact_text(message, [self.password] if self.password else [])


class PostgresStore(PostgresQueries, FunctionCalls):
    """The Store on a PostgreSQL database (also Supabase's); open it with :meth:`open`."""

    def __init__(self, pool: AsyncConnectionPool[_Connection], server: _Server) -> None:
        self._pool: AsyncConnectionPool[_Connection] | None = pool
        self._server = server

    @classmethod
    async def open(cls, conninfo: str, **options: Any) -> PostgresStore:
        """Connect, apply missing migrations, then open the pool (``options``: PostgresOptions).

        Raises:
            ConfigError: The URL or an option is invalid.
            StoreError: The server cannot be reached or refuses us.
            MigrationError: A migration failed, or the schema is newer than this code.
        """
        settings = PostgresOptions(**options)
        server = _Server.of(conninfo, settings)
        kwargs = settings.connect_kwargs(conninfo)
        with server.translated():
            async with await psycopg.AsyncConnection.connect(conninfo, **kwargs) as connection:
                await settings.configure(connection)
                await _migrate(connection, server.location)
            pool = AsyncConnectionPool(
                conninfo,
                min_size=settings.pool_min_size,
                max_size=settings.pool_max_size,
                kwargs=kwargs,
                configure=settings.configure,
                check=AsyncConnectionPool.check_connection,
                timeout=settings.connect_timeout_seconds + settings.statement_timeout_seconds,
                name="jobping",
                open=False,
            )
            try:
                await pool.open(wait=True, timeout=settings.connect_timeout_seconds)
            except BaseException:
                await pool.close()
                raise
        return cls(pool, server)

    @classmethod
    async def read_schema_version(cls, conninfo: str, **options: Any) -> tuple[str, int]:
        """The description and schema version of a database, migrating nothing (0 if empty)."""
        settings = PostgresOptions(**options)
        server = _Server.of(conninfo, settings)
        with server.translated():
            kwargs = settings.connect_kwargs(conninfo)
            async with await psycopg.AsyncConnection.connect(conninfo, **kwargs) as connection:
                return f"PostgreSQL {server.location}", await _version(connection)

    @property
    def description(self) -> str:
        """``PostgreSQL user@host:port/dbname`` (never the password)."""
        return f"PostgreSQL {self._server.location}"

    def __repr__(self) -> str:
        if self._pool is None:
            return f"<PostgresStore {self._server.location} closed>"
        stats = self._pool.get_stats()
        return (
            f"<PostgresStore {self._server.location} open size={stats.get('pool_size', 0)}"
            f" idle={stats.get('pool_available', 0)} max={self._pool.max_size}>"
        )

    async def close(self) -> None:
        """Close the pool, giving connections in use a few seconds to come back; idempotent."""
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close(timeout=5.0)

    async def schema_version(self) -> int:
        """The highest migration version applied."""
        async with self._connection() as connection:
            return await _version(connection)

    # jobs -------------------------------------------------------------------------------
    async def upsert_jobs(self, jobs: Sequence[Job], *, seen_at: datetime) -> UpsertResult:
        """Insert or refresh a batch in one transaction (see the JobStore role).

        Jobs whose stored content digest is theirs are marked seen first, in one call of
        ``jobping_mark_seen_unchanged`` (which locks every stored sighting of the batch in
        hash order, and writes only those rows). Of the rest, new rows are those the guarded
        insert creates; the known rows are then compared, so concurrent writers classify every
        job exactly once; the sightings of all of them are written last.
        """
        batch = latest_by_hash(jobs)
        if not batch:
            return UpsertResult()
        sighted = sighting_rows(batch.values())
        probe = (json.dumps(sighted), aware(seen_at))
        async with self._connection() as connection, connection.transaction():
            cursor = await connection.execute(sql.MARK_SEEN_UNCHANGED, probe)
            marked = set(_first(await cursor.fetchone()))
            unmarked = (job for h, job in batch.items() if h not in marked)
            rows = job_rows(unmarked, seen_at=seen_at, sighted=sighted)
            if not rows:
                return UpsertResult(0, 0, len(marked))
            changed, payload = 0, (json.dumps(list(rows.values())),)
            cursor = await connection.execute(sql.INSERT_NEW_JOBS, payload)
            new = {row[0] for row in await cursor.fetchall()}
            if known := [row for job_hash, row in rows.items() if job_hash not in new]:
                payload = (json.dumps(known),)
                cursor = await connection.execute(sql.LOCK_AND_COMPARE_JOBS, payload)
                changed = int(_first(await cursor.fetchone()))
                await connection.execute(sql.REFRESH_JOBS, payload)
            sightings = [sighting_of(row) for row in rows.values()]
            await connection.execute(sql.UPSERT_SIGHTINGS, (json.dumps(sightings),))
        return UpsertResult(len(new), changed, len(marked) + len(rows) - len(new) - changed)

    # plumbing ---------------------------------------------------------------------------
    async def _sleep(self, seconds: float) -> None:
        """Run ``pg_sleep`` on a pooled connection: for tests of the statement timeout."""
        await self._fetch(sql.SLEEP, (seconds,), rows=False)

    async def _fetch(
        self, query: str, params: Sequence[object] | Mapping[str, object] = (), *, rows: bool = True
    ) -> list[tuple[Any, ...]]:
        """Run ``query`` on a pooled connection; its rows (none if ``rows`` is False)."""
        async with self._connection() as connection:
            cursor = await connection.execute(query, params)
            return await cursor.fetchall() if rows else []

    async def _call(self, call: SqlFunctionCall) -> Any:
        """Run one SQL function call; the value it returns.

        JSON objects, and lists of them, go as ``jsonb`` (other values as psycopg adapts them).
        """
        params = {name: _jsonb_or_value(value) for name, value in call.params.items()}
        return (await self._fetch(call.sql, params))[0][0]

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[_Connection]:
        if self._pool is None:
            raise StoreError(f"the PostgreSQL store {self._server.location} is closed")
        with self._server.translated():
            async with self._pool.connection() as connection:
                yield connection


async def _migrate(connection: _Connection, location: str) -> int:
    """Apply the missing migrations in one transaction: all of them, or none; the version.

    Each file records its own version (so files applied by hand count too). Processes
    opening one database at once queue on a session advisory lock, and each re-reads the
    version once it holds the lock, before its transaction starts.
    """
    migrations = migrations_for("postgres")
    if not pending_migrations(migrations, await _version(connection)):
        return await _version(connection)
    await connection.execute(sql.MIGRATION_LOCK)
    try:
        async with connection.transaction():
            for migration in pending_migrations(migrations, await _version(connection)):
                await _apply(connection, migration, location)
    finally:
        await connection.execute(sql.MIGRATION_UNLOCK)
    return await _version(connection)


async def _apply(connection: _Connection, migration: Migration, location: str) -> None:
    try:
        await connection.execute(migration.sql)
    except psycopg.Error as exc:
        problem = " ".join((exc.diag.message_primary or str(exc)).split())
        message = f"migration {migration.label} failed on {location}: {problem}"
        raise MigrationError(message) from exc
    if await _version(connection) != migration.version:
        message = f"migration {migration.label} does not record its version in schema_migrations"
        raise MigrationError(message)


async def _version(connection: _Connection) -> int:
    """The schema version; 0 while the table of versions does not exist."""
    if not _first(await (await connection.execute(sql.HAS_MIGRATIONS_TABLE)).fetchone()):
        return 0
    return int(_first(await (await connection.execute(sql.SCHEMA_VERSION)).fetchone()))


def _jsonb_or_value(value: object) -> object:
    if isinstance(value, dict) or (
        isinstance(value, list) and value and isinstance(value[0], dict)
    ):
        return Jsonb(value)
    return value


def _first(row: tuple[Any, ...] | None) -> Any:
    """The first value of a row that an aggregate always returns."""
    if row is None:  # pragma: no cover - an aggregate always returns one row
        raise StoreError("the database returned no row for an aggregate")
    return row[0]
