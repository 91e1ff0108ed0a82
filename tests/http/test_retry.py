from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
import respx

from jobping._retry import parse_retry_after
from jobping.errors import (
    Blocked,
    CircuitOpen,
    HTTPStatusError,
    PayloadError,
    RequestTimeout,
    TransportError,
)
from jobping.http import DomainPolicy
from jobping.http._call import is_retryable
from jobping.store import Store
from jobping.testing import FakeClock
from tests.http.conftest import ClientFactory, Events
from tests.servers import CAPTCHA_PAGE

URL = "https://api.jobs.example/v1/search"
OK = httpx.Response(200, json={"jobs": []})
POLICY = DomainPolicy(retry_attempts=4, retry_backoff_seconds=1, retry_max_wait_seconds=30)


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    """Route requests with respx, over httpx's own transport; every request must be routed."""
    with respx.mock(assert_all_called=False) as router:
        yield router


def _after(value: str) -> httpx.Headers:
    """Response headers with ``Retry-After: value``."""
    return httpx.Headers({"Retry-After": value})


def test_parse_retry_after_all_forms() -> None:
    """Delay-seconds, an HTTP-date and retry-after-ms give seconds; garbage and absence None."""
    now = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    assert parse_retry_after(_after("2"), now) == 2.0
    later, earlier = now + timedelta(seconds=7), now - timedelta(hours=1)
    assert parse_retry_after(_after(format_datetime(later, usegmt=True)), now) == 7.0
    assert parse_retry_after(_after(format_datetime(earlier, usegmt=True)), now) == 0.0
    assert parse_retry_after(_after("soon"), now) is None
    assert parse_retry_after(httpx.Headers(), now) is None
    assert parse_retry_after(httpx.Headers({"retry-after-ms": "1500"}), now) == 1.5
    both = httpx.Headers({"Retry-After": "9", "retry-after-ms": "250"})
    assert parse_retry_after(both, now) == 0.25  # the precise one wins
    assert parse_retry_after(_after("-3"), now) is None
    assert parse_retry_after(_after("inf"), now) is None


@pytest.mark.parametrize(
    ("error", "retryable"),
    [
        (HTTPStatusError("x", status=503), True),
        (HTTPStatusError("x", status=429), True),
        (HTTPStatusError("x", status=408), True),
        (HTTPStatusError("x", status=404), False),
        (HTTPStatusError("x", status=501), False),
        (Blocked("x", status=503), False),
        (TransportError("x"), True),
        (RequestTimeout("x"), True),
        (PayloadError("x"), False),
        (CircuitOpen("d", None), False),
    ],
)
def test_what_is_retried(error: Exception, retryable: bool) -> None:
    """Connection errors, timeouts and 408/425/429/5xx-listed statuses only; never a block."""
    assert is_retryable(error) is retryable


@pytest.mark.anyio
async def test_retries_until_success_with_jittered_backoff(
    make_client: ClientFactory, mock: respx.MockRouter, clock: FakeClock
) -> None:
    """503, 502, then 200: two retries waiting random * base * 2**n (random fixed at 1)."""
    route = mock.get(URL).mock(side_effect=[httpx.Response(503), httpx.Response(502), OK])
    async with make_client(POLICY, transport="httpx") as client:
        assert await client.get_json(URL) == {"jobs": []}
    assert route.call_count == 3
    assert clock.sleeps == [1.0, 2.0]


@pytest.mark.anyio
async def test_full_jitter_scales_the_wait(
    make_client: ClientFactory, mock: respx.MockRouter, clock: FakeClock
) -> None:
    """With random() = 0.25 the waits are a quarter of the exponential ceiling."""
    mock.get(URL).mock(side_effect=[httpx.Response(500), httpx.Response(500), OK])
    async with make_client(POLICY, transport="httpx", random=lambda: 0.25) as client:
        await client.get_json(URL)
    assert clock.sleeps == [0.25, 0.5]


@pytest.mark.anyio
async def test_retry_after_seconds_is_respected(
    make_client: ClientFactory, mock: respx.MockRouter, clock: FakeClock
) -> None:
    """A 429 with Retry-After: 2 makes the client wait exactly 2 s (on the fake clock)."""
    limited = httpx.Response(429, headers={"Retry-After": "2"})
    mock.get(URL).mock(side_effect=[limited, OK])
    async with make_client(POLICY, transport="httpx") as client:
        assert await client.get_json(URL) == {"jobs": []}
    assert clock.sleeps == [2.0]


@pytest.mark.anyio
async def test_retry_after_ms_is_respected(
    make_client: ClientFactory, mock: respx.MockRouter, clock: FakeClock
) -> None:
    """A 429 with retry-after-ms: 1500 (OpenAI's form) makes the client wait 1.5 s."""
    limited = httpx.Response(429, headers={"retry-after-ms": "1500"})
    mock.get(URL).mock(side_effect=[limited, OK])
    async with make_client(POLICY, transport="httpx") as client:
        assert await client.get_json(URL) == {"jobs": []}
    assert clock.sleeps == [1.5]


@pytest.mark.anyio
async def test_retry_after_http_date_is_respected(
    make_client: ClientFactory, mock: respx.MockRouter, clock: FakeClock
) -> None:
    """A 503 with an HTTP-date 5 s ahead makes the client wait 5 s."""
    when = format_datetime(clock() + timedelta(seconds=5), usegmt=True)
    mock.get(URL).mock(side_effect=[httpx.Response(503, headers={"Retry-After": when}), OK])
    async with make_client(POLICY, transport="httpx") as client:
        await client.get_json(URL)
    assert clock.sleeps == [5.0]


