from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from jobping.errors import StoreError
from jobping.models import EmploymentType, Job, WorkEnvironment
from jobping.store import Store, UpsertResult
from tests.store import NOW, build_job

pytestmark = pytest.mark.anyio

LATER = NOW + timedelta(hours=6)


def stored_as(job: Job, *, created: datetime, seen: datetime, active: bool = True) -> Job:
    """What the store gives back for ``job``: the store-owned fields set."""
    return dataclasses.replace(job, created_at=created, last_seen_at=seen, is_active=active)


async def test_new_jobs_are_counted_and_stored_with_store_owned_fields(store: Store) -> None:
    """A first upsert reports every job new; created_at = last_seen_at = seen_at, active."""
    jobs = [build_job(n) for n in range(3)]

    result = await store.upsert_jobs(jobs, seen_at=NOW)

    assert result == UpsertResult(new=3)
    assert await store.get_job("hash-000001") == stored_as(jobs[1], created=NOW, seen=NOW)
    assert await store.count_jobs() == 3


async def test_every_field_round_trips(store: Store) -> None:
    """Each Job field comes back as written: tuples, enums, booleans, floats, aware datetimes."""
    posted = datetime(2026, 11, 20, 8, 15, 30, 123456, tzinfo=timezone(timedelta(hours=2)))
    job = build_job(
        7,
        source_id="abc-7",
        location="Berlin, Germany",
        city="Berlin",
        country="DE",
        description="Build pipelines. Ünïcode ✓",
        experience_required="3+ years",
        work_environment=WorkEnvironment.HYBRID,
        categories=("data", "engineering"),
        language_requirements=("de", "en"),
        company_profile_url="https://acme.example.com",
        posted_at=posted,
        original_posted_date="2 days ago",
        scrape_timestamp=NOW - timedelta(seconds=5),
        scraper_run_id="run-1",
        is_internship=False,
        is_graduate=True,
        visa_friendly=False,
        salary_min=55_000.5,
        salary_max=70_000.0,
        salary_currency="EUR",
        salary_period="year",
        employment_type=EmploymentType.PART_TIME,
        employment_type_raw="Teilzeit",
    )
    defaults = {f.name for f in dataclasses.fields(Job) if getattr(job, f.name) == f.default}
    store_owned = {"created_at", "last_seen_at", "is_active"}
    enrichment_record = {"summary", "enriched_at", "enrichment_model", "enrichment_failures"}
    assert defaults == store_owned | enrichment_record  # a new field: set it here
    await store.upsert_jobs([job], seen_at=NOW)

    got = await store.get_job(job.job_hash)

    assert got == stored_as(job, created=NOW, seen=NOW)
    assert got is not None
    assert got.posted_at is not None
    assert got.posted_at.utcoffset() == timedelta(0)


async def test_upserting_ten_thousand_jobs_twice_is_idempotent(store: Store) -> None:
    """The same 10,000 jobs upserted again leave 10,000 rows and report all unchanged."""
    jobs = [build_job(n) for n in range(10_000)]

    first = await store.upsert_jobs(jobs, seen_at=NOW)
    second = await store.upsert_jobs(jobs, seen_at=LATER)

    assert first == UpsertResult(new=10_000)
    assert second == UpsertResult(unchanged=10_000)
    assert await store.count_jobs() == 10_000
    assert await store.get_job("hash-009999") == stored_as(jobs[-1], created=NOW, seen=LATER)


async def test_changed_content_is_updated_and_keeps_created_at(store: Store) -> None:
    """A stored job whose content changed counts as updated; created_at stays the first."""
    await store.upsert_jobs([build_job(1), build_job(2)], seen_at=NOW)
    changed = build_job(1, title="Senior Engineer 1", salary_max=90_000.0)

    result = await store.upsert_jobs([changed, build_job(2)], seen_at=LATER)

    assert result == UpsertResult(updated=1, unchanged=1)
    assert await store.get_job("hash-000001") == stored_as(changed, created=NOW, seen=LATER)


async def test_sighting_fields_alone_leave_a_job_unchanged_but_are_refreshed(
    store: Store,
) -> None:
    """A new scrape_timestamp or scraper_run_id is no content change, yet it is stored."""
    await store.upsert_jobs([build_job(1, scraper_run_id="run-1")], seen_at=NOW)
    again = build_job(1, scraper_run_id="run-2", scrape_timestamp=LATER)

    result = await store.upsert_jobs([again], seen_at=LATER)

    assert result == UpsertResult(unchanged=1)
    assert await store.get_job("hash-000001") == stored_as(again, created=NOW, seen=LATER)


