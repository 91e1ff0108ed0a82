"""Benchmark: batched ``upsert_jobs`` against row-by-row upserts, in the same run.

Usage: ``.venv/bin/python scripts/bench/store.py [--jobs 100000] [--batch 500] [--naive 5000]
[--rounds 3] [--postgres URL | --no-postgres]``

For each backend, each measurement writes into a fresh database (SQLite: a temporary file,
WAL, synchronous=NORMAL; PostgreSQL: a temporary schema on ``--postgres``, default
``$JOBPING_BENCH_POSTGRES_URL`` or the local test server, dropped afterwards):

1. batched: ``--jobs`` new jobs through ``upsert_jobs`` in batches of ``--batch``;
2. batched again: the same jobs seen again (all unchanged, ``last_seen_at`` refreshed: the
   content digest marks them seen in one statement per batch, writing only their narrow
   ``job_sightings`` rows), and its ratio to 1. (the goal of #16: at least 3x). The jobs of
   this pass are new Job objects equal to those of 1., built again as a run would parse
   them: no object of 1. is reused. Both passes' jobs are built before their timing starts;
3. row-by-row, the naive way: one ``upsert_jobs([job])`` call, so one transaction, per job.
   Time-boxed: only the first ``--naive`` jobs are measured.

1. and 2. run ``--rounds`` times, each round on a fresh database; the medians are printed,
and the re-seen / new ratio of every round beside their median.

On PostgreSQL a batch is one ``INSERT ... SELECT FROM jsonb_populate_recordset(...)`` (the
whole batch as one parameter) plus the locking compare and the refresh of the known rows.
As a reference for that design, the raw bulk path is measured too: for ``jobs`` and then
``job_sightings``, COPY into a temporary table, then ``INSERT ... ON CONFLICT (job_hash) DO
NOTHING`` (psycopg directly, new jobs only, no new/updated/unchanged counts).
"""

from __future__ import annotations

import argparse
import itertools
import os
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import anyio
import psycopg

from jobping.models import Job, WorkEnvironment
from jobping.store import Store, open_store
from jobping.store._rows import SIGHTING_ROW, WRITTEN_COLUMNS, job_rows

