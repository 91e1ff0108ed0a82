"""PostgreSQL only: the migrations, the jobs table's shape, and the indexes the queries use."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.sql import SQL, Literal

from jobping.errors import MigrationError
from jobping.models import Job
from jobping.store import open_store, schema_status
from jobping.store._migrate import migrations_for
from jobping.store._rows import CLAIM_COLUMNS, SIGHTING_COLUMNS, SIGHTING_ROW
from jobping.store.postgres import _sql as sql
from tests.store import NOW
from tests.store.conftest import create_schema, postgres_url_for

pytestmark = [pytest.mark.anyio, pytest.mark.postgres]

SHIPPED = migrations_for("postgres")
MIGRATIONS = Path(__file__).parents[3] / "jobping" / "store" / "migrations"
Admin = psycopg.Connection[tuple[Any, ...]]


@pytest.fixture
def admin(postgres_schema: str) -> Iterator[Admin]:
    """A plain connection to the test schema, for looking at what the store made."""
    with psycopg.connect(postgres_url_for(postgres_schema), autocommit=True) as connection:
        yield connection


def test_the_postgres_migrations_mirror_the_sqlite_ones() -> None:
    """Both dialects ship the same numbered migrations, by the same names."""
    assert [m.label for m in SHIPPED] == [m.label for m in migrations_for("sqlite")]


async def test_a_new_schema_gets_every_migration_and_reopening_applies_none(
    postgres_url: str, admin: Admin
) -> None:
    """Opening applies 0001… in order, each file recording itself; a reopen changes nothing."""
    await (await open_store(postgres_url)).close()
    query = "SELECT version, name, applied_at FROM schema_migrations ORDER BY version"
    first = admin.execute(query).fetchall()

    await (await open_store(postgres_url)).close()

    assert [(version, name) for version, name, _ in first] == [(m.version, m.name) for m in SHIPPED]
    assert admin.execute(query).fetchall() == first


async def test_files_applied_by_hand_count_as_migrated(postgres_url: str, admin: Admin) -> None:
    """The SQL files run as a Supabase user runs them (in order, no runner) leave it current."""
    files = sorted((MIGRATIONS / "postgres").glob("*.sql"))
    assert len(files) == len(SHIPPED)
    for path in files:
        admin.execute(path.read_text(encoding="utf-8"))

    status = await schema_status(postgres_url)
    store = await open_store(postgres_url)
    await store.close()

    assert (status.version, status.pending) == (len(SHIPPED), [])
    assert status.backend == "PostgreSQL postgres@127.0.0.1:5432/test"


async def test_schema_status_reads_without_migrating(postgres_url: str, admin: Admin) -> None:
    """schema_status of an empty schema is version 0 with every migration pending."""
    status = await schema_status(postgres_url)

    assert status.version == 0
    assert status.pending == [m.label for m in SHIPPED]
    assert admin.execute("SELECT to_regclass('schema_migrations')").fetchone() == (None,)


async def test_a_schema_newer_than_the_code_is_refused(postgres_url: str, admin: Admin) -> None:
    """A recorded version above the newest migration raises MigrationError saying so."""
    await (await open_store(postgres_url)).close()
    admin.execute("INSERT INTO schema_migrations (version, name) VALUES (99, 'future')")

    with pytest.raises(MigrationError, match="version 99, newer than this JobPing"):
        await open_store(postgres_url)


async def test_a_failing_migration_rolls_the_whole_upgrade_back_and_is_named(
    postgres_url: str, admin: Admin
) -> None:
    """The pending migrations apply in one transaction: one failing leaves none behind."""
    admin.execute("CREATE TABLE runs (taken text)")  # 0002 will fail to create it

    with pytest.raises(MigrationError, match=r'0002_runs failed on .*"runs" already exists'):
        await open_store(postgres_url)

    assert admin.execute("SELECT to_regclass('schema_migrations')").fetchone() == (None,)
    assert admin.execute("SELECT to_regclass('jobs')").fetchone() == (None,)


def column_types(admin: Admin, table: str) -> dict[str, str]:
    """The columns of a table or view of the test schema, with their types."""
    rows = admin.execute(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = %s",
        (table,),
    ).fetchall()
    return {str(name): str(data_type) for name, data_type in rows}


async def test_jobs_view_keeps_the_supabase_columns(postgres_url: str, admin: Admin) -> None:
    """jobs_view has every Job field, plus id and the claim (#11); the sightings are apart (#16).

    The jobs table has all but the sighting columns, which job_sightings has with the digest.
    """
    await (await open_store(postgres_url)).close()
    types = column_types(admin, "jobs_view")
    unique = admin.execute(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'jobs_job_hash_key'"
    ).fetchone()

    assert set(types) == {f.name for f in dataclasses.fields(Job)} | {"id", *CLAIM_COLUMNS}
    assert set(column_types(admin, "jobs")) == set(types) - set(SIGHTING_COLUMNS)
    assert tuple(column_types(admin, "job_sightings")) == SIGHTING_ROW
    assert types["last_seen_at"] == "timestamp with time zone"
    options = admin.execute(
        "SELECT reloptions, current_setting('server_version_num')::integer >= 150000"
        " FROM pg_class WHERE oid = 'jobs_view'::regclass"
    ).fetchone()
    assert options in ((["security_invoker=true"], True), (None, False))  # RLS of jobs applies
    assert types["enrichment_claim_expires_at"] == "timestamp with time zone"
    assert types["posted_at"] == types["created_at"] == "timestamp with time zone"
    assert types["categories"] == types["language_requirements"] == "ARRAY"
    assert types["is_active"] == "boolean"
    assert unique == ("UNIQUE (job_hash)",)


@pytest.fixture(scope="module")
def filled(postgres_admin: Admin) -> Iterator[Admin]:
    """A schema of 4,000 jobs (four sources, six days of sightings) and 50 runs, analyzed.

    ``enable_seqscan`` is off: on a table this small the planner may prefer a sequential
    scan, and the point is whether the query can use its index.
    """
    schema = create_schema(postgres_admin)
    with psycopg.connect(postgres_url_for(schema), autocommit=True) as connection:
        for path in sorted((MIGRATIONS / "postgres").glob("*.sql")):
            connection.execute(path.read_text(encoding="utf-8"))
        for statement in FILL:
            connection.execute(statement, {"now": NOW})
        connection.execute("ANALYZE")
        connection.execute("SET enable_seqscan = off")
        yield connection
    postgres_admin.execute(f"DROP SCHEMA {schema} CASCADE")


FILL = (
    """
    INSERT INTO jobs (job_hash, title, company, job_url, source, posted_at)
    SELECT 'hash-' || n, 'Engineer', 'Acme', 'https://jobs.example.com/' || n,
        (ARRAY['greenhouse', 'lever', 'ashby', 'workable'])[mod(n, 4) + 1],
        %(now)s - n * interval '1 minute'
    FROM generate_series(1, 4000) AS n""",
    """
    INSERT INTO job_sightings (job_hash, last_seen_at)
    SELECT 'hash-' || n, %(now)s - mod(n, 6) * interval '1 day'
    FROM generate_series(1, 4000) AS n""",
    """
    INSERT INTO runs (run_id, started_at, status)
    SELECT 'run-' || n, %(now)s + n * interval '1 hour', 'success'
    FROM generate_series(1, 50) AS n""",
)


@pytest.mark.parametrize(
    ("query", "params", "index"),
    [
        (sql.RECENT_ACTIVE_JOBS, (NOW - timedelta(days=1), ["hash-1"], 50), "jobs_backfill"),
        (sql.RECENT_RUNS, (20,), "runs_history"),
        (sql.BACKLOG, (3, 20), "jobs_backlog"),
    ],
    ids=["backfill", "run history", "enrichment backlog"],
)
def test_the_orchestrator_queries_use_their_indexes(
    filled: Admin, query: str, params: tuple[object, ...], index: str
) -> None:
    """EXPLAIN of the very statements the store runs names the index made for each."""
    plan = "\n".join(str(row[0]) for row in filled.execute("EXPLAIN " + query, params))

    assert index in plan


def test_deactivation_uses_its_index(filled: Admin) -> None:
    """EXPLAIN of the body of jobping_deactivate_stale (as the store calls it) names its index."""
    body = filled.execute(
        "SELECT prosrc FROM pg_proc WHERE proname = 'jobping_deactivate_stale'"
        " AND pronamespace = current_schema()::regnamespace"
    ).fetchone()
    assert body is not None
    statement = str(body[0]).replace("p_source", "$1").replace("p_last_seen_before", "$2")
    filled.execute(f"PREPARE deactivate (text, timestamptz) AS {statement}")
    cutoff = Literal(NOW - timedelta(days=3))
    rows = filled.execute(SQL("EXPLAIN EXECUTE deactivate ('lever', {})").format(cutoff))

    assert "jobs_deactivation" in "\n".join(str(row[0]) for row in rows)
