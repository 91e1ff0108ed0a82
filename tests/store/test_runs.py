from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest

from jobping.errors import StoreError
from jobping.models import RunRecord, RunStatus
from jobping.store import Store
from tests.store import NOW

pytestmark = pytest.mark.anyio


def run_record(n: int, **changes: Any) -> RunRecord:
    """Run number ``n``, started ``n`` hours after NOW, with the fields given replaced."""
    return dataclasses.replace(
        RunRecord(run_id=f"run-{n}", started_at=NOW + timedelta(hours=n)), **changes
    )


async def test_a_run_round_trips_with_its_json_and_status(store: Store) -> None:
    """save_run then get_run gives back the same record: counts, errors, status, datetimes."""
    run = run_record(
        1,
        status=RunStatus.DEGRADED,
        finished_at=NOW + timedelta(hours=1, minutes=3),
        counts={"new": 12, "per_scraper": {"greenhouse": {"jobs": 40}}, "ratio": 0.5},
        errors=[{"scraper": "lever", "error": "TransportError", "message": "reset"}],
    )
    await store.save_run(run)

    got = await store.get_run("run-1")

    assert got == run
    assert got is not None
    assert got.status is RunStatus.DEGRADED


async def test_saving_a_run_again_updates_it(store: Store) -> None:
    """A second save_run of the same run_id replaces the record (running → success)."""
    await store.save_run(run_record(1))
    finished = run_record(1, status=RunStatus.SUCCESS, finished_at=NOW + timedelta(hours=2))

    await store.save_run(finished)

    assert await store.get_run("run-1") == finished
    assert await store.recent_runs() == [finished]


async def test_get_run_of_an_unknown_id_is_none(store: Store) -> None:
    """Asking for a run never saved gives None."""
    assert await store.get_run("missing") is None


async def test_recent_runs_are_newest_first_up_to_the_limit(store: Store) -> None:
    """recent_runs orders by started_at, newest first, and stops at the limit."""
    for n in (2, 0, 3, 1):
        await store.save_run(run_record(n))

    recent = await store.recent_runs(limit=3)

    assert [run.run_id for run in recent] == ["run-3", "run-2", "run-1"]


async def test_counts_that_are_not_json_are_refused_clearly(store: Store) -> None:
    """A run whose counts cannot be JSON raises StoreError naming the run and the field."""
    with pytest.raises(StoreError, match="run run-1 counts"):
        await store.save_run(run_record(1, counts={"when": NOW}))
    assert await store.get_run("run-1") is None
