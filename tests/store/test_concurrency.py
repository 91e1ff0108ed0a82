"""Several OS processes on one database at once: no duplicate, no error, no overrun."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest

from jobping.store import Store, open_store
from jobping.store._migrate import migrations_for
from tests.helpers import opened_store
from tests.processes import run_workers
from tests.store import NOW, build_job

pytestmark = pytest.mark.anyio

SHIPPED = migrations_for("sqlite")

# Each worker: imports, says "ready", waits for "go" on stdin, opens the store (so the
# openers race on migrations too), runs one operation and prints its JSON result.
WORKER = """
import json, sys
from datetime import UTC, datetime
import anyio
from jobping.models import Job
from jobping.store import QuotaWindow, open_store

NOW = datetime.fromisoformat(sys.argv[2])

async def upsert(store, first, last, title="t"):
    jobs = [
        Job(job_hash=f"hash-{n:06d}", title=title, company="c", job_url=f"/{n}", source="s")
        for n in range(int(first), int(last))
    ]
    total = [0, 0, 0]
    for start in range(0, len(jobs), 500):
        result = await store.upsert_jobs(jobs[start : start + 500], seen_at=NOW)
        total = [a + b for a, b in zip(total, (result.new, result.updated, result.unchanged))]
    return total

async def consume(store, attempts):
    windows = [QuotaWindow("day:2026-11-23", 500), QuotaWindow("month:2026-11", 10_000)]
    granted = 0
    for _ in range(int(attempts)):
        granted += await store.consume_quota("a.example", windows, 1, now=NOW)
    return granted

async def lease(store, holder):
    return await store.acquire_lease("run", holder, ttl_seconds=300, now=NOW) is not None

async def claim(store, holder):
    claimed = []
    while batch := await store.claim_enrichment(holder, limit=7, ttl_seconds=600, now=NOW):
        claimed += [job.job_hash for job in batch]
    return claimed

async def mark(store, first, last):
    hashes = [f"hash-{n:06d}" for n in range(int(first), int(last))]
    marked = 0
    for start in range(0, len(hashes), 500):
        marked += await store.mark_jobs_seen(hashes[start : start + 500], seen_at=NOW, run_id="r")
    return marked

async def version(store):
    return await store.schema_version()

async def main(url, now, operation, *args):
    print("ready", flush=True)
    sys.stdin.readline()
    store = await open_store(url)
    try:
        result = await globals()[operation](store, *args)
    finally:
        await store.close()
    print(json.dumps(result), flush=True)

anyio.run(main, *sys.argv[1:])
"""


def worker(url: str) -> list[str]:
    """The worker program on the database at ``url``; each argv names an operation."""
    return ["-c", WORKER, url, NOW.isoformat()]


async def test_processes_opening_a_new_database_at_once_all_succeed(store_url: str) -> None:
    """Four processes opening a fresh database together all succeed on the latest schema."""
    versions = await run_workers(worker(store_url), [["version"]] * 4)

    async with opened_store(store_url) as store:
        assert versions == [await store.schema_version()] * 4


async def test_two_processes_upserting_overlapping_batches_leave_no_duplicate(
    store_url: str,
) -> None:
    """Jobs 0-8,000 and 2,000-10,000 upserted at once: 10,000 rows, each new exactly once."""
    first, second = await run_workers(
        worker(store_url), [["upsert", "0", "8000"], ["upsert", "2000", "10000"]]
    )

    assert first[0] + second[0] == 10_000  # new
    assert first[1] + second[1] == 0  # updated
    assert first[2] + second[2] == 6_000  # unchanged: the overlap, seen second by one of them
    async with opened_store(store_url) as store:
        assert await store.count_jobs() == 10_000


async def test_changed_unchanged_and_marked_seen_at_once_count_each_job_exactly_once(
    store_url: str,
) -> None:
    """On 10,000 stored jobs at once: 0-8,000 changed, 2,000-10,000 as stored, all marked seen.

    The digest path (sightings locked first) and the full compare (jobs rows) of concurrent
    upserts neither deadlock nor miscount (#16): the changer updates all its jobs; the other
    finds each either as stored (unchanged) or as changed (updated), never new.
    """
    await run_workers(worker(store_url), [["upsert", "0", "10000"]])

    changer, keeper, marker = await run_workers(
        worker(store_url),
        [
            ["upsert", "0", "8000", "changed"],
            ["upsert", "2000", "10000"],
            ["mark", "0", "10000"],
        ],
    )

    assert changer == [0, 8_000, 0]
    assert keeper[0] == 0 and keeper[1] + keeper[2] == 8_000
    assert keeper[1] <= 6_000  # only the overlap can have changed under it
    assert marker == 10_000
    async with opened_store(store_url) as store:
        assert await store.count_jobs() == 10_000


async def test_four_processes_consuming_one_quota_get_exactly_the_limit(store_url: str) -> None:
    """800 single-unit requests from four processes against a limit of 500: 500 granted."""
    granted = await run_workers(worker(store_url), [["consume", "200"]] * 4)

    assert sum(granted) == 500
    async with opened_store(store_url) as store:
        assert await store.quota_used("a.example", "day:2026-11-23") == 500
        assert await store.quota_used("a.example", "month:2026-11") == 500


async def test_processes_racing_for_the_lease_leave_exactly_one_holder(store_url: str) -> None:
    """Four processes acquire the same free lease at once: exactly one wins and holds it."""
    won = await run_workers(worker(store_url), [["lease", f"worker-{n}"] for n in range(4)])

    assert won.count(True) == 1
    async with opened_store(store_url) as store:
        holder = await store.lease_holder("run", now=NOW)
    assert holder is not None
    assert holder[0] == f"worker-{won.index(True)}"


async def test_processes_claiming_the_backlog_at_once_get_disjoint_sets(store_url: str) -> None:
    """Four processes claiming 7 at a time until nothing is left: 300 jobs, each claimed once."""
    async with opened_store(store_url) as store:
        await store.upsert_jobs([build_job(n) for n in range(300)], seen_at=NOW)

    claimed = await run_workers(worker(store_url), [["claim", f"worker-{n}"] for n in range(4)])

    every = [job_hash for part in claimed for job_hash in part]
    assert len(every) == len(set(every)) == 300


async def test_stores_opened_at_once_on_a_new_file_all_open(tmp_path: Path) -> None:
    """Six connections racing to create, switch to WAL and migrate one file all succeed."""
    for round_ in range(30):
        url = f"sqlite:///{tmp_path / f'race-{round_}.db'}"
        stores: list[Store] = []

        async def open_one(url: str = url, stores: list[Store] = stores) -> None:
            stores.append(await open_store(url))

        async with anyio.create_task_group() as group:
            for _ in range(6):
                group.start_soon(open_one)
        assert [await store.schema_version() for store in stores] == [len(SHIPPED)] * 6
        for store in stores:
            await store.close()


async def test_connections_writing_at_once_queue_instead_of_failing(store_url: str) -> None:
    """Four stores on one database upserting overlapping batches together: every job once."""
    stores = [await open_store(store_url) for _ in range(4)]
    new: list[int] = []

    async def upsert(store: Store, first: int) -> None:
        for start in range(first, first + 2_000, 250):
            batch = [build_job(n) for n in range(start, start + 250)]
            new.append((await store.upsert_jobs(batch, seen_at=NOW)).new)

    try:
        async with anyio.create_task_group() as group:
            for index, store in enumerate(stores):
                group.start_soon(upsert, store, index * 1_000)
        assert sum(new) == await stores[0].count_jobs() == 5_000
    finally:
        for store in stores:
            await store.close()
