"""The content digest: a job seen again unchanged is only marked seen (#16), on every backend.

These tests reach the ``content_hash`` column with plain SQL (sqlite3, psycopg), so they can
prove that the digest decides: a row whose stored digest matches is not compared or rewritten.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from jobping.models import Enrichment, WorkEnvironment
from jobping.store import Store, UpsertResult
from jobping.store._rows import content_hash
from tests.store import NOW, build_job, execute

pytestmark = pytest.mark.anyio

LATER = NOW + timedelta(hours=6)


def stored_digest(store_url: str, job_hash: str) -> object:
    """The ``content_hash`` column of a stored job."""
    rows = execute(
        store_url,
        "SELECT content_hash FROM job_sightings WHERE job_hash = ?",
        "SELECT content_hash FROM job_sightings WHERE job_hash = %s",
        job_hash,
    )
    return rows[0][0]


async def test_a_written_job_carries_the_digest_of_its_content(
    store: Store, store_url: str
) -> None:
    """Inserted and updated rows store content_hash(job) of what was written."""
    job = build_job(1)
    await store.upsert_jobs([job], seen_at=NOW)
    assert stored_digest(store_url, job.job_hash) == content_hash(job)

    changed = dataclasses.replace(job, title="Staff Engineer 1")
    assert await store.upsert_jobs([changed], seen_at=LATER) == UpsertResult(updated=1)

    assert stored_digest(store_url, job.job_hash) == content_hash(changed) != content_hash(job)


async def test_a_matching_digest_marks_the_job_seen_without_rewriting_it(
    store: Store, store_url: str
) -> None:
    """A job whose stored digest is its own is unchanged: only its sighting is written."""
    job = build_job(1, scraper_run_id="run-1")
    await store.upsert_jobs([job], seen_at=NOW)
    execute(  # a column changed behind the store's back, the digest kept
        store_url,
        "UPDATE jobs SET title = 'edited', is_active = 0",
        "UPDATE jobs SET title = 'edited', is_active = false",
    )

    again = dataclasses.replace(job, scraper_run_id="run-2")
    result = await store.upsert_jobs([again], seen_at=LATER)

    assert result == UpsertResult(unchanged=1)
    stored = await store.get_job(job.job_hash)
    assert stored is not None
    assert stored.title == "edited"  # not compared, not rewritten
    assert (stored.last_seen_at, stored.is_active, stored.scraper_run_id) == (LATER, True, "run-2")


async def test_a_row_without_digest_is_compared_in_full_and_gets_one(
    store: Store, store_url: str
) -> None:
    """A row stored before the column existed is compared as before, then carries the digest."""
    jobs = [build_job(1), build_job(2)]
    await store.upsert_jobs(jobs, seen_at=NOW)
    execute(
        store_url,
        "UPDATE job_sightings SET content_hash = NULL",
        "UPDATE job_sightings SET content_hash = NULL",
    )

    changed = dataclasses.replace(jobs[1], title="Staff Engineer 2")
    result = await store.upsert_jobs([jobs[0], changed], seen_at=LATER)

    assert result == UpsertResult(updated=1, unchanged=1)
    assert stored_digest(store_url, jobs[0].job_hash) == content_hash(jobs[0])
    assert stored_digest(store_url, changed.job_hash) == content_hash(changed)
    stored = await store.get_job(jobs[0].job_hash)
    assert stored is not None and stored.last_seen_at == LATER


async def test_an_enriched_job_scraped_with_other_enriched_fields_is_unchanged_then_marked(
    store: Store, store_url: str
) -> None:
    """Differing only in enriched fields counts unchanged, and the new digest is kept."""
    job = build_job(1)
    await store.upsert_jobs([job], seen_at=NOW)
    enrichment = Enrichment(work_environment=WorkEnvironment.REMOTE, categories=("data",))
    await store.save_enrichment(job.job_hash, enrichment, model="m", now=NOW)
    rescraped = dataclasses.replace(job, work_environment=WorkEnvironment.ON_SITE)

    first = await store.upsert_jobs([rescraped], seen_at=LATER)
    second = await store.upsert_jobs([rescraped], seen_at=LATER + timedelta(hours=1))

    assert first == second == UpsertResult(unchanged=1)
    assert stored_digest(store_url, job.job_hash) == content_hash(rescraped)
    stored = await store.get_job(job.job_hash)
    assert stored is not None
    assert stored.work_environment is WorkEnvironment.REMOTE  # the enrichment kept
    assert stored.last_seen_at == LATER + timedelta(hours=1)


async def test_a_batch_mixing_new_changed_and_unchanged_counts_each_once(store: Store) -> None:
    """Counts stay exact when the marked and the compared jobs share a batch (with duplicates)."""
    await store.upsert_jobs([build_job(n) for n in range(4)], seen_at=NOW)
    batch = [
        build_job(0),
        build_job(1, title="changed"),
        build_job(2),
        build_job(2),  # a duplicate: the last one wins
        build_job(5),
    ]

    result = await store.upsert_jobs(batch, seen_at=LATER)

    assert result == UpsertResult(new=1, updated=1, unchanged=2)
    assert await store.count_jobs() == 5
