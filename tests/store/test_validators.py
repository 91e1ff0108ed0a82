"""The validators of each target and the bulk sighting they allow (#16), on every backend."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jobping.store import Store, TargetValidators
from tests.store import NOW, build_job

pytestmark = pytest.mark.anyio

LATER = NOW + timedelta(hours=6)


def validators(**changes: object) -> TargetValidators:
    """Validators of greenhouse ``stripe`` with two jobs; keyword arguments change fields."""
    fields: dict[str, object] = {
        "scraper": "greenhouse",
        "target": "stripe",
        "url": "http://127.0.0.1:8000/v1/boards/stripe/jobs?content=true",
        "etag": '"abc123"',
        "last_modified": "Mon, 23 Nov 2026 09:00:00 GMT",
        "body_hash": "0f" * 16,
        "job_hashes": ("hash-000001", "hash-000002"),
        "saved_at": NOW,
    }
    return TargetValidators(**(fields | changes))  # type: ignore[arg-type]


async def test_saved_validators_load_back_whole_by_target_and_a_save_replaces(
    store: Store,
) -> None:
    """Saved per (scraper, target), validators load back whole, one scraper's by target.

    Saving the same target again replaces its row.
    """
    assert await store.load_validators("greenhouse") == {}
    figma = validators(target="figma", etag=None, job_hashes=())
    await store.save_validators(validators())
    await store.save_validators(figma)
    await store.save_validators(validators(scraper="lever"))

    assert await store.load_validators("greenhouse") == {"stripe": validators(), "figma": figma}
    newer = validators(etag='"def456"', last_modified=None, job_hashes=("hash-000003",))
    await store.save_validators(newer)
    assert await store.load_validators("greenhouse") == {"stripe": newer, "figma": figma}
    assert await store.load_validators("lever") == {"stripe": validators(scraper="lever")}
    assert await store.load_validators("greenhouse", target="figma") == {"figma": figma}
    assert await store.load_validators("greenhouse", target="notion") == {}


async def test_mark_jobs_seen_touches_only_the_sighting_of_the_named_stored_jobs(
    store: Store,
) -> None:
    """last_seen_at, scrape_timestamp, is_active and the run id change; nothing else, no one else.

    An unknown hash is ignored and the count is of the jobs marked; an empty list is no call.
    """
    await store.upsert_jobs([build_job(n) for n in (1, 2, 3)], seen_at=NOW)
    await store.deactivate_stale(source="greenhouse", last_seen_before=LATER)
    before = await store.get_job("hash-000002")

    marked = await store.mark_jobs_seen(
        ["hash-000001", "hash-000002", "hash-999999"], seen_at=LATER, run_id="run-2"
    )

    assert marked == 2
    assert await store.mark_jobs_seen([], seen_at=LATER, run_id="run-3") == 0
    one, two, three = [await store.get_job(f"hash-{n:06d}") for n in (1, 2, 3)]
    assert one is not None and two is not None and three is not None and before is not None
    assert (two.last_seen_at, two.scrape_timestamp, two.is_active, two.scraper_run_id) == (
        LATER,
        LATER,
        True,
        "run-2",
    )
    assert (two.title, two.created_at, two.job_url) == (
        before.title,
        before.created_at,
        before.job_url,
    )
    assert (one.last_seen_at, one.is_active) == (LATER, True)
    assert (three.last_seen_at, three.is_active) == (NOW, False)
