from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import datetime, timedelta

import anyio
import anyio.lowlevel
import pytest

from jobping.errors import LeaseHeld, StoreError
from jobping.models import RunRecord, RunStatus
from jobping.orchestrator import LEASE_NAME
from jobping.orchestrator._lease import RunLease, close_abandoned_runs, is_dead_local
from jobping.store import Store
from jobping.testing import FakeClock
from tests.orchestrator.fakes import NOW

pytestmark = pytest.mark.anyio

TTL = 30.0


def lease(store: Store, ticks: FakeClock, holder: str = "me") -> RunLease:
    """A run lease of ``holder`` on the fake clock."""
    return RunLease(store, holder=holder, ttl_seconds=TTL, now=ticks, sleep=ticks.sleep)


async def renew_twice(held: RunLease, ticks: FakeClock) -> list[str]:
    """Let ``held`` renew twice and fall asleep again, then stop it; what it reported lost."""
    lost: list[str] = []
    async with anyio.create_task_group() as group:
        group.start_soon(held.keep_renewed, lost.append)
        await ticks.tick()
        await ticks.tick()
        await ticks.until_asleep()
        group.cancel_scope.cancel()
    return lost


async def test_a_held_lease_names_its_holder(store: Store) -> None:
    """Acquiring a live lease of another run raises LeaseHeld with its holder and expiry."""
    ticks = FakeClock(NOW, gated=True)
    await lease(store, ticks, "first").acquire()

    with pytest.raises(LeaseHeld) as held:
        await lease(store, ticks, "second").acquire()

    assert (held.value.holder, held.value.expires_at) == ("first", NOW + timedelta(seconds=TTL))
    assert "another run (first) holds the 'run' lease" in str(held.value)


async def test_the_holder_renews_every_third_of_the_ttl(store: Store) -> None:
    """Each renewal moves the expiry to now + TTL; the sleeps are TTL / 3."""
    ticks = FakeClock(NOW, gated=True)
    held = lease(store, ticks)
    await held.acquire()
    lost = await renew_twice(held, ticks)

    expected = NOW + timedelta(seconds=2 * TTL / 3 + TTL)
    assert ticks.sleeps == [TTL / 3] * 3
    assert await store.lease_holder(LEASE_NAME, now=ticks.now) == ("me", expected)
    assert lost == []


async def test_a_lease_taken_over_is_reported_lost(store: Store) -> None:
    """When another holder has the lease, the renewer calls on_lost once and stops."""
    ticks = FakeClock(NOW, gated=True)
    held = lease(store, ticks)
    await held.acquire()
    lost: list[str] = []
    async with anyio.create_task_group() as group:
        group.start_soon(held.keep_renewed, lost.append)
        await store.release_lease(LEASE_NAME, "me")
        await store.acquire_lease(LEASE_NAME, "thief", ttl_seconds=TTL, now=ticks.now)
        await ticks.tick()  # the renewer finds the lease gone, and returns

    assert lost == ["lost the run lease ('run'): another run took it over"]
    assert (await store.lease_holder(LEASE_NAME, now=ticks.now) or ("",))[0] == "thief"


class FlakyStore:
    """A store whose renew_lease fails ``failures`` times before working."""

    def __init__(self, store: Store, failures: int) -> None:
        self._store = store
        self.failures = failures

    async def renew_lease(
        self, name: str, holder: str, *, ttl_seconds: float, now: datetime
    ) -> datetime | None:
        """Fail, then renew for real."""
        if self.failures:
            self.failures -= 1
            raise StoreError("database is locked")
        return await self._store.renew_lease(name, holder, ttl_seconds=ttl_seconds, now=now)


async def test_a_store_hiccup_is_retried_while_the_lease_is_live(store: Store) -> None:
    """A failed renewal is retried on the next tick; the lease is not given up."""
    ticks = FakeClock(NOW, gated=True)
    await store.acquire_lease(LEASE_NAME, "me", ttl_seconds=TTL, now=NOW)
    flaky = FlakyStore(store, failures=1)
    held = RunLease(flaky, holder="me", ttl_seconds=TTL, now=ticks, sleep=ticks.sleep)  # type: ignore[arg-type]
    held.expires_at = NOW + timedelta(seconds=TTL)
    lost = await renew_twice(held, ticks)

    assert lost == []
    assert flaky.failures == 0
    assert held.expires_at == NOW + timedelta(seconds=2 * TTL / 3 + TTL)


async def test_release_frees_the_lease_for_the_next_run(store: Store) -> None:
    """After release, another holder acquires at once."""
    ticks = FakeClock(NOW, gated=True)
    first = lease(store, ticks, "first")
    await first.acquire()
    await first.release()

    await lease(store, ticks, "second").acquire()
    assert (await store.lease_holder(LEASE_NAME, now=NOW) or ("",))[0] == "second"


async def test_runs_left_running_by_a_dead_process_are_marked_interrupted(store: Store) -> None:
    """Holding the lease, a run closes the other 'running' records; finished ones stay."""
    for run_id, status in (("dead", RunStatus.RUNNING), ("done", RunStatus.SUCCESS)):
        await store.save_run(RunRecord(run_id=run_id, started_at=NOW, status=status))
    await store.save_run(RunRecord(run_id="me", started_at=NOW + timedelta(minutes=1)))

    closed = await close_abandoned_runs(store, current="me")

    assert closed == ["dead"]
    statuses = {r.run_id: r.status for r in await store.recent_runs()}
    assert statuses == {
        "me": RunStatus.RUNNING,
        "dead": RunStatus.INTERRUPTED,
        "done": RunStatus.SUCCESS,
    }
    dead = await store.get_run("dead")
    assert dead is not None
    assert dead.errors == [{"scraper": None, "error": "abandoned: its process ended mid-run"}]
    assert dead.finished_at == NOW  # no progress recorded: it is known alive only at its start


async def test_an_abandoned_run_ends_at_its_last_recorded_progress(store: Store) -> None:
    """A killed run's record keeps its last counts; its finished_at is its last progress."""
    progress = NOW + timedelta(minutes=3)
    counts = {"totals": {"new": 35}, "progress_at": progress.isoformat()}
    await store.save_run(RunRecord(run_id="killed", started_at=NOW, counts=counts))

    await close_abandoned_runs(store, current="me")

    killed = await store.get_run("killed")
    assert killed is not None
    assert (killed.status, killed.finished_at) == (RunStatus.INTERRUPTED, progress)
    assert killed.counts["totals"] == {"new": 35}


def a_dead_pid() -> int:
    """The pid of a process of this host that has exited."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


async def test_a_dead_local_holder_is_taken_over_at_once(store: Store) -> None:
    """Regression (#10): a lease of a gone process of this host does not wait for its TTL."""
    ticks = FakeClock(NOW, gated=True)
    dead = f"{socket.gethostname()}:{a_dead_pid()}:old-run"
    await lease(store, ticks, dead).acquire()

    await lease(store, ticks, "next").acquire()

    assert (await store.lease_holder(LEASE_NAME, now=NOW) or ("",))[0] == "next"


@pytest.mark.parametrize(
    "holder",
    [f"{socket.gethostname()}:{os.getpid()}:live-run", "elsewhere:1:run", "no-pid-here"],
)
async def test_a_live_or_remote_holder_keeps_the_lease(store: Store, holder: str) -> None:
    """A live local process, a holder on another host or an unparsable name: LeaseHeld."""
    ticks = FakeClock(NOW, gated=True)
    await lease(store, ticks, holder).acquire()

    with pytest.raises(LeaseHeld):
        await lease(store, ticks, "next").acquire()
    assert is_dead_local(holder) is False