async def test_an_inactive_job_seen_again_is_active_again(store: Store) -> None:
    """Seeing a deactivated job again sets is_active and last_seen_at; it is unchanged."""
    await store.upsert_jobs([build_job(1)], seen_at=NOW)
    await store.deactivate_stale(source="greenhouse", last_seen_before=LATER)

    result = await store.upsert_jobs([build_job(1)], seen_at=LATER)

    assert result == UpsertResult(unchanged=1)
    assert await store.get_job("hash-000001") == stored_as(build_job(1), created=NOW, seen=LATER)


async def test_duplicate_hashes_in_a_batch_count_once_and_the_last_wins(store: Store) -> None:
    """Two jobs with one hash in a batch make one new row holding the later job."""
    result = await store.upsert_jobs([build_job(1), build_job(1, title="Last")], seen_at=NOW)

    assert result == UpsertResult(new=1)
    assert await store.count_jobs() == 1
    stored = await store.get_job("hash-000001")
    assert stored is not None
    assert stored.title == "Last"


async def test_an_empty_batch_changes_nothing(store: Store) -> None:
    """Upserting no jobs reports nothing and stores nothing."""
    assert await store.upsert_jobs([], seen_at=NOW) == UpsertResult()
    assert await store.count_jobs() == 0


async def test_a_naive_datetime_is_refused_with_a_clear_error(store: Store) -> None:
    """A job with a naive datetime raises StoreError naming the problem; nothing is stored."""
    naive = build_job(1, posted_at=datetime(2026, 11, 23, 9, 30))  # noqa: DTZ001 (the point)

    with pytest.raises(StoreError, match="naive datetime"):
        await store.upsert_jobs([build_job(2), naive], seen_at=NOW)
    assert await store.count_jobs() == 0


async def test_a_batch_failing_part_way_stores_none_of_it(store: Store) -> None:
    """One transaction per batch: a row the database refuses rolls the whole batch back."""
    await store.upsert_jobs([build_job(1)], seen_at=NOW)
    refused = build_job(3, title=None)  # the title column is NOT NULL

    with pytest.raises(StoreError, match="title"):
        await store.upsert_jobs(
            [build_job(1, title="Changed"), build_job(2), refused], seen_at=LATER
        )

    assert await store.count_jobs() == 1
    assert await store.get_job("hash-000001") == stored_as(build_job(1), created=NOW, seen=NOW)


async def test_get_job_of_an_unknown_hash_is_none(store: Store) -> None:
    """Asking for a hash never stored gives None."""
    assert await store.get_job("missing") is None


async def test_count_jobs_can_count_only_the_active_ones(store: Store) -> None:
    """count_jobs(active_only=True) leaves the deactivated jobs out."""
    await store.upsert_jobs([build_job(1), build_job(2, source="lever")], seen_at=NOW)
    await store.deactivate_stale(source="lever", last_seen_before=LATER)

    assert await store.count_jobs() == 2
    assert await store.count_jobs(active_only=True) == 1


async def test_recent_active_jobs_newest_first_without_excluded_or_inactive(
    store: Store,
) -> None:
    """Backfill: active jobs posted since the cutoff (inclusive), newest first, minus exclude."""
    jobs = [build_job(n) for n in range(6)]  # job n posted n minutes before NOW
    undated = build_job(9, posted_at=None)
    await store.upsert_jobs([*jobs, undated, build_job(7, source="lever")], seen_at=NOW)
    await store.deactivate_stale(source="lever", last_seen_before=LATER)

    recent = await store.recent_active_jobs(
        posted_since=NOW - timedelta(minutes=4), exclude={"hash-000001"}, limit=10
    )

    assert [job.job_hash for job in recent] == [
        "hash-000000",
        "hash-000002",
        "hash-000003",
        "hash-000004",
    ]


async def test_recent_active_jobs_stops_at_the_limit(store: Store) -> None:
    """Only ``limit`` jobs come back, the newest ones."""
    await store.upsert_jobs([build_job(n) for n in range(5)], seen_at=NOW)

    recent = await store.recent_active_jobs(posted_since=NOW - timedelta(days=1), limit=2)

    assert [job.job_hash for job in recent] == ["hash-000000", "hash-000001"]


async def test_deactivate_stale_touches_only_that_sources_jobs_seen_before_the_cutoff(
    store: Store,
) -> None:
    """Only the given source's active jobs last seen before the cutoff go inactive; counted."""
    await store.upsert_jobs([build_job(1), build_job(2), build_job(3, source="lever")], seen_at=NOW)
    await store.upsert_jobs([build_job(2)], seen_at=LATER)

    count = await store.deactivate_stale(source="greenhouse", last_seen_before=LATER)

    assert count == 1
    states = {n: await store.get_job(f"hash-{n:06d}") for n in (1, 2, 3)}
    assert {n: job.is_active for n, job in states.items() if job} == {1: False, 2: True, 3: True}
    assert await store.deactivate_stale(source="greenhouse", last_seen_before=LATER) == 0
