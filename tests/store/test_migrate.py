"""open_store, SQLite connection settings and the migration runner."""

from __future__ import annotations

import dataclasses
import re
import sqlite3
from pathlib import Path

import anyio
import pytest

from jobping.errors import ConfigError, MigrationError, StoreError
from jobping.models import Job
from jobping.store import open_store
from jobping.store._migrate import (
    Migration,
    load_migrations,
    migrate_sqlite,
    migrations_for,
    pending_migrations,
)
from jobping.store._rows import CLAIM_COLUMNS, SIGHTING_COLUMNS, SIGHTING_ROW

pytestmark = pytest.mark.anyio

SHIPPED = migrations_for("sqlite")


def columns(path: Path, table: str) -> list[str]:
    """The column names of a table of the SQLite file at ``path``."""
    with sqlite3.connect(path) as connection:
        return [row[1] for row in connection.execute(f"PRAGMA table_info({table})")]


def applied(path: Path) -> list[tuple[int, str, str]]:
    """The rows of schema_migrations."""
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT * FROM schema_migrations ORDER BY version").fetchall()


async def test_a_new_database_gets_every_shipped_migration(tmp_path: Path) -> None:
    """Opening a fresh file applies 0001… in order and records each."""
    path = tmp_path / "new.db"
    store = await open_store(f"sqlite:///{path}")
    try:
        assert await store.schema_version() == len(SHIPPED) >= 3
    finally:
        await store.close()
    recorded = [(version, name) for version, name, _ in applied(path)]
    assert recorded[:7] == [
        (1, "jobs"),
        (2, "runs"),
        (3, "quotas_breakers_leases"),
        (4, "budget"),
        (5, "employment_type"),
        (6, "content_hash"),
        (7, "enrichment_claims"),
    ]
    assert [version for version, _ in recorded] == list(range(1, len(SHIPPED) + 1))


async def test_reopening_applies_nothing_again(tmp_path: Path) -> None:
    """A second open finds the schema current and leaves schema_migrations as it was."""
    path = tmp_path / "again.db"
    await (await open_store(f"sqlite:///{path}")).close()
    before = applied(path)

    await (await open_store(f"sqlite:///{path}")).close()

    assert applied(path) == before


async def test_jobs_view_has_a_column_per_job_field(tmp_path: Path) -> None:
    """jobs_view has exactly the Job fields and the claim (#11).

    jobs has all but the sighting columns, which job_sightings has with the digest (#16).
    """
    path = tmp_path / "cols.db"
    await (await open_store(f"sqlite:///{path}")).close()

    fields = [f.name for f in dataclasses.fields(Job)]
    assert sorted(columns(path, "jobs_view")) == sorted([*fields, *CLAIM_COLUMNS])
    assert set(columns(path, "jobs")) == set(fields) - set(SIGHTING_COLUMNS) | set(CLAIM_COLUMNS)
    assert tuple(columns(path, "job_sightings")) == SIGHTING_ROW


async def test_the_database_is_in_wal_mode(tmp_path: Path) -> None:
    """The file is switched to WAL, so readers never wait for the writer."""
    path = tmp_path / "wal.db"
    await (await open_store(f"sqlite:///{path}")).close()

    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


async def test_a_database_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    """A schema version above the newest migration raises MigrationError saying so."""
    path = tmp_path / "future.db"
    await (await open_store(f"sqlite:///{path}")).close()
    with sqlite3.connect(path) as connection:
        connection.execute("INSERT INTO schema_migrations VALUES (99, 'future', 'x')")

    with pytest.raises(MigrationError, match="version 99, newer than this JobPing"):
        await open_store(f"sqlite:///{path}")


def test_a_failing_migration_is_rolled_back_and_named() -> None:
    """A migration that fails leaves none of its statements behind; the error names it."""
    good = Migration(1, "good", "CREATE TABLE a (x INTEGER);")
    bad = Migration(2, "bad", "CREATE TABLE b (y INTEGER);\nINSERT INTO missing VALUES (1);")
    connection = sqlite3.connect(":memory:", isolation_level=None)

    with pytest.raises(MigrationError, match="0002_bad failed on test-db: no such table"):
        migrate_sqlite(connection, [good, bad], location="test-db")

    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert "a" in tables
    assert "b" not in tables
    assert connection.execute("SELECT max(version) FROM schema_migrations").fetchone() == (1,)


