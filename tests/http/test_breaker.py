from __future__ import annotations

from datetime import timedelta

import anyio
import pytest

from jobping.errors import CircuitOpen, HTTPStatusError, JobPingError, RateLimited
from jobping.http import BreakerState, DomainPolicy, ScrapeClient
from jobping.http._breaker import BreakerSignal, CircuitBreaker
from jobping.store import Store
from jobping.testing import FakeClock
from tests.http.conftest import ClientFactory
from tests.servers import HostileServer


def make_breaker(clock: FakeClock, threshold: int = 3) -> CircuitBreaker:
    """A breaker on the fake clock: 10 s cooldown, capped at 35 s."""
    return CircuitBreaker(
        "jobs.example",
        threshold=threshold,
        cooldown_seconds=10,
        max_cooldown_seconds=35,
        clock=clock,
    )


def state(breaker: CircuitBreaker) -> BreakerState:
    """The breaker's state (a call, so mypy does not carry a narrowed property along)."""
    return breaker.state


def is_open(breaker: CircuitBreaker) -> bool:
    """Whether the breaker fails calls fast (a call, as ``state``)."""
    return breaker.is_open


def fail(
    breaker: CircuitBreaker, times: int, signal: BreakerSignal = BreakerSignal.FAILURE
) -> None:
    """Record ``times`` signals of ordinary (non-probe) calls."""
    for _ in range(times):
        probe, _transition = breaker.admit()
        breaker.record(signal, probe)


def test_opens_at_the_threshold(clock: FakeClock) -> None:
    """Two failures leave it closed; the third opens it until now + cooldown."""
    breaker = make_breaker(clock)
    fail(breaker, 2)
    assert state(breaker) is BreakerState.CLOSED
    fail(breaker, 1)
    assert state(breaker) is BreakerState.OPEN
    assert breaker.retry_at == clock() + timedelta(seconds=10)


def test_success_resets_the_count(clock: FakeClock) -> None:
    """A success between failures (a 404 counts as one) starts the count over."""
    breaker = make_breaker(clock)
    fail(breaker, 2)
    fail(breaker, 1, BreakerSignal.SUCCESS)
    fail(breaker, 2)
    assert state(breaker) is BreakerState.CLOSED


def test_lone_429s_do_not_open_but_persistent_ones_do(clock: FakeClock) -> None:
    """A 429 followed by a success never counts; from the second 429 in a row each counts."""
    breaker = make_breaker(clock)
    for _ in range(5):
        fail(breaker, 1, BreakerSignal.THROTTLED)
        fail(breaker, 1, BreakerSignal.SUCCESS)
    assert state(breaker) is BreakerState.CLOSED
    fail(breaker, 3, BreakerSignal.THROTTLED)
    assert state(breaker) is BreakerState.CLOSED
    fail(breaker, 1, BreakerSignal.THROTTLED)
    assert state(breaker) is BreakerState.OPEN


def test_open_fails_fast_until_the_cooldown_ends(clock: FakeClock) -> None:
    """While open, admit() raises CircuitOpen carrying retry_at."""
    breaker = make_breaker(clock)
    fail(breaker, 3)
    clock.advance(9.9)
    with pytest.raises(CircuitOpen) as caught:
        breaker.admit()
    assert caught.value.retry_at == breaker.retry_at
    assert caught.value.domain == "jobs.example"


def test_half_open_admits_exactly_one_probe(clock: FakeClock) -> None:
    """After the cooldown, of 50 callers exactly one is admitted, as the probe."""
    breaker = make_breaker(clock)
    fail(breaker, 3)
    clock.advance(10)
    admitted, refused = [], 0
    for _ in range(50):
        try:
            admitted.append(breaker.admit())
        except CircuitOpen:
            refused += 1
    assert admitted == [(True, (BreakerState.OPEN, BreakerState.HALF_OPEN))]
    assert refused == 49


def test_probe_success_closes_and_resets_the_cooldown(clock: FakeClock) -> None:
    """The probe's success closes the breaker; the next opening uses the base cooldown."""
    breaker = make_breaker(clock)
    fail(breaker, 3)
    clock.advance(10)
    probe, _ = breaker.admit()
    assert breaker.record(BreakerSignal.SUCCESS, probe) == (
        BreakerState.HALF_OPEN,
        BreakerState.CLOSED,
    )
    fail(breaker, 3)
    assert breaker.retry_at == clock() + timedelta(seconds=10)


