"""Versioned schema migrations: numbered SQL files per backend, applied in order on open.

The files are package data: ``migrations/<dialect>/0001_jobs.sql``, ``0002_runs.sql`` … The
versions must run 1, 2, 3 … without a gap. A table ``schema_migrations(version, name,
applied_at)`` records what a database has. Discovery and the version check are shared by
every backend; :func:`migrate_sqlite` is the SQLite runner (the PostgreSQL one lives with its
driver, as ``psycopg`` may only be imported there).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable

from jobping.errors import MigrationError

__all__ = [
    "Migration",
    "immediate",
    "load_migrations",
    "migrate_sqlite",
    "migrations_for",
    "pending_migrations",
]

_FILE_NAME = re.compile(r"(\d{4})_([a-z0-9_]+)\.sql")

_SQLITE_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
)"""
# applied_at in the store's fixed datetime format: 2026-11-23T09:30:00.123000+00:00
_SQLITE_RECORD = """
INSERT INTO schema_migrations (version, name, applied_at)
VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%f000+00:00', 'now'))"""


@dataclass(frozen=True, slots=True)
class Migration:
    """One numbered migration file."""

    version: int
    name: str
    sql: str

    @property
    def label(self) -> str:
        """The file's name without ``.sql``, as errors show it."""
        return f"{self.version:04d}_{self.name}"


def migrations_for(dialect: str) -> tuple[Migration, ...]:
    """The migrations shipped for ``dialect`` (``sqlite`` or ``postgres``), in order."""
    return load_migrations(files("jobping.store") / "migrations" / dialect)


def load_migrations(directory: Traversable) -> tuple[Migration, ...]:
    """Read the ``NNNN_name.sql`` files of a directory, checking versions run 1, 2, 3 …."""
    if not directory.is_dir():
        raise MigrationError(f"no migrations directory at {directory}")
    found: list[Migration] = []
    for entry in directory.iterdir():
        if not entry.name.endswith(".sql"):
            continue
        match = _FILE_NAME.fullmatch(entry.name)
        if match is None:
            raise MigrationError(f"migration file {entry.name!r} is not named NNNN_name.sql")
        found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda migration: migration.version)
    versions = [migration.version for migration in found]
    if versions != list(range(1, len(found) + 1)):
        raise MigrationError(f"migration versions in {directory} must be 1, 2, 3 …; got {versions}")
    return tuple(found)


def pending_migrations(migrations: Sequence[Migration], current: int) -> list[Migration]:
    """The migrations newer than ``current``; MigrationError if the database is ahead."""
    latest = migrations[-1].version if migrations else 0
    if current > latest:
        raise MigrationError(
            f"the database schema is at version {current}, newer than this JobPing knows"
            f" ({latest}); upgrade JobPing"
        )
    return [migration for migration in migrations if migration.version > current]


@contextmanager
def immediate(connection: sqlite3.Connection) -> Iterator[None]:
    """A SQLite write transaction: ``BEGIN IMMEDIATE`` takes the write lock at once.

    Concurrent writers (threads or processes) queue on the busy timeout instead of failing
    when a read lock is upgraded. Commits on exit unless the body rolled back; rolls back if
    the body raises. The connection must be in autocommit mode (``isolation_level=None``).
    """
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if connection.in_transaction:
            connection.rollback()
        raise
    if connection.in_transaction:
        connection.execute("COMMIT")


def migrate_sqlite(
    connection: sqlite3.Connection, migrations: Sequence[Migration], *, location: str
) -> int:
    """Apply the missing migrations, each in its own transaction; the resulting version.

    Safe when several processes open the same file at once: each migration re-reads the
    version under the write lock, so only one process applies it.
    """
    with immediate(connection):
        connection.execute(_SQLITE_TABLE)
        current = _sqlite_version(connection)
    for migration in pending_migrations(migrations, current):
        with immediate(connection):
            if _sqlite_version(connection) < migration.version:
                _apply(connection, migration, location)
    return _sqlite_version(connection)


def _sqlite_version(connection: sqlite3.Connection) -> int:
    row = connection.execute("SELECT max(version) FROM schema_migrations").fetchone()
    return int(row[0] or 0)


def _apply(connection: sqlite3.Connection, migration: Migration, location: str) -> None:
    try:
        for statement in _statements(migration.sql):
            connection.execute(statement)
        connection.execute(_SQLITE_RECORD, (migration.version, migration.name))
    except sqlite3.Error as exc:
        raise MigrationError(f"migration {migration.label} failed on {location}: {exc}") from exc


def _statements(script: str) -> Iterator[str]:
    """Split a script into statements (``executescript`` would commit our transaction)."""
    pending = ""
    for part in script.split(";"):
        pending += part + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \t\r\n;"):
                yield pending
            pending = ""
    if pending.strip(" \t\r\n;"):
        yield pending  # incomplete (an open quote or trigger): SQLite reports it
