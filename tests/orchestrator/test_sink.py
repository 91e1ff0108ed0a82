from __future__ import annotations

import dataclasses
import time
from datetime import datetime, timedelta
from typing import Any

import anyio
import anyio.lowlevel
import pytest

from jobping.orchestrator import ScraperReport
from jobping.orchestrator._limits import FieldLimits
from jobping.orchestrator._sink import JobSink, validate_job
from jobping.store import Store
from tests.orchestrator.conftest import SettingsFactory
from tests.orchestrator.fakes import NOW, job

pytestmark = pytest.mark.anyio


def sink_on(store: Store | None, batch_size: int = 3) -> JobSink:
    """A sink of run ``run-1`` whose clock says ``NOW``."""
    return JobSink(store, run_id="run-1", batch_size=batch_size, now=lambda: NOW)


@pytest.mark.parametrize(
    ("item", "problem"),
    [
        ({"title": "x"}, "not a Job: dict"),
        (job("s", "1", posted_at=datetime(2026, 1, 1)), "posted_at is a naive datetime"),  # noqa: DTZ001
        (job("s", "1", title=" "), "title is empty"),
        (job("s", "1", salary_min="a lot"), "salary_min is str"),
        (job("s", "1", categories=("ok", 3)), "categories holds something other than text"),
        (job("s", "1", company=None), "company is NoneType"),
    ],
)
def test_validate_job_names_what_is_wrong_with_garbage(item: Any, problem: str) -> None:
    """An object that is not a usable job is refused with the reason."""
    with pytest.raises(ValueError, match=problem):
        validate_job(item, run_id="run-1", now=NOW)


def test_validate_job_stamps_the_run_on_a_valid_job() -> None:
    """A valid job gets the run id, the scrape time and is active: a copy, the item untouched."""
    item = job("s", "1", is_active=False, salary_min=10.0)
    stamped = validate_job(item, run_id="run-1", now=NOW)

    assert (stamped.scraper_run_id, stamped.scrape_timestamp, stamped.is_active) == (
        "run-1",
        NOW,
        True,
    )
    assert (item.scraper_run_id, item.scrape_timestamp, item.is_active) == (None, None, False)
    unstamped = dataclasses.replace(
        stamped, scraper_run_id=None, scrape_timestamp=None, is_active=False
    )
    assert unstamped == item  # every other field copied as it was


async def test_batches_are_written_as_they_fill_not_at_the_end(store: Store) -> None:
    """With a batch size of 3, the 3rd and 6th jobs trigger writes; the 7th waits for flush."""
    sink = sink_on(store)
    report = ScraperReport("s", "s", 1)
    batch = sink.batch(report)
    stored = []
    for number in range(7):
        await batch.add(job("s", str(number)))
        stored.append(await store.count_jobs())

    assert stored == [0, 0, 3, 3, 3, 6, 6]
    await batch.flush()
    assert await store.count_jobs() == 7
    assert (report.found, report.new, sink.fresh) == (7, 7, 7)


async def test_a_job_seen_twice_in_a_run_is_written_once(store: Store) -> None:
    """The second sighting of a hash, from another target's batch, counts as a duplicate."""
    sink = sink_on(store)
    first, second = ScraperReport("a", "s", 1), ScraperReport("b", "s", 1)
    for report in (first, second):
        batch = sink.batch(report)
        await batch.add(job("s", "same"))
        await batch.add(job("s", report.name))
        await batch.flush()

    assert (first.found, first.new, first.duplicates) == (2, 2, 0)
    assert (second.found, second.new, second.duplicates) == (2, 1, 1)
    assert await store.count_jobs() == 3
    assert sink.seen == {"s:same", "s:a", "s:b"}


async def test_invalid_items_are_counted_and_never_written(store: Store) -> None:
    """Garbage counts as invalid, not found, and the valid jobs around it are stored."""
    sink = sink_on(store)
    report = ScraperReport("s", "s", 1)
    batch = sink.batch(report)
    for item in (job("s", "1"), "garbage", job("s", "2", title=""), job("s", "3")):
        await batch.add(item)
    await batch.flush()

    assert (report.found, report.invalid, report.new) == (2, 2, 2)
    assert await store.count_jobs() == 2


async def test_known_jobs_count_as_unchanged_or_updated(store: Store) -> None:
    """A job stored as it is counts unchanged; a changed title counts updated."""
    await store.upsert_jobs([job("s", "1"), job("s", "2")], seen_at=NOW - timedelta(days=1))
    sink = sink_on(store)
    report = ScraperReport("s", "s", 1)
    batch = sink.batch(report)
    for item in (job("s", "1"), job("s", "2", title="Senior"), job("s", "3")):
        await batch.add(item)
    await batch.flush()

    assert (report.new, report.updated, report.unchanged, sink.fresh) == (1, 1, 1, 2)


