"""Sightings apart from the jobs rows (#16, migration 10), on every backend.

A job seen again unchanged writes only its narrow ``job_sightings`` row: these tests watch the
``jobs`` row behind the store's back (SQLite: a trigger counting its updates; PostgreSQL: the
row's ``xmin``, which every new version of it changes) while ``last_seen_at`` moves.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from jobping.store import Store, UpsertResult, open_store
from jobping.store._migrate import migrate_sqlite, migrations_for
from jobping.store._query import JobFilter
from jobping.store._rows import content_hash
from jobping.store.sqlite._connection import to_text
from tests.helpers import opened_store
from tests.store import NOW, build_job, execute

pytestmark = pytest.mark.anyio

LATER = NOW + timedelta(hours=6)
_COUNT_WRITES = (
    "CREATE TABLE jobs_writes (job_hash TEXT)",
    "CREATE TRIGGER jobs_written AFTER UPDATE ON jobs"
    " BEGIN INSERT INTO jobs_writes VALUES (new.job_hash); END",
)


def watch_jobs_rows(store_url: str) -> None:
    """On SQLite, count every later update of a jobs row (PostgreSQL needs nothing: xmin)."""
    if store_url.startswith("sqlite:///"):
        with sqlite3.connect(store_url.removeprefix("sqlite:///")) as connection:
            for statement in _COUNT_WRITES:
                connection.execute(statement)


def jobs_row_version(store_url: str, job_hash: str) -> object:
    """What changes when the jobs row is written: its updates so far (SQLite), its xmin (PG)."""
    rows = execute(
        store_url,
        "SELECT count(*) FROM jobs_writes WHERE job_hash = ?",
        "SELECT xmin::text FROM jobs WHERE job_hash = %s",
        job_hash,
    )
    return rows[0][0]


async def test_an_unchanged_job_seen_again_leaves_its_jobs_row_unwritten(
    store: Store, store_url: str
) -> None:
    """Seen again unchanged (a new, equal Job): its sighting moves, its jobs row is not written.

    A changed job, seen next, writes it: the watch would see a write.
    """
    job = build_job(1, scraper_run_id="run-1", scrape_timestamp=NOW)
    await store.upsert_jobs([job], seen_at=NOW)
    watch_jobs_rows(store_url)
    before = jobs_row_version(store_url, job.job_hash)

    again = build_job(1, scraper_run_id="run-2", scrape_timestamp=LATER)
    result = await store.upsert_jobs([again], seen_at=LATER)

    assert result == UpsertResult(unchanged=1)
    assert jobs_row_version(store_url, job.job_hash) == before
    stored = await store.get_job(job.job_hash)
    assert stored is not None
    assert (stored.last_seen_at, stored.scrape_timestamp, stored.scraper_run_id) == (
        LATER,
        LATER,
        "run-2",
    )
    changed = dataclasses.replace(again, title="Staff Engineer 1")
    assert await store.upsert_jobs([changed], seen_at=LATER) == UpsertResult(updated=1)
    assert jobs_row_version(store_url, job.job_hash) != before


async def test_an_inactive_job_seen_again_unchanged_is_active_again(store: Store) -> None:
    """The digest path still reactivates: deactivated, then seen unchanged, it is active."""
    job = build_job(1)
    await store.upsert_jobs([job], seen_at=NOW)
    assert await store.deactivate_stale(source=job.source, last_seen_before=LATER) == 1
    assert await store.count_jobs(active_only=True) == 0

    result = await store.upsert_jobs([build_job(1)], seen_at=LATER)

    assert result == UpsertResult(unchanged=1)
    stored = await store.get_job(job.job_hash)
    assert stored is not None and (stored.is_active, stored.last_seen_at) == (True, LATER)
    assert await store.deactivate_stale(source=job.source, last_seen_before=LATER) == 0


async def test_deactivation_reads_last_seen_at_from_the_sightings(store: Store) -> None:
    """Only the active jobs of the source last seen before the cutoff are deactivated."""
    await store.upsert_jobs([build_job(1), build_job(2)], seen_at=NOW)
    await store.upsert_jobs([build_job(2), build_job(3, source="lever")], seen_at=LATER)

    count = await store.deactivate_stale(source="greenhouse", last_seen_before=LATER)

    assert count == 1
    active = {job.job_hash async for job in store.iter_jobs(JobFilter(active=True))}
    assert active == {"hash-000002", "hash-000003"}


# build_job(1) as a version 9 store held it, with a digest of another algorithm.
_OLD_ROW = {
    "job_hash": "hash-000001",
    "title": "Engineer 1",
    "company": "Acme",
    "job_url": "https://jobs.example.com/1",
    "source": "greenhouse",
    "posted_at": NOW - timedelta(minutes=1),
    "created_at": NOW,
    "last_seen_at": NOW,
    "scrape_timestamp": NOW,
    "scraper_run_id": "run-0",
    "content_hash": "an-old-digest",
}


async def test_migration_10_moves_the_sightings_of_sqlite_rows(tmp_path: Path) -> None:
    """Rows stored at version 9 keep their sighting and digest in job_sightings."""
    path = tmp_path / "old.db"
    connection = sqlite3.connect(path, isolation_level=None)
    migrate_sqlite(connection, migrations_for("sqlite")[:9], location="old")
    row = {name: to_text(v) if isinstance(v, datetime) else v for name, v in _OLD_ROW.items()}
    connection.execute(
        f"INSERT INTO jobs ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",  # noqa: S608
        tuple(row.values()),
    )
    connection.close()

    async with opened_store(f"sqlite:///{path}") as store:
        await _assert_moved(store, f"sqlite:///{path}")


@pytest.mark.postgres
async def test_migration_10_moves_the_sightings_of_postgres_rows(postgres_url: str) -> None:
    """Rows stored at version 9 keep their sighting and digest in job_sightings."""
    folder = Path(__file__).parents[2] / "jobping" / "store" / "migrations" / "postgres"
    row = _OLD_ROW
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        for path in sorted(folder.glob("000*.sql")):
            connection.execute(path.read_text(encoding="utf-8"))
        connection.execute(
            f"INSERT INTO jobs ({', '.join(row)}) VALUES ({', '.join(['%s'] * len(row))})",  # noqa: S608
            tuple(row.values()),
        )

    store = await open_store(postgres_url)
    try:
        await _assert_moved(store, postgres_url)
    finally:
        await store.close()


async def _assert_moved(store: Store, store_url: str) -> None:
    """The job reads back whole; its digest moved; seen again, it is compared and unchanged."""
    assert await store.schema_version() == 10
    stored = await store.get_job("hash-000001")
    assert stored is not None
    assert (stored.last_seen_at, stored.scrape_timestamp, stored.scraper_run_id) == (
        NOW,
        NOW,
        "run-0",
    )
    digest = "SELECT content_hash FROM job_sightings"
    assert execute(store_url, digest, digest) == [("an-old-digest",)]
    job = build_job(1)
    assert await store.upsert_jobs([job], seen_at=LATER) == UpsertResult(unchanged=1)
    assert execute(store_url, digest, digest) == [(content_hash(job),)]
