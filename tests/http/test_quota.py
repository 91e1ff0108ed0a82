from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import anyio
import pytest

from jobping.errors import CircuitOpen, HTTPStatusError, QuotaExhausted
from jobping.http import DomainPolicies, DomainPolicy, ScrapeClient, domain_status
from jobping.http._quota import QuotaGate, quota_windows
from jobping.settings import Settings
from jobping.store import BreakerSnapshot, Store, open_store
from jobping.testing import FakeClock
from tests.http.conftest import ClientFactory
from tests.servers import HostileServer, hostile_server

ADZUNA = DomainPolicy(minute_quota=25, daily_quota=250, weekly_quota=1000, monthly_quota=2500)


def test_windows_keys_and_ends_in_the_configured_timezone() -> None:
    """23:30 UTC on a Sunday is already Monday in Paris: day, ISO week and month follow Paris."""
    paris = ZoneInfo("Europe/Paris")
    now = datetime(2026, 5, 31, 22, 30, tzinfo=UTC)
    windows = {w.name: w for w in quota_windows(ADZUNA, now, paris)}
    assert windows["minute"].key == "minute:2026-06-01T00:30"
    assert windows["day"].key == "day:2026-06-01"
    assert windows["day"].ends_at == datetime(2026, 6, 2, tzinfo=paris)
    assert windows["week"].key == "week:2026-W23"
    assert windows["week"].ends_at == datetime(2026, 6, 8, tzinfo=paris)
    assert windows["month"].key == "month:2026-06"
    assert windows["month"].ends_at == datetime(2026, 7, 1, tzinfo=paris)
    assert [w.limit for w in windows.values()] == [25, 250, 1000, 2500]


def test_no_quota_no_windows() -> None:
    """A policy without quotas has no windows."""
    assert quota_windows(DomainPolicy(), datetime.now(UTC), ZoneInfo("UTC")) == []


def gate(store: Store, clock: FakeClock, policy: DomainPolicy, block: int = 16) -> QuotaGate:
    """A quota gate for jobs.example on the fake clock, in UTC."""
    return QuotaGate("jobs.example", policy, store, tz=ZoneInfo("UTC"), now=clock, block=block)


@pytest.mark.anyio
async def test_exhausted_quota_fails_fast_with_the_reset_time(
    store: Store, clock: FakeClock
) -> None:
    """Ten units of a daily quota of 10 go through; the 11th raises with next midnight."""
    quota = gate(store, clock, DomainPolicy(daily_quota=10))
    for _ in range(10):
        await quota.take()
    with pytest.raises(QuotaExhausted) as caught:
        await quota.take()
    assert caught.value.window == "day"
    assert caught.value.reset_at == datetime(2026, 1, 6, tzinfo=ZoneInfo("UTC"))


@pytest.mark.anyio
async def test_tightest_window_governs(store: Store, clock: FakeClock) -> None:
    """With 3 a minute and 100 a day, the 4th request in a minute is refused by the minute."""
    quota = gate(store, clock, DomainPolicy(minute_quota=3, daily_quota=100))
    for _ in range(3):
        await quota.take()
    with pytest.raises(QuotaExhausted) as caught:
        await quota.take()
    assert caught.value.window == "minute"
    clock.advance(60)
    await quota.take()
    assert await store.quota_used("jobs.example", "day:2026-01-05") == 4


@pytest.mark.anyio
async def test_unused_block_goes_back_on_close(store: Store, clock: FakeClock) -> None:
    """Blocks are reserved ahead, but after close() the store holds only the units used."""
    quota = gate(store, clock, DomainPolicy(daily_quota=1000), block=16)
    for _ in range(3):
        await quota.take()
    assert await store.quota_used("jobs.example", "day:2026-01-05") == 16
    await quota.close()
    assert await store.quota_used("jobs.example", "day:2026-01-05") == 3


@pytest.mark.anyio
async def test_day_boundary_starts_a_new_window(store: Store, clock: FakeClock) -> None:
    """At midnight the old block is returned and the new day's quota is used."""
    quota = gate(store, clock, DomainPolicy(daily_quota=100), block=16)
    await quota.take()
    clock.advance(12 * 3600)
    await quota.take()
    assert await store.quota_used("jobs.example", "day:2026-01-05") == 1
    assert await store.quota_used("jobs.example", "day:2026-01-06") == 10


@pytest.mark.anyio
async def test_block_shrinks_so_the_limit_is_reached_exactly(
    store: Store, clock: FakeClock
) -> None:
    """Two gates sharing a limit of 25 with blocks of 2 together take exactly 25 units."""
    policy = DomainPolicy(daily_quota=25)
    first, second = gate(store, clock, policy), gate(store, clock, policy)
    taken = 0
    for quota in (first, second) * 20:
        try:
            await quota.take()
            taken += 1
        except QuotaExhausted:
            pass
    assert taken == 25
    assert await store.quota_used("jobs.example", "day:2026-01-05") == 25


