"""Where a database's schema stands against the migrations this JobPing ships.

``jobping db status`` reads it without changing anything (opening a store would migrate).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from jobping.errors import StoreError
from jobping.store._migrate import Migration, migrations_for, pending_migrations

__all__ = ["SchemaStatus", "sqlite_schema_version"]

_HAS_MIGRATIONS = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"


@dataclass(frozen=True, slots=True)
class SchemaStatus:
    """A database's schema version and the migrations of its dialect."""

    backend: str
    """Backend and location, password redacted (as ``Store.description``)."""
    version: int
    """The highest migration version applied (0 for an empty database)."""
    migrations: tuple[Migration, ...]
    """Every migration shipped for the backend's dialect, in order."""

    @classmethod
    def of(cls, backend: str, version: int, dialect: str) -> SchemaStatus:
        """The status of a database of ``dialect`` at ``version``."""
        return cls(backend, version, migrations_for(dialect))

    @property
    def latest(self) -> int:
        """The newest version this JobPing knows."""
        return self.migrations[-1].version if self.migrations else 0

    @property
    def pending(self) -> list[str]:
        """Labels of the migrations not applied yet (MigrationError if the schema is newer)."""
        return [migration.label for migration in pending_migrations(self.migrations, self.version)]


def sqlite_schema_version(path: str) -> tuple[str, int]:
    """The description and schema version of a SQLite file, read-only (0 if it is new)."""
    location = path if path == ":memory:" else str(Path(path).resolve())
    if location == ":memory:" or not Path(location).exists():
        return f"SQLite {location}", 0
    try:
        connection = sqlite3.connect(f"{Path(location).as_uri()}?mode=ro", uri=True)
        try:
            version = 0
            if connection.execute(_HAS_MIGRATIONS).fetchone():
                row = connection.execute("SELECT max(version) FROM schema_migrations").fetchone()
                version = int(row[0] or 0)
        finally:
            connection.close()
    except sqlite3.Error as exc:
        raise StoreError(f"cannot read the SQLite database {location}: {exc}") from exc
    return f"SQLite {location}", version
