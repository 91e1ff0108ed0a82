from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import respx

from jobping.store import SchemaStatus
from tests.helpers import run_cli
from tests.store.conftest import postgres_admin, postgres_schema, postgres_url  # noqa: F401

LABELS = [migration.label for migration in SchemaStatus.of("SQLite", 0, "sqlite").migrations]
KEY = "service-role-SENTINEL-db-5f1e"
SUPABASE = "http://127.0.0.1:54321"


def test_status_of_a_missing_database_says_so_and_changes_nothing(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """db status on a missing file: exit 2 naming how to create it, no file made (#10).

    It used to answer version 0 with every migration pending (exit 1).
    """
    code, out, err = run_cli(["db", "status", "--json"], capsys)

    assert code == 2
    assert out == ""
    assert "jobping db migrate" in err
    assert not database.exists()


def test_status_of_an_empty_database_lists_every_migration(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """db status --json on an existing file with no schema: version 0, all pending, exit 1."""
    sqlite3.connect(database).close()
    code, out, _ = run_cli(["db", "status", "--json"], capsys)

    assert code == 1
    assert json.loads(out) == {
        "backend": f"SQLite {database}",
        "version": 0,
        "latest": len(LABELS),
        "pending": LABELS,
    }


def test_migrate_applies_the_missing_migrations_once(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """db migrate applies everything and says so; a second run has nothing to apply."""
    code, out, err = run_cli(["db", "migrate", "--json"], capsys)
    first = json.loads(out)
    again_code, again, _ = run_cli(["db", "migrate"], capsys)
    status_code, status, _ = run_cli(["db", "status"], capsys)

    assert code == 0, err
    assert (first["from_version"], first["version"], first["applied"]) == (0, len(LABELS), LABELS)
    assert first["pending"] == []
    assert again_code == 0
    assert f"schema version {len(LABELS)}, nothing to apply" in again
    assert status_code == 0
    assert "up to date" in status


def test_status_of_a_schema_newer_than_the_code_is_a_store_error(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A version above the newest migration: exit 5 and a message saying to upgrade."""
    run_cli(["db", "migrate"], capsys)
    with sqlite3.connect(database) as connection:
        connection.execute("INSERT INTO schema_migrations VALUES (99, 'future', 'x')")

    code, out, err = run_cli(["db", "status"], capsys)

    assert code == 5
    assert out == ""
    assert "version 99, newer than this JobPing" in err


@pytest.mark.postgres
def test_migrate_and_status_on_postgres_never_show_the_password(
    postgres_url: str,  # noqa: F811 (the fixture imported above)
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """db migrate then db status on a fresh PostgreSQL schema; the URL's password stays out."""
    url = postgres_url.replace("postgres@", "postgres:pw-SENTINEL-db@")  # trust auth ignores it
    monkeypatch.setenv("DATABASE_URL", url)

    code, out, err = run_cli(["db", "migrate"], capsys)
    status_code, status, _ = run_cli(["db", "status", "--json"], capsys)

    assert code == 0, err
    assert "PostgreSQL postgres@127.0.0.1:5432/test: applied 0001_jobs" in out
    assert status_code == 0
    assert json.loads(status)["pending"] == []
    assert "pw-SENTINEL-db" not in out + err + status


@pytest.fixture
def supabase(monkeypatch: pytest.MonkeyPatch) -> Iterator[respx.MockRouter]:
    """DATABASE_URL=supabase on a mocked project whose schema lacks the last migration."""
    monkeypatch.setenv("DATABASE_URL", "supabase")
    monkeypatch.setenv("SUPABASE_URL", SUPABASE)
    monkeypatch.setenv("SUPABASE_SERVICE_ROLE_KEY", KEY)
    with respx.mock(base_url=f"{SUPABASE}/rest/v1") as router:
        router.get("/schema_migrations").respond(200, json=[{"version": len(LABELS) - 1}])
        yield router


def test_status_on_supabase_lists_what_the_project_lacks(
    supabase: respx.MockRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    """db status reads schema_migrations through the REST API; the key is never printed."""
    code, out, err = run_cli(["db", "status"], capsys)

    assert code == 1
    assert f"Supabase {SUPABASE}: schema version {len(LABELS) - 1} of {len(LABELS)}" in out
    assert LABELS[-1] in out
    assert KEY not in out + err


def test_migrate_on_supabase_says_how_to_apply_the_files(
    supabase: respx.MockRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    """The REST API cannot migrate: exit 5 naming the missing files and both ways to apply."""
    code, out, err = run_cli(["db", "migrate"], capsys)

    assert code == 5
    assert out == ""
    assert f"lacks migrations {LABELS[-1]}" in err
    assert "postgresql:// connection string" in err
    assert "SQL editor" in err
    assert KEY not in err
