"""SQLite plumbing that the store's parts share: the connection, its lock, value encoding.

One ``sqlite3`` connection per store. Each call runs in a worker thread
(``anyio.to_thread.run_sync``) under an ``anyio.Lock``, so the event loop never blocks and
the connection is used by one thread at a time; a cancelled call still finishes its
transaction before the lock is released. WAL lets readers run beside a writer; every write
is a ``BEGIN IMMEDIATE`` transaction, so writers of other processes queue on the busy
timeout. Datetimes are stored as fixed-width ISO-8601 UTC text (text order is time order).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import anyio
import anyio.to_thread

from jobping.errors import StoreError
from jobping.store._migrate import immediate, migrate_sqlite, migrations_for
from jobping.store._rows import aware

__all__ = ["SqliteConnection", "to_json", "to_text", "to_text_or_none"]

_T = TypeVar("_T")


class SqliteConnection:
    """The one connection of a SQLite store and the way every call uses it."""

    def __init__(self, connection: sqlite3.Connection, location: str) -> None:
        self._connection: sqlite3.Connection | None = connection
        self.location = location
        """The absolute path of the file (or ``:memory:``)."""
        self._lock = anyio.Lock()

    @classmethod
    async def open(cls, path: str, *, busy_timeout_seconds: float = 30.0) -> SqliteConnection:
        """Open (creating if needed) the database at ``path`` and apply missing migrations."""
        location, connection = await anyio.to_thread.run_sync(_connect, path, busy_timeout_seconds)
        return cls(connection, location)

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._connection is None

    async def close(self) -> None:
        """Close the connection; idempotent."""
        async with self._lock:
            connection, self._connection = self._connection, None
            if connection is not None:
                await anyio.to_thread.run_sync(connection.close)

    async def read(self, sql: str, params: Sequence[object] = ()) -> list[Any]:
        """The rows of one query."""
        return await self.call(lambda connection: connection.execute(sql, params).fetchall())

    async def write(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run ``work`` in one ``BEGIN IMMEDIATE`` transaction; what it returns."""

        def transaction(connection: sqlite3.Connection) -> _T:
            with immediate(connection):
                return work(connection)

        return await self.call(transaction)

    async def call(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run ``work`` on the connection in a worker thread, under the lock."""
        async with self._lock:
            if self._connection is None:
                raise StoreError(f"the SQLite store {self.location} is closed")
            try:
                return await anyio.to_thread.run_sync(work, self._connection)
            except sqlite3.Error as exc:
                raise StoreError(f"SQLite {self.location}: {exc}") from exc


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


def to_text(moment: datetime) -> str:
    """Fixed-width ISO-8601 UTC: ``2026-11-23T09:30:00.000000+00:00``."""
    return aware(moment).astimezone(UTC).isoformat(timespec="microseconds")


def to_text_or_none(moment: datetime | None) -> str | None:
    """:func:`to_text`, passing None through."""
    return None if moment is None else to_text(moment)


def to_json(value: object, what: str) -> str:
    """``value`` as JSON text, or StoreError naming ``what`` cannot be stored."""
    try:
        return json.dumps(value)
    except (TypeError, ValueError) as exc:
        raise StoreError(f"cannot store {what}: not JSON ({exc})") from exc