def test_statements_split_around_semicolons_in_strings_and_triggers() -> None:
    """Semicolons inside quotes and trigger bodies do not split a statement."""
    sql = """
        CREATE TABLE t (x TEXT);  -- a comment; with a semicolon
        CREATE TABLE log (x TEXT);
        CREATE TRIGGER t_log AFTER INSERT ON t BEGIN
            INSERT INTO log VALUES ('seen; ' || new.x);
            INSERT INTO log VALUES ('twice');
        END;
        INSERT INTO t VALUES ('a;b')
    """
    connection = sqlite3.connect(":memory:", isolation_level=None)

    assert migrate_sqlite(connection, [Migration(1, "mixed", sql)], location="test-db") == 1
    assert connection.execute("SELECT x FROM log").fetchall() == [("seen; a;b",), ("twice",)]


def test_migration_files_must_be_numbered_without_gaps(tmp_path: Path) -> None:
    """Discovery reads NNNN_name.sql in order, ignores other files, and refuses gaps."""
    (tmp_path / "0002_second.sql").write_text("SELECT 2;")
    (tmp_path / "0001_first.sql").write_text("SELECT 1;")
    (tmp_path / "README.md").write_text("notes")
    assert [m.label for m in load_migrations(tmp_path)] == ["0001_first", "0002_second"]

    (tmp_path / "0004_fourth.sql").write_text("SELECT 4;")
    with pytest.raises(MigrationError, match=r"must be 1, 2, 3 …; got \[1, 2, 4\]"):
        load_migrations(tmp_path)


def test_a_badly_named_migration_file_is_refused(tmp_path: Path) -> None:
    """A .sql file not named NNNN_name.sql raises MigrationError naming it."""
    (tmp_path / "1_first.sql").write_text("SELECT 1;")

    with pytest.raises(MigrationError, match=re.escape("'1_first.sql' is not named NNNN_name.sql")):
        load_migrations(tmp_path)


def test_pending_migrations_are_those_after_the_current_version() -> None:
    """Only the migrations newer than the database's version are pending."""
    assert pending_migrations(SHIPPED, 1) == list(SHIPPED[1:])
    assert pending_migrations(SHIPPED, len(SHIPPED)) == []


async def test_a_relative_sqlite_url_is_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """sqlite:///data.db opens data.db in the current directory; description shows the path."""
    monkeypatch.chdir(tmp_path)

    store = await open_store("sqlite:///data.db")
    await store.close()

    path = await anyio.Path(tmp_path / "data.db").resolve()
    assert store.description == f"SQLite {path}"
    assert await path.exists()


async def test_an_in_memory_store_works() -> None:
    """sqlite:///:memory: opens a migrated private database."""
    store = await open_store("sqlite:///:memory:")
    try:
        assert await store.schema_version() == len(SHIPPED)
        assert await store.count_jobs() == 0
    finally:
        await store.close()


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("mysql://user:s3cret@db.example.com/jobs", "unsupported database URL scheme 'mysql'"),
        ("sqlite:///", "needs a file path"),
    ],
)
async def test_a_url_without_an_available_backend_is_a_config_error(url: str, problem: str) -> None:
    """An unknown scheme or an empty SQLite path: ConfigError on DATABASE_URL, no password."""
    with pytest.raises(ConfigError, match=problem) as caught:
        await open_store(url)

    assert list(caught.value.problems) == ["DATABASE_URL"]
    assert "s3cret" not in str(caught.value)


async def test_a_file_that_cannot_be_opened_is_a_store_error_naming_it(tmp_path: Path) -> None:
    """A missing directory raises StoreError with the path, the sqlite3 error as cause."""
    path = tmp_path / "missing" / "jobs.db"

    with pytest.raises(
        StoreError, match=re.escape(f"cannot open the SQLite database {path}")
    ) as caught:
        await open_store(f"sqlite:///{path}")

    assert isinstance(caught.value.__cause__, sqlite3.Error)


async def test_a_file_that_is_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    """Opening a file of other content raises StoreError naming the file."""
    path = tmp_path / "notes.txt"
    path.write_bytes(b"not a database at all " * 100)

    with pytest.raises(StoreError, match=re.escape(f"{path}: file is not a database")):
        await open_store(f"sqlite:///{path}")


async def test_a_closed_store_refuses_calls_and_closes_again_quietly(tmp_path: Path) -> None:
    """After close, calls raise StoreError; a second close does nothing."""
    store = await open_store(f"sqlite:///{tmp_path / 'closed.db'}")
    await store.close()
    await store.close()

    with pytest.raises(StoreError, match="is closed"):
        await store.count_jobs()
    assert repr(store).endswith("closed.db closed>")
