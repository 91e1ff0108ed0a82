"""Enrichment claims (#11): a job of the backlog is claimed by one holder at a time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import anyio
import pytest

from jobping.models import Job
from jobping.store import Store
from tests.store import NOW, build_job
from tests.store.test_enrichment import ENRICHMENT

pytestmark = pytest.mark.anyio

TTL = 600.0


def hashes(jobs: Sequence[Job]) -> list[str]:
    """The hashes of jobs, in order."""
    return [job.job_hash for job in jobs]


async def test_a_claim_takes_the_newest_jobs_and_hides_them_from_other_holders(
    store: Store,
) -> None:
    """Claims go newest first; a second holder gets the rest, never the first one's jobs."""
    await store.upsert_jobs([build_job(1), build_job(2)], seen_at=NOW)
    await store.upsert_jobs([build_job(3)], seen_at=NOW + timedelta(minutes=1))

    first = await store.claim_enrichment("a", limit=2, ttl_seconds=TTL, now=NOW)
    second = await store.claim_enrichment("b", limit=5, ttl_seconds=TTL, now=NOW)
    third = await store.claim_enrichment("c", limit=5, ttl_seconds=TTL, now=NOW)

    assert hashes(first) == ["hash-000003", "hash-000001"]
    assert first[0] == await store.get_job("hash-000003")
    assert hashes(second) == ["hash-000002"]
    assert third == []


async def test_an_expired_claim_is_taken_over(store: Store) -> None:
    """A crashed holder's claim stops counting at its expiry: another holder takes the job."""
    await store.upsert_jobs([build_job(1)], seen_at=NOW)
    await store.claim_enrichment("crashed", limit=1, ttl_seconds=TTL, now=NOW)

    before = await store.claim_enrichment(
        "b", limit=1, ttl_seconds=TTL, now=NOW + timedelta(seconds=TTL - 1)
    )
    after = await store.claim_enrichment(
        "b", limit=1, ttl_seconds=TTL, now=NOW + timedelta(seconds=TTL)
    )

    assert before == []
    assert hashes(after) == ["hash-000001"]


async def test_released_claims_return_to_the_backlog_but_only_the_holders(store: Store) -> None:
    """Release gives back the holder's own claims; another holder's release changes nothing."""
    await store.upsert_jobs([build_job(1), build_job(2)], seen_at=NOW)
    await store.claim_enrichment("a", limit=2, ttl_seconds=TTL, now=NOW)

    await store.release_enrichment_claims("b", ["hash-000001", "hash-000002"])
    kept = await store.claim_enrichment("b", limit=5, ttl_seconds=TTL, now=NOW)
    await store.release_enrichment_claims("a", ["hash-000002"])
    await store.release_enrichment_claims("a", [])
    freed = await store.claim_enrichment("b", limit=5, ttl_seconds=TTL, now=NOW)

    assert kept == []
    assert hashes(freed) == ["hash-000002"]


async def test_a_failure_releases_the_claim_and_a_save_ends_it(store: Store) -> None:
    """A recorded failure puts the job back at once; a saved job never comes back."""
    await store.upsert_jobs([build_job(1), build_job(2)], seen_at=NOW)
    await store.claim_enrichment("a", limit=2, ttl_seconds=TTL, now=NOW)

    await store.record_enrichment_failure("hash-000001")
    await store.save_enrichment("hash-000002", ENRICHMENT, model="m", now=NOW)
    again = await store.claim_enrichment("b", limit=5, ttl_seconds=TTL, now=NOW)
    later = await store.claim_enrichment("c", limit=5, ttl_seconds=TTL, now=NOW + timedelta(days=1))

    assert hashes(again) == ["hash-000001"]
    assert hashes(later) == ["hash-000001"]
    assert await store.count_jobs_needing_enrichment() == 1


async def test_claims_skip_jobs_out_of_the_backlog(store: Store) -> None:
    """Inactive jobs and jobs at the failure limit are never claimed."""
    await store.upsert_jobs([build_job(1), build_job(2)], seen_at=NOW)
    await store.deactivate_stale(source="greenhouse", last_seen_before=NOW + timedelta(seconds=1))
    await store.upsert_jobs([build_job(3)], seen_at=NOW + timedelta(seconds=2))
    for _ in range(3):
        await store.record_enrichment_failure("hash-000003")

    assert await store.claim_enrichment("a", limit=5, ttl_seconds=TTL, now=NOW) == []


async def test_concurrent_claims_on_one_store_are_disjoint(store: Store) -> None:
    """Twenty claims of 5 at once over 60 jobs: each job once, 60 in all."""
    await store.upsert_jobs([build_job(n) for n in range(60)], seen_at=NOW)
    claimed: list[str] = []

    async def claim(holder: str) -> None:
        claimed.extend(
            hashes(await store.claim_enrichment(holder, limit=5, ttl_seconds=TTL, now=NOW))
        )

    async with anyio.create_task_group() as group:
        for n in range(20):
            group.start_soon(claim, f"h{n}")

    assert sorted(claimed) == sorted(set(claimed))
    assert len(claimed) == 60