@pytest.mark.anyio
async def test_retry_after_is_capped(
    make_client: ClientFactory, mock: respx.MockRouter, clock: FakeClock
) -> None:
    """A Retry-After longer than the cap waits the cap."""
    mock.get(URL).mock(side_effect=[httpx.Response(429, headers={"Retry-After": "600"}), OK])
    async with make_client(POLICY, transport="httpx") as client:
        await client.get_json(URL)
    assert clock.sleeps == [30.0]


@pytest.mark.anyio
async def test_no_retry_whose_wait_passes_the_deadline(
    make_client: ClientFactory, mock: respx.MockRouter, clock: FakeClock
) -> None:
    """A Retry-After that would end past the request deadline gives up at once with the 429."""
    policy = POLICY.model_copy(update={"request_deadline_seconds": 10})
    route = mock.get(URL).mock(return_value=httpx.Response(429, headers={"Retry-After": "20"}))
    async with make_client(policy, transport="httpx") as client:
        with pytest.raises(HTTPStatusError) as caught:
            await client.get_json(URL)
    assert caught.value.status == 429
    assert route.call_count == 1
    assert clock.sleeps == []


@pytest.mark.anyio
async def test_gives_up_with_the_last_error_not_retry_error(
    make_client: ClientFactory, mock: respx.MockRouter
) -> None:
    """After the last attempt the caller gets the HTTPStatusError itself."""
    route = mock.get(URL).mock(return_value=httpx.Response(503))
    async with make_client(POLICY, transport="httpx") as client:
        with pytest.raises(HTTPStatusError) as caught:
            await client.get_json(URL)
    assert caught.value.status == 503
    assert route.call_count == 4


@pytest.mark.anyio
async def test_connect_errors_are_retried(
    make_client: ClientFactory, mock: respx.MockRouter
) -> None:
    """A connection error, then a success: one retry, the JSON comes back."""
    route = mock.get(URL).mock(side_effect=[httpx.ConnectError("refused"), OK])
    async with make_client(POLICY, transport="httpx") as client:
        assert await client.get_json(URL) == {"jobs": []}
    assert route.call_count == 2


@pytest.mark.anyio
@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
async def test_other_4xx_are_not_retried(
    make_client: ClientFactory, mock: respx.MockRouter, status: int
) -> None:
    """A 4xx outside 408/425/429 fails at once with its status."""
    route = mock.get(URL).mock(return_value=httpx.Response(status, json={"error": "no"}))
    async with make_client(POLICY, transport="httpx") as client:
        with pytest.raises(HTTPStatusError) as caught:
            await client.get_json(URL)
    assert (caught.value.status, route.call_count) == (status, 1)


@pytest.mark.anyio
async def test_block_page_is_not_retried(
    make_client: ClientFactory, mock: respx.MockRouter
) -> None:
    """A 503 captcha page is Blocked at once, with no second attempt."""
    page = httpx.Response(503, content=CAPTCHA_PAGE, headers={"Content-Type": "text/html"})
    route = mock.get(URL).mock(return_value=page)
    async with make_client(POLICY, transport="httpx") as client:
        with pytest.raises(Blocked) as caught:
            await client.get_json(URL)
    assert (caught.value.status, route.call_count) == (503, 1)


@pytest.mark.anyio
async def test_no_retry_once_the_breaker_opened(
    make_client: ClientFactory, mock: respx.MockRouter, clock: FakeClock
) -> None:
    """With a threshold of 2, the second 500 opens the breaker and no third attempt starts."""
    policy = POLICY.model_copy(update={"breaker_failure_threshold": 2})
    route = mock.get(URL).mock(return_value=httpx.Response(500))
    async with make_client(policy, transport="httpx") as client:
        with pytest.raises(HTTPStatusError):
            await client.get_json(URL)
    assert route.call_count == 2
    assert clock.sleeps == [1.0]


@pytest.mark.anyio
async def test_every_attempt_counts_against_the_quota(
    make_client: ClientFactory, mock: respx.MockRouter, store: Store, clock: FakeClock
) -> None:
    """Two failed attempts and a success use three units of the daily quota."""
    mock.get(URL).mock(side_effect=[httpx.Response(500), httpx.Response(500), OK])
    policy = POLICY.model_copy(update={"daily_quota": 100})
    async with make_client(policy, transport="httpx") as client:
        await client.get_json(URL)
    assert await store.quota_used("api.jobs.example", f"day:{clock():%Y-%m-%d}") == 3


@pytest.mark.anyio
async def test_events_say_what_each_attempt_did(
    make_client: ClientFactory, mock: respx.MockRouter
) -> None:
    """One event per attempt: the first says when it is retried, the last that none follows."""
    mock.get(URL).mock(side_effect=[httpx.Response(503), OK])
    events = Events()
    async with make_client(POLICY, transport="httpx", hooks=[events]) as client:
        await client.get_json(URL)
    first, last = events.events
    assert (first.attempt, first.outcome, first.status, first.retry_in) == (
        1,
        "http_status",
        503,
        1.0,
    )
    assert (last.attempt, last.outcome, last.status, last.retry_in) == (2, "ok", 200, None)
    assert client.stats.total.retries == 1