def test_probe_failure_reopens_with_doubled_capped_cooldown(clock: FakeClock) -> None:
    """Each failed probe doubles the cooldown: 20 s, then 35 s (the cap), then 35 s."""
    breaker = make_breaker(clock)
    fail(breaker, 3)
    for expected in (20, 35, 35):
        clock.advance(100)
        probe, _ = breaker.admit()
        assert breaker.record(BreakerSignal.FAILURE, probe) == (
            BreakerState.HALF_OPEN,
            BreakerState.OPEN,
        )
        assert breaker.retry_at == clock() + timedelta(seconds=expected)


def test_cancelled_probe_frees_the_slot_and_stays_half_open(clock: FakeClock) -> None:
    """A cancelled probe counts as nothing: the breaker stays half-open, a new probe may go."""
    breaker = make_breaker(clock)
    fail(breaker, 3)
    clock.advance(10)
    probe, _ = breaker.admit()
    breaker.cancel(probe)
    assert state(breaker) is BreakerState.HALF_OPEN
    assert breaker.admit() == (True, None)


def test_late_outcomes_of_old_calls_are_ignored_while_open(clock: FakeClock) -> None:
    """A success of a call admitted before the opening does not close the breaker."""
    breaker = make_breaker(clock)
    early, _ = breaker.admit()
    fail(breaker, 3)
    assert breaker.record(BreakerSignal.SUCCESS, early) is None
    assert state(breaker) is BreakerState.OPEN


def test_snapshot_round_trip_and_repr(clock: FakeClock) -> None:
    """A breaker rebuilt from its snapshot is open until the same time; repr shows the state."""
    breaker = make_breaker(clock)
    fail(breaker, 3)
    again = CircuitBreaker(
        "jobs.example",
        threshold=3,
        cooldown_seconds=10,
        max_cooldown_seconds=35,
        clock=clock,
        snapshot=breaker.snapshot(),
    )
    assert again.state is BreakerState.OPEN
    assert again.retry_at == breaker.retry_at
    assert repr(again).startswith("<CircuitBreaker jobs.example OPEN failures=3")


POLICY = DomainPolicy(breaker_failure_threshold=3, breaker_cooldown_seconds=30, retry_attempts=1)


async def open_the_breaker(client: ScrapeClient, server: HostileServer) -> None:
    """Three 500s in a row open the breaker of the server's host and port."""
    for _ in range(3):
        with pytest.raises(HTTPStatusError):
            await client.get_json(server.url("/status/500"))


@pytest.mark.anyio
async def test_no_request_while_open(make_client: ClientFactory, server: HostileServer) -> None:
    """Once open, calls raise CircuitOpen and the server sees no request."""
    async with make_client(POLICY, transport="aiohttp") as client:
        await open_the_breaker(client, server)
        assert client.breaker_state(server.domain) is BreakerState.OPEN
        for _ in range(5):
            with pytest.raises(CircuitOpen):
                await client.get_json(server.url("/json"))
    assert server.total_requests == 3


@pytest.mark.anyio
async def test_single_probe_with_50_concurrent_callers(
    make_client: ClientFactory, server: HostileServer, clock: FakeClock
) -> None:
    """After the cooldown, 50 concurrent callers send exactly one request (the probe)."""
    results: list[str] = []

    async def call(client: ScrapeClient) -> None:
        try:
            await client.get_json(server.url("/slow?interval=0.01"))
        except CircuitOpen:
            results.append("refused")
        except JobPingError as exc:
            results.append(type(exc).__name__)

    policy = POLICY.model_copy(update={"request_deadline_seconds": 0.3})
    async with make_client(policy) as client:
        await open_the_breaker(client, server)
        clock.advance(30)
        async with anyio.create_task_group() as tasks:
            for _ in range(50):
                tasks.start_soon(call, client)
    assert server.requests["/slow"] == 1
    assert sorted(results) == ["RequestTimeout"] + ["refused"] * 49