_DESCRIPTION = "We are looking for an engineer to build and run data pipelines. " * 12
_START = datetime(2026, 11, 1, tzinfo=UTC)
_POSTGRES = os.environ.get(
    "JOBPING_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def _jobs(count: int) -> list[Job]:
    return [
        Job(
            job_hash=f"{n:040x}",
            title=f"Data Engineer {n}",
            company=f"Company {n % 997}",
            job_url=f"https://boards.example.com/jobs/{n}",
            source="greenhouse",
            source_id=str(n),
            location="Berlin, Germany",
            city="Berlin",
            country="DE",
            description=_DESCRIPTION,
            work_environment=WorkEnvironment.HYBRID,
            categories=("data", "engineering"),
            posted_at=_START + timedelta(minutes=n),
            scrape_timestamp=_START,
            salary_min=60_000.0,
            salary_max=80_000.0,
            salary_currency="EUR",
        )
        for n in range(count)
    ]


async def _batched(store: Store, jobs: Sequence[Job], batch: int, seen_at: datetime) -> float:
    started = time.perf_counter()
    for first in range(0, len(jobs), batch):
        await store.upsert_jobs(jobs[first : first + batch], seen_at=seen_at)
    return time.perf_counter() - started


async def _row_by_row(store: Store, jobs: Sequence[Job]) -> float:
    started = time.perf_counter()
    for job in jobs:
        await store.upsert_jobs([job], seen_at=_START)
    return time.perf_counter() - started


def _line(label: str, count: int, seconds: float) -> float:
    rate = count / seconds
    print(f"{label:<52} {count:>8,} jobs in {seconds:7.2f} s = {rate:>9,.0f} jobs/s")
    return rate


async def _compare(
    urls: AsyncIterator[str], count: int, batch: int, naive: int, rounds: int
) -> float:
    """``rounds`` fresh databases, each batched twice; row by row on another; batched rate.

    The second batched pass gets jobs equal to the first's but built anew (as parsed again).
    Each round's re-seen / new ratio is printed, then their median (a busy machine moves the
    single passes; the rounds show by how much).
    """
    firsts, agains, ratios = [], [], []
    for _ in range(rounds):
        jobs, again_jobs = _jobs(count), _jobs(count)
        store = await open_store(await anext(urls))
        firsts.append(await _batched(store, jobs, batch, _START))
        agains.append(await _batched(store, again_jobs, batch, _START + timedelta(hours=1)))
        await store.close()
        ratios.append(firsts[-1] / agains[-1])
    store = await open_store(await anext(urls))
    slow = await _row_by_row(store, _jobs(naive))
    await store.close()
    batched = _line(
        f"batched upsert ({batch} per transaction), new (median)", count, statistics.median(firsts)
    )
    _line("batched upsert again (all unchanged, median)", count, statistics.median(agains))
    rounds_text = ", ".join(f"{ratio:.1f}x" for ratio in ratios)
    print(f"re-seen unchanged / new: {statistics.median(ratios):.1f}x (rounds: {rounds_text})")
    rowwise = _line(f"row by row (1 transaction per job, first {naive:,})", naive, slow)
    print(f"batched / row by row: {batched / rowwise:.1f}x")
    return batched


async def _sqlite_urls(directory: str) -> AsyncIterator[str]:
    for number in itertools.count():
        yield f"sqlite:///{Path(directory) / str(number)}.db"


@asynccontextmanager
async def _postgres_schemas(server: str) -> AsyncIterator[AsyncIterator[str]]:
    """Fresh schemas on ``server`` (URLs with their search_path), all dropped at the end."""
    made: list[str] = []

    async def urls() -> AsyncIterator[str]:
        while True:
            schema = f"jobping_bench_{uuid.uuid4().hex[:12]}"
            async with await psycopg.AsyncConnection.connect(server, autocommit=True) as admin:
                await admin.execute(f"CREATE SCHEMA {schema}")
            made.append(schema)
            separator = "&" if "?" in server else "?"
            yield f"{server}{separator}options={quote(f'-csearch_path={schema}')}"

    try:
        yield urls()
    finally:
        async with await psycopg.AsyncConnection.connect(server, autocommit=True) as admin:
            for schema in made:
                await admin.execute(f"DROP SCHEMA {schema} CASCADE")


_RAW_TABLES = (("jobs", (*WRITTEN_COLUMNS, "created_at")), ("job_sightings", SIGHTING_ROW))


async def _raw_copy(url: str, jobs: Sequence[Job], batch: int) -> float:
    """Per batch and table (jobs, job_sightings): COPY into a temporary table, then INSERT.

    ``INSERT ... ON CONFLICT DO NOTHING``, one transaction per batch.
    """
    store = await open_store(url)  # the schema
    await store.close()
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as connection:
        started = time.perf_counter()
        for first in range(0, len(jobs), batch):
            rows = job_rows(jobs[first : first + batch], seen_at=_START).values()
            async with connection.transaction():
                for table, names in _RAW_TABLES:
                    columns = ", ".join(names)
                    await connection.execute(
                        f"CREATE TEMP TABLE incoming ON COMMIT DROP AS"  # noqa: S608 (constants)
                        f" SELECT {columns} FROM {table} WITH NO DATA"
                    )
                    async with connection.cursor().copy(
                        f"COPY incoming ({columns}) FROM STDIN"
                    ) as copy:
                        for row in rows:
                            await copy.write_row([row[name] for name in names])
                    await connection.execute(
                        f"INSERT INTO {table} ({columns}) SELECT {columns} FROM incoming"  # noqa: S608
                        " ORDER BY job_hash ON CONFLICT (job_hash) DO NOTHING"
                    )
                    await connection.execute("DROP TABLE incoming")
        return time.perf_counter() - started


async def _main(count: int, batch: int, naive: int, rounds: int, postgres: str | None) -> None:
    print(f"SQLite {sqlite3.sqlite_version}, WAL, synchronous=NORMAL; {count:,} jobs of ~1 KB")
    with tempfile.TemporaryDirectory() as directory:
        await _compare(_sqlite_urls(directory), count, batch, naive, rounds)
    if postgres is None:
        return
    async with await psycopg.AsyncConnection.connect(postgres, autocommit=True) as connection:
        version = (await (await connection.execute("SHOW server_version")).fetchone() or ("?",))[0]
    print(f"\nPostgreSQL {version}, a fresh schema per measurement; {count:,} jobs of ~1 KB")
    async with _postgres_schemas(postgres) as urls:
        batched = await _compare(urls, count, batch, naive, rounds)
        raw = _line(
            "reference: COPY + INSERT ON CONFLICT, new (no counts)",
            count,
            await _raw_copy(await anext(urls), _jobs(count), batch),
        )
    print(f"store's batched upsert / raw COPY: {batched / raw:.2f}x")


def main() -> None:
    """Parse the options and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--jobs", type=int, default=100_000, help="jobs to upsert in batches")
    parser.add_argument("--batch", type=int, default=500, help="jobs per upsert_jobs call")
    parser.add_argument("--naive", type=int, default=5_000, help="jobs upserted one by one")
    parser.add_argument(
        "--rounds", type=int, default=3, help="fresh databases, new then re-seen, each (3)"
    )
    parser.add_argument("--postgres", default=_POSTGRES, help="PostgreSQL server URL")
    parser.add_argument("--no-postgres", action="store_true", help="measure SQLite only")
    args = parser.parse_args()
    postgres = None if args.no_postgres else args.postgres
    anyio.run(_main, args.jobs, args.batch, min(args.naive, args.jobs), args.rounds, postgres)


if __name__ == "__main__":
    main()
