"""Benchmark: batched ``upsert_jobs`` against row-by-row upserts, in the same run.

Usage: ``.venv/bin/python scripts/bench/store.py [--jobs 100000] [--batch 500] [--naive 5000]``

Each measurement writes into a fresh temporary SQLite file (WAL, synchronous=NORMAL):
1. batched: ``--jobs`` new jobs through ``upsert_jobs`` in batches of ``--batch``;
2. batched again: the same jobs seen again (all unchanged, ``last_seen_at`` refreshed);
3. row-by-row, the naive way: one ``upsert_jobs([job])`` call, so one transaction, per job.
   Time-boxed: only the first ``--naive`` jobs are measured.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio

from jobping.models import Job, WorkEnvironment
from jobping.store import Store, open_store

_DESCRIPTION = "We are looking for an engineer to build and run data pipelines. " * 12
_START = datetime(2026, 11, 1, tzinfo=UTC)


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
    print(f"{label:<44} {count:>8,} jobs in {seconds:7.2f} s = {rate:>9,.0f} jobs/s")
    return rate


async def _main(count: int, batch: int, naive: int) -> None:
    jobs = _jobs(count)
    print(f"SQLite {sqlite3.sqlite_version}, WAL, synchronous=NORMAL; {count:,} jobs of ~1 KB")
    with tempfile.TemporaryDirectory() as directory:
        store = await open_store(f"sqlite:///{Path(directory) / 'batched.db'}")
        first = await _batched(store, jobs, batch, _START)
        again = await _batched(store, jobs, batch, _START + timedelta(hours=1))
        await store.close()
        store = await open_store(f"sqlite:///{Path(directory) / 'naive.db'}")
        slow = await _row_by_row(store, jobs[:naive])
        await store.close()
    batched = _line(f"batched upsert ({batch} per transaction), new", count, first)
    _line("batched upsert again (all unchanged)", count, again)
    rowwise = _line(f"row by row (1 transaction per job, first {naive:,})", naive, slow)
    print(f"batched / row by row: {batched / rowwise:.1f}x")


def main() -> None:
    """Parse the options and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--jobs", type=int, default=100_000, help="jobs to upsert in batches")
    parser.add_argument("--batch", type=int, default=500, help="jobs per upsert_jobs call")
    parser.add_argument("--naive", type=int, default=5_000, help="jobs upserted one by one")
    args = parser.parse_args()
    anyio.run(_main, args.jobs, args.batch, min(args.naive, args.jobs))


if __name__ == "__main__":
    main()
