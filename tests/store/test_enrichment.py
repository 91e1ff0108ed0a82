"""The enrichment backlog of the Store contract: waiting jobs, saved enrichments, failures."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from jobping.models import Enrichment, WorkEnvironment
from jobping.store import Store, UpsertResult
from tests.store import NOW, build_job

pytestmark = pytest.mark.anyio

ENRICHMENT = Enrichment(
    experience_required="3+ years",
    work_environment=WorkEnvironment.REMOTE,
    categories=("data", "software-engineering"),
    language_requirements=("en", "de"),
    is_internship=False,
    is_graduate=True,
    visa_friendly=None,
    summary="Builds data pipelines.",
)


async def test_new_jobs_wait_for_enrichment_newest_first(store: Store) -> None:
    """Stored jobs are in the backlog, the latest created first, up to the limit."""
    await store.upsert_jobs([build_job(1), build_job(2)], seen_at=NOW)
    await store.upsert_jobs([build_job(3)], seen_at=NOW + timedelta(minutes=1))

    waiting = await store.jobs_needing_enrichment(limit=2)

    assert [job.job_hash for job in waiting] == ["hash-000003", "hash-000001"]
    assert await store.count_jobs_needing_enrichment() == 3


async def test_a_saved_enrichment_is_stored_and_leaves_the_backlog(store: Store) -> None:
    """save_enrichment writes the enriched fields and the record; the job is no longer waiting."""
    await store.upsert_jobs([build_job(1), build_job(2)], seen_at=NOW)

    saved = await store.save_enrichment("hash-000001", ENRICHMENT, model="gpt-5.4-mini", now=NOW)

    job = await store.get_job("hash-000001")
    assert saved
    assert job is not None
    assert (job.summary, job.enrichment_model, job.enriched_at) == (
        "Builds data pipelines.",
        "gpt-5.4-mini",
        NOW,
    )
    for field in dataclasses.fields(Enrichment):
        assert getattr(job, field.name) == getattr(ENRICHMENT, field.name), field.name
    assert [j.job_hash for j in await store.jobs_needing_enrichment(limit=10)] == ["hash-000002"]


async def test_saving_the_enrichment_of_an_unknown_job_writes_nothing(store: Store) -> None:
    """An unknown hash: False, and no row appears."""
    assert not await store.save_enrichment("nope", ENRICHMENT, model="m", now=NOW)
    assert await store.count_jobs() == 0


async def test_a_rescraped_enriched_job_keeps_its_enrichment(store: Store) -> None:
    """Upserting the scraped job again keeps the enriched fields and counts it unchanged."""
    scraped = build_job(1, categories=("Engineering",))
    await store.upsert_jobs([scraped], seen_at=NOW)
    await store.save_enrichment(scraped.job_hash, ENRICHMENT, model="m", now=NOW)

    again = await store.upsert_jobs([scraped], seen_at=NOW + timedelta(hours=1))
    changed = await store.upsert_jobs(
        [dataclasses.replace(scraped, title="Senior engineer")], seen_at=NOW + timedelta(hours=2)
    )

    job = await store.get_job(scraped.job_hash)
    assert again == UpsertResult(unchanged=1)
    assert changed == UpsertResult(updated=1)
    assert job is not None
    assert (job.title, job.categories, job.summary) == (
        "Senior engineer",
        ENRICHMENT.categories,
        ENRICHMENT.summary,
    )
    assert job.last_seen_at == NOW + timedelta(hours=2)


async def test_an_upsert_never_writes_the_enrichment_record(store: Store) -> None:
    """Enrichment fields on a scraped Job are ignored: only save_enrichment writes them."""
    job = build_job(1, summary="made up", enrichment_model="x", enrichment_failures=9)
    await store.upsert_jobs([job], seen_at=NOW)

    stored = await store.get_job(job.job_hash)

    assert stored is not None
    assert (stored.summary, stored.enrichment_model, stored.enrichment_failures) == (None, None, 0)
    assert await store.count_jobs_needing_enrichment() == 1


async def test_failures_take_a_job_out_of_the_backlog_at_the_maximum(store: Store) -> None:
    """Each failure is counted; with max_failures of them the job no longer comes back."""
    await store.upsert_jobs([build_job(1)], seen_at=NOW)

    await store.record_enrichment_failure("hash-000001")
    await store.record_enrichment_failure("hash-000001")
    await store.record_enrichment_failure("unknown")

    job = await store.get_job("hash-000001")
    assert job is not None
    assert job.enrichment_failures == 2
    assert await store.count_jobs_needing_enrichment(max_failures=3) == 1
    assert await store.count_jobs_needing_enrichment(max_failures=2) == 0
    assert await store.jobs_needing_enrichment(limit=5, max_failures=2) == []


async def test_inactive_jobs_are_not_in_the_backlog(store: Store) -> None:
    """A job marked inactive does not wait for enrichment."""
    await store.upsert_jobs([build_job(1)], seen_at=NOW)
    await store.deactivate_stale(source="greenhouse", last_seen_before=NOW + timedelta(days=1))

    assert await store.count_jobs_needing_enrichment() == 0