@pytest.mark.anyio
async def test_refused_attempt_gives_its_unit_back(
    make_client: ClientFactory, server: HostileServer, store: Store, clock: FakeClock
) -> None:
    """An attempt refused by the open breaker does not use quota."""
    policy = DomainPolicy(daily_quota=100, retry_attempts=1, breaker_failure_threshold=1)
    async with make_client(policy) as client:
        with pytest.raises(HTTPStatusError):
            await client.get_json(server.url("/status/500"))
        for _ in range(5):
            with pytest.raises(CircuitOpen):
                await client.get_json(server.url("/json"))
    assert await store.quota_used(server.domain, f"day:{clock():%Y-%m-%d}") == 1


async def _worker(database: str, url: str) -> None:
    """One OS process: send requests 8 at a time until the quota says no; print the count."""
    store = await open_store(f"sqlite:///{database}")
    sent = 0

    async def loop(client: ScrapeClient) -> None:
        nonlocal sent
        while True:
            try:
                await client.get_json(url)
            except QuotaExhausted:
                return
            sent += 1

    policy = DomainPolicy(daily_quota=500, retry_attempts=1)
    async with (
        ScrapeClient(store=store, policy=policy) as client,
        anyio.create_task_group() as tasks,
    ):
        for _ in range(8):
            tasks.start_soon(loop, client)
    await store.close()
    print(sent)  # noqa: T201 - the worker reports to the test through stdout


@pytest.mark.anyio
@pytest.mark.slow
async def test_four_processes_share_one_quota_exactly(tmp_path: Path) -> None:
    """Four OS processes with a shared limit of 500 make exactly 500 requests, together."""
    database = tmp_path / "shared.db"
    await (await open_store(f"sqlite:///{database}")).close()
    async with hostile_server() as server:
        command = [
            sys.executable,
            "-m",
            "tests.http.test_quota",
            str(database),
            server.url("/json"),
        ]
        results: list[int] = []

        async def run() -> None:
            done = await anyio.run_process(command, cwd=Path(__file__).parents[2])
            results.append(int(done.stdout))

        async with anyio.create_task_group() as tasks:
            for _ in range(4):
                tasks.start_soon(run)
    assert server.requests["/json"] == 500
    assert sum(results) == 500


if __name__ == "__main__":
    anyio.run(_worker, sys.argv[1], sys.argv[2])


@pytest.mark.anyio
async def test_domain_status_for_the_cli(store: Store, clock: FakeClock) -> None:
    """Status lists configured, used and broken domains with breaker and quota left."""
    settings = Settings(http_domains={"api.adzuna.com": {"daily_quota": 250}})
    quota = QuotaGate(
        "api.adzuna.com",
        DomainPolicies.from_settings(settings)("api.adzuna.com"),
        store,
        tz=ZoneInfo("UTC"),
        now=clock,
        block=1,
    )
    for _ in range(3):
        await quota.take()
    retry_at = clock() + timedelta(seconds=60)
    await store.save_breaker(BreakerSnapshot("jobs.example", "open", 5, clock(), retry_at, 60))
    statuses = {s.domain: s for s in await domain_status(store, settings, now=clock())}
    adzuna = statuses["api.adzuna.com"].to_dict()
    assert adzuna["breaker"] == "closed"
    assert adzuna["quotas"]["day"] == {
        "used": 3,
        "limit": 250,
        "left": 247,
        "resets_at": "2026-01-06T00:00:00+00:00",
    }
    assert statuses["jobs.example"].breaker == "open"
    assert statuses["jobs.example"].quotas == []


@pytest.mark.anyio
async def test_the_block_grows_with_demand_up_to_a_tenth_of_the_limit(
    store: Store, clock: FakeClock
) -> None:
    """Regression (#16): blocks used up within a second double, 16 → 32 → 64 → 100 (cap)."""
    quota = gate(store, clock, DomainPolicy(daily_quota=1000), block=16)
    blocks = []
    for _ in range(16 + 32 + 64 + 1):
        await quota.take()
        if quota.block not in blocks:
            blocks.append(quota.block)

    assert blocks == [16, 32, 64, 100]
    assert await store.quota_used("jobs.example", "day:2026-01-05") == 16 + 32 + 64 + 100


@pytest.mark.anyio
async def test_the_block_shrinks_back_when_demand_is_slow(store: Store, clock: FakeClock) -> None:
    """A block that lasted over ten seconds halves the next one, never below the first size."""
    quota = gate(store, clock, DomainPolicy(daily_quota=10_000), block=4)
    for _ in range(4 + 8):  # fast: the second block doubled
        await quota.take()
    assert quota.block == 8
    clock.advance(11)
    for _ in range(8 + 1):
        await quota.take()
        clock.advance(11)
    assert quota.block == 4
