"""The job query role (``jobping jobs``): filters, newest-first order, paging (#10)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jobping.models import WorkEnvironment
from jobping.store import JobFilter, Store
from tests.store import NOW, build_job

pytestmark = pytest.mark.anyio


async def seed(store: Store) -> None:
    """Eight jobs over three days, two sources, one inactive, one remote, odd characters."""
    jobs = [
        build_job(1, company="Acme", location="Berlin"),
        build_job(2, company="Acme", source="lever", work_environment=WorkEnvironment.REMOTE),
        build_job(3, company="Globex", title="Data 100% Engineer"),
        build_job(4, company="Initech_Labs", location="Paris"),
    ]
    await store.upsert_jobs(jobs, seen_at=NOW - timedelta(days=2))
    await store.upsert_jobs(
        [build_job(5, company="Acme", title="Search, (Ranking)")], seen_at=NOW - timedelta(days=1)
    )
    await store.upsert_jobs([build_job(n, company="Umbrella") for n in (6, 7, 8)], seen_at=NOW)
    await store.deactivate_stale(source="lever", last_seen_before=NOW)


async def hashes(store: Store, where: JobFilter, **options: int) -> list[str]:
    """The hashes ``iter_jobs`` yields, in order."""
    return [job.job_hash[-1] async for job in store.iter_jobs(where, **options)]


async def test_newest_first_across_pages_of_any_size(store: Store) -> None:
    """Every job once, newest first then by hash, whatever the page size; limit stops early."""
    await seed(store)
    everything = ["6", "7", "8", "5", "1", "2", "3", "4"]  # a batch shares created_at

    assert await hashes(store, JobFilter()) == everything
    assert await hashes(store, JobFilter(), page_rows=3) == everything
    assert await hashes(store, JobFilter(), page_rows=1) == everything
    assert await hashes(store, JobFilter(), limit=5, page_rows=2) == everything[:5]
    assert await hashes(store, JobFilter(), limit=0) == []


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (JobFilter(source="lever"), ["2"]),
        (JobFilter(company="acme"), ["5", "1", "2"]),
        (JobFilter(company="_"), ["4"]),  # taken literally, not as LIKE's any-character
        (JobFilter(remote=True), ["2"]),
        (JobFilter(remote=False, company="Acme"), ["5", "1"]),
        (JobFilter(active=False), ["2"]),
        (JobFilter(active=True, company="Acme"), ["5", "1"]),
        (JobFilter(since=NOW - timedelta(days=1)), ["6", "7", "8", "5"]),
        (JobFilter(search="paris"), ["4"]),
        (JobFilter(search="umbrella"), ["6", "7", "8"]),
        (JobFilter(search="100%"), ["3"]),
        (JobFilter(search="search, (ranking)"), ["5"]),
        (JobFilter(search="berlin", source="greenhouse"), ["1"]),
        (JobFilter(search="nowhere"), []),
    ],
    ids=repr,
)
async def test_filters_select_the_same_jobs_on_every_backend(
    store: Store, where: JobFilter, expected: list[str]
) -> None:
    """Each filter, alone or combined, selects exactly the expected jobs, newest first."""
    await seed(store)

    assert await hashes(store, where, page_rows=2) == expected