@pytest.mark.anyio
async def test_state_is_restored_by_a_new_client(
    make_client: ClientFactory, server: HostileServer, store: Store, clock: FakeClock
) -> None:
    """A new client on the same store starts with the breaker open until its cooldown ends."""
    async with make_client(POLICY) as first:
        await open_the_breaker(first, server)
    assert (await store.load_breakers())[server.domain].state == "open"
    async with make_client(POLICY) as second:
        with pytest.raises(CircuitOpen):
            await second.get_json(server.url("/json"))
        clock.advance(30)
        assert await second.get_json(server.url("/json")) == {"ok": True, "pad": ""}
        assert second.breaker_state(server.domain) is BreakerState.CLOSED
    assert server.requests["/json"] == 1
    assert (await store.load_breakers())[server.domain].state == "closed"


def test_a_rate_limit_refuses_every_call_until_its_time_then_closes(clock: FakeClock) -> None:
    """Rate-limited: ``RateLimited`` with the reason until ``until``, then closed, clean (#12)."""
    breaker = make_breaker(clock)
    fail(breaker, 2)
    until = clock() + timedelta(seconds=3600)

    assert breaker.limit(until, 3600, 0) == (BreakerState.CLOSED, BreakerState.RATE_LIMITED)

    assert state(breaker) is BreakerState.RATE_LIMITED and is_open(breaker)
    with pytest.raises(RateLimited) as caught:
        breaker.admit()
    assert (caught.value.until, caught.value.status) == (until, None)
    assert caught.value.reason == "Retry-After 3600s, longer than the retry cap"
    clock.advance(3599)
    with pytest.raises(RateLimited):
        breaker.admit()
    clock.advance(1)
    assert state(breaker) is BreakerState.CLOSED and not is_open(breaker)
    assert breaker.admit() == (False, (BreakerState.RATE_LIMITED, BreakerState.CLOSED))
    fail(breaker, 2)
    assert state(breaker) is BreakerState.CLOSED  # the failures before the limit are forgotten


def test_a_rate_limit_is_extended_never_shortened_and_outlives_other_signals(
    clock: FakeClock,
) -> None:
    """A later ``until`` extends it, an earlier one does not; late answers change nothing."""
    breaker = make_breaker(clock, threshold=1)
    probe, _ = breaker.admit()
    breaker.limit(clock() + timedelta(seconds=600), 600, 3)
    assert breaker.refusal().reason == "3 HTTP 429 in a row without Retry-After"

    assert breaker.limit(clock() + timedelta(seconds=60), 60, 0) is None
    breaker.record(BreakerSignal.FAILURE, probe)  # a call sent before: moot
    breaker.record(BreakerSignal.SUCCESS, probe)
    assert breaker.retry_at == clock() + timedelta(seconds=600)
    assert state(breaker) is BreakerState.RATE_LIMITED

    assert breaker.limit(clock() + timedelta(seconds=900), 900, 0) is None
    assert breaker.retry_at == clock() + timedelta(seconds=900)
    assert breaker.refusal(429).reason == "Retry-After 900s, longer than the retry cap"


def test_a_rate_limited_snapshot_restores_its_time_and_reason(clock: FakeClock) -> None:
    """The snapshot keeps the state, the time and the reason; a new breaker refuses the same."""
    breaker = make_breaker(clock)
    until = clock() + timedelta(seconds=600)
    breaker.limit(until, 600, 3)

    snapshot = breaker.snapshot()
    restored = CircuitBreaker(
        "jobs.example",
        threshold=3,
        cooldown_seconds=10,
        max_cooldown_seconds=35,
        clock=clock,
        snapshot=snapshot,
    )

    assert (snapshot.state, snapshot.retry_at, snapshot.opened_at) == (
        "rate_limited",
        until,
        clock(),
    )
    with pytest.raises(RateLimited) as caught:
        restored.admit()
    assert str(caught.value) == (
        f"jobs.example: rate-limited until {until.isoformat()}"
        " (3 HTTP 429 in a row without Retry-After)"
    )
    assert "RATE_LIMITED" in repr(restored) and "3 HTTP 429" in repr(restored)