async def test_a_dry_run_sink_writes_nothing_and_counts_every_unique_job_new() -> None:
    """Without a store, each unique job is counted as new."""
    sink = sink_on(None)
    report = ScraperReport("s", "s", 1)
    batch = sink.batch(report)
    for item in (job("s", "1"), job("s", "1"), job("s", "2")):
        await batch.add(item)
    await batch.flush()

    assert (report.new, report.duplicates, sink.fresh) == (2, 1, 2)
    assert await sink.retire({"s"}, last_seen_before=NOW) == {}


async def test_retire_deactivates_only_unseen_jobs_of_the_named_sources(store: Store) -> None:
    """Jobs of the named source last seen before the cutoff become inactive; others stay."""
    old = NOW - timedelta(days=10)
    await store.upsert_jobs([job("a", "old"), job("b", "old")], seen_at=old)
    await store.upsert_jobs([job("a", "fresh")], seen_at=NOW)

    retired = await sink_on(store).retire({"a"}, last_seen_before=NOW - timedelta(days=3))

    assert retired == {"a": 1}
    states = {h: (await store.get_job(h)) for h in ("a:old", "a:fresh", "b:old")}
    assert {h: j.is_active for h, j in states.items() if j} == {
        "a:old": False,
        "a:fresh": True,
        "b:old": True,
    }


async def test_wait_stored_returns_once_enough_jobs_are_written(store: Store) -> None:
    """A waiter for 3 jobs wakes at the write that reaches 3, not at an earlier one."""
    sink = sink_on(store, batch_size=2)
    batch = sink.batch(ScraperReport("s", "s", 1))
    woke_at: list[int] = []

    async def waiter() -> None:
        await sink.wait_stored(3)
        woke_at.append(sink.stored)

    async with anyio.create_task_group() as group:
        group.start_soon(waiter)
        for number in range(4):
            await batch.add(job("s", str(number)))
            await anyio.lowlevel.checkpoint()

    assert woke_at == [4]


async def test_each_write_is_followed_by_on_written(store: Store) -> None:
    """on_written runs after every batch write, with the counts already updated."""
    stored_then: list[int] = []

    async def on_written() -> None:
        stored_then.append(sink.stored)

    sink = JobSink(store, run_id="run-1", batch_size=2, now=lambda: NOW, on_written=on_written)
    batch = sink.batch(ScraperReport("s", "s", 1))
    for number in range(5):
        await batch.add(job("s", str(number)))
    await batch.flush()

    assert stored_then == [2, 4, 5]


def spin(seconds: float) -> None:
    """Hold the CPU (and the event loop) for ``seconds`` of wall time, like parsing does."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        pass


async def test_a_long_parse_yields_the_event_loop_to_other_tasks() -> None:
    """Regression (#12): 200 jobs of 1 ms CPU each let a concurrent task run meanwhile."""
    sink = sink_on(None, batch_size=10_000)  # no store, no flush: only add() could yield
    batch = sink.batch(ScraperReport("s", "s", 1))
    turns = 0

    async def other_task() -> None:
        nonlocal turns
        while True:
            await anyio.lowlevel.checkpoint()
            turns += 1

    async with anyio.create_task_group() as group:
        group.start_soon(other_task)
        await anyio.lowlevel.checkpoint()
        before = turns
        for number in range(200):
            spin(0.001)
            await batch.add(job("s", str(number)))
        during = turns - before
        group.cancel_scope.cancel()

    assert during >= 2  # 200 ms of parsing: the loop was yielded about every 20 ms


async def test_hostile_fields_are_cut_where_jobs_enter_and_the_cut_is_counted(
    store: Store,
) -> None:
    """#11: a 1 MiB title and an 8 MiB description are stored cut; a huge URL is refused."""
    sink = JobSink(
        store, run_id="run-1", batch_size=10, now=lambda: NOW, limits=FieldLimits(title=500)
    )
    report = ScraperReport("s", "s", 1)
    batch = sink.batch(report)
    await batch.add(job("s", "big", title="T" * 2**20, description="d" * 8 * 2**20))
    await batch.add(job("s", "url", job_url="https://x.example/" + "a" * 5000))
    await batch.add(job("s", "fine"))
    await batch.flush()

    stored = await store.get_job("s:big")
    assert stored is not None
    assert (len(stored.title), stored.title[-1]) == (500, "…")
    assert len(stored.description) == 100_000
    assert (report.found, report.truncated, report.invalid) == (2, 1, 1)
    assert await store.get_job("s:url") is None


def test_limits_come_from_the_settings(make_settings: SettingsFactory) -> None:
    """JOB_MAX_*_CHARS settings become the sink's limits."""
    limits = FieldLimits.from_settings(make_settings(job_max_title_chars=80, job_max_url_chars=300))

    assert (limits.title, limits.url, limits.description) == (80, 300, 100_000)
