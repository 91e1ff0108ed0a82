from __future__ import annotations

import json
from pathlib import Path

import anyio
import httpx
import pytest

from jobping.errors import (
    Blocked,
    HTTPStatusError,
    PayloadError,
    RequestTimeout,
    ResponseTooLarge,
    ScrapeError,
    TransportError,
)
from jobping.http import DomainPolicy, RequestEvent, ScrapeClient
from jobping.http._payload import decode_json
from jobping.settings import Settings
from tests.http.conftest import ClientFactory, Events
from tests.servers import HostileServer, closed_port

ONE_SHOT = DomainPolicy(retry_attempts=1, breaker_failure_threshold=100)
BOM_FIXTURE = Path("/work/shared/fixtures/remotive/workverse-remote-jobs-full-35jobs-BOM.json")


@pytest.mark.anyio
@pytest.mark.parametrize("transport", ["aiohttp", "httpx"])
async def test_connections_are_reused(
    make_client: ClientFactory, server: HostileServer, transport: str
) -> None:
    """200 requests, 10 at a time, open at most 10 TCP connections (keep-alive pool)."""

    async def worker(client: ScrapeClient) -> None:
        for _ in range(20):
            assert await client.get_json(server.url("/json?size=2000")) is not None

    async with (
        make_client(ONE_SHOT, transport=transport) as client,
        anyio.create_task_group() as tasks,
    ):
        for _ in range(10):
            tasks.start_soon(worker, client)
    assert server.requests["/json"] == 200
    assert server.connections <= 10


@pytest.mark.anyio
async def test_aiohttp_pool_counts_its_connections(
    make_client: ClientFactory, server: HostileServer
) -> None:
    """The client's own count of opened connections matches the server's."""
    async with make_client(ONE_SHOT) as client:
        for _ in range(5):
            await client.get_json(server.url("/json"))
        report = await client.stats_report()
    assert report["total"]["connections_opened"] == server.connections == 1


@pytest.mark.anyio
async def test_utf8_bom_is_skipped(make_client: ClientFactory, server: HostileServer) -> None:
    """A JSON body after a UTF-8 BOM decodes."""
    async with make_client(ONE_SHOT) as client:
        assert await client.get_json(server.url("/bom")) == {"jobs": [1, 2]}


def test_real_bom_fixture_decodes() -> None:
    """The recorded Remotive payload with a BOM decodes through the client's decoder."""
    if not BOM_FIXTURE.exists():
        pytest.skip("shared fixtures not present")
    body = BOM_FIXTURE.read_bytes()
    assert body.startswith(b"\xef\xbb\xbf")
    headers = httpx.Headers({"content-type": "application/json"})
    data = decode_json(200, headers, body, url="u", secrets=list)
    assert data == json.loads(body.decode("utf-8-sig"))


@pytest.mark.anyio
async def test_html_where_json_expected_names_url_status_and_first_bytes(
    make_client: ClientFactory, server: HostileServer
) -> None:
    """HTML instead of JSON is a PayloadError with the URL, the status and the body's start."""
    async with make_client(ONE_SHOT) as client:
        with pytest.raises(PayloadError) as caught:
            await client.get_json(server.url("/html"))
    message = str(caught.value)
    assert server.url("/html") in message
    assert "HTTP 200" in message
    assert "Welcome to our careers page" in message
    assert caught.value.url == server.url("/html")


@pytest.mark.anyio
@pytest.mark.parametrize("status", [403, 429, 503, 200])
async def test_captcha_page_is_blocked_once_and_counts_for_the_breaker(
    make_client: ClientFactory, server: HostileServer, status: int
) -> None:
    """A captcha page (also a 200 where JSON was expected) is Blocked, sent once, a failure."""
    policy = DomainPolicy(retry_attempts=3, breaker_failure_threshold=1)
    async with make_client(policy) as client:
        with pytest.raises(Blocked) as caught:
            await client.get_json(server.url(f"/captcha?status={status}"))
        assert str(client.breaker_state(server.domain)) == "open"
    assert caught.value.status == status
    assert server.requests["/captcha"] == 1


@pytest.mark.anyio
async def test_html_text_page_is_fine_for_get_text(
    make_client: ClientFactory, server: HostileServer
) -> None:
    """get_text returns an HTML body as text."""
    async with make_client(ONE_SHOT) as client:
        assert "careers" in await client.get_text(server.url("/html"))


@pytest.mark.anyio
async def test_slow_drip_body_hits_the_total_deadline(
    make_client: ClientFactory, server: HostileServer
) -> None:
    """A body dripping a byte every 10 ms never trips the read timeout, but the deadline."""
    policy = ONE_SHOT.model_copy(update={"request_deadline_seconds": 0.3})
    async with make_client(policy, read_timeout_seconds=5) as client:
        with pytest.raises(RequestTimeout, match="deadline"):
            await client.get_json(server.url("/slow?interval=0.01"))


@pytest.mark.anyio
@pytest.mark.parametrize("transport", ["aiohttp", "httpx"])
async def test_read_timeout(
    make_client: ClientFactory, server: HostileServer, transport: str
) -> None:
    """A gap between chunks longer than the read timeout is a RequestTimeout."""
    async with make_client(ONE_SHOT, transport=transport, read_timeout_seconds=0.1) as client:
        with pytest.raises(RequestTimeout, match="timed out"):
            await client.get_json(server.url("/slow?interval=1"))


@pytest.mark.anyio
@pytest.mark.parametrize("transport", ["aiohttp", "httpx"])
@pytest.mark.parametrize("path", ["/reset", "/reset_body"])
async def test_connection_reset_is_a_retried_transport_error(
    make_client: ClientFactory, server: HostileServer, transport: str, path: str
) -> None:
    """A reset before or during the body is a TransportError (not a timeout), retried."""
    policy = DomainPolicy(retry_attempts=3)
    async with make_client(policy, transport=transport) as client:
        with pytest.raises(TransportError) as caught:
            await client.get_json(server.url(path))
    assert not isinstance(caught.value, RequestTimeout)
    assert server.requests[path] == 3


@pytest.mark.anyio
async def test_connection_refused_is_a_transport_error(make_client: ClientFactory) -> None:
    """Nothing listening on the port: TransportError."""
    port = closed_port()
    async with make_client(ONE_SHOT) as client:
        with pytest.raises(TransportError):
            await client.get_json(f"http://127.0.0.1:{port}/json")


@pytest.mark.anyio
@pytest.mark.parametrize("query", ["size=300000", "size=300000&chunked=1"])
async def test_size_cap_aborts_the_download(
    make_client: ClientFactory, server: HostileServer, query: str
) -> None:
    """A body past max_response_bytes (declared or streamed) is ResponseTooLarge, not retried."""
    policy = DomainPolicy(max_response_bytes=100_000, retry_attempts=3)
    async with make_client(policy) as client:
        with pytest.raises(ResponseTooLarge):
            await client.get_json(server.url(f"/big?{query}"))
    assert server.requests["/big"] == 1


@pytest.mark.anyio
async def test_404_is_an_http_status_error(
    make_client: ClientFactory, server: HostileServer
) -> None:
    """A 404 raises HTTPStatusError(404) and leaves the breaker closed."""
    async with make_client(DomainPolicy(breaker_failure_threshold=1)) as client:
        with pytest.raises(HTTPStatusError) as caught:
            await client.get_json(server.url("/status/404"))
        assert str(client.breaker_state(server.domain)) == "closed"
    assert caught.value.status == 404


@pytest.mark.anyio
@pytest.mark.parametrize("url", ["ftp://127.0.0.1/x", "/relative/path", "http://"])
async def test_bad_urls_are_clear_errors(make_client: ClientFactory, url: str) -> None:
    """A URL that is not absolute http(s) is a ScrapeError naming it."""
    async with make_client(ONE_SHOT) as client:
        with pytest.raises(ScrapeError, match=r"URL|invalid"):
            await client.get_json(url)


@pytest.mark.anyio
async def test_closed_client_refuses_requests(make_client: ClientFactory) -> None:
    """Using a client outside `async with` is a clear RuntimeError."""
    client = make_client(ONE_SHOT)
    with pytest.raises(RuntimeError, match="async with"):
        await client.get_json("http://127.0.0.1:1/json")


@pytest.mark.anyio
async def test_a_raising_hook_never_breaks_a_request(
    make_client: ClientFactory, server: HostileServer, caplog: pytest.LogCaptureFixture
) -> None:
    """A hook that raises is logged; the request and the other hooks go on."""

    def broken(event: RequestEvent) -> None:
        raise ValueError("hook bug")

    events = Events()
    async with make_client(ONE_SHOT, hooks=[broken, events]) as client:
        assert await client.get_json(server.url("/json")) == {"ok": True, "pad": ""}
    assert [e.outcome for e in events.events] == ["ok"]
    assert "hook" in caplog.text


@pytest.mark.anyio
async def test_cancelled_request_frees_its_slot(
    make_client: ClientFactory, server: HostileServer
) -> None:
    """With one slot per domain, a request cancelled mid-body leaves the slot free."""
    policy = ONE_SHOT.model_copy(update={"max_concurrency": 1})
    async with make_client(policy) as client:
        with anyio.move_on_after(0.1):
            await client.get_json(server.url("/slow?interval=0.01"))
        with anyio.fail_after(2):
            assert await client.get_json(server.url("/json")) == {"ok": True, "pad": ""}


@pytest.mark.anyio
async def test_stats_count_requests_failures_and_latency(
    make_client: ClientFactory, server: HostileServer
) -> None:
    """Stats show requests, retries, failures by kind, bytes and latency percentiles."""
    async with make_client(DomainPolicy(retry_attempts=2)) as client:
        await client.get_json(server.url("/json"))
        with pytest.raises(HTTPStatusError):
            await client.get_json(server.url("/status/500"))
        report = await client.stats_report()
    domain = report["domains"][server.domain]
    assert domain["requests"] == 3
    assert domain["retries"] == 1
    assert domain["failures"] == {"http_status": 2}
    assert domain["bytes"] > 0
    assert domain["latency_seconds"]["p50"] is not None
    assert report["total"]["requests"] == 3
    json.dumps(report)


@pytest.mark.anyio
async def test_quota_used_and_left_in_stats(
    make_client: ClientFactory, server: HostileServer
) -> None:
    """A domain with a quota reports units used and left per window."""
    async with make_client(DomainPolicy(daily_quota=50, minute_quota=20)) as client:
        for _ in range(3):
            await client.get_json(server.url("/json"))
        report = await client.stats_report()
    domain = report["domains"][server.domain]
    assert domain["quota_used"] == {"minute": 3, "day": 3}
    assert domain["quota_left"] == {"minute": 17, "day": 47}


def test_from_settings_uses_the_http_settings() -> None:
    """from_settings takes pool size, UA, transport and per-domain policies from Settings."""
    settings = Settings(
        http_transport="httpx",
        http_user_agent="TestBot/1",
        http_domains={"example.com": {"daily_quota": 7}},
    )
    client = ScrapeClient.from_settings(settings, None)
    assert client._http.headers["User-Agent"] == "TestBot/1"
    with pytest.raises(ScrapeError, match="needs a store"):
        client._transport.state("api.example.com")


@pytest.mark.anyio
async def test_default_headers_name_jobping_and_accept_gzip(
    make_client: ClientFactory, server: HostileServer
) -> None:
    """Requests carry a JobPing User-Agent, accept gzip, and ask for JSON in get_json."""
    async with make_client(ONE_SHOT) as client:
        headers = await client.get_json(server.url("/headers"))
    assert headers["user-agent"].startswith("JobPing/")
    assert "gzip" in headers["accept-encoding"]
    assert headers["accept"] == "application/json"


@pytest.mark.anyio
@pytest.mark.parametrize("transport", ["aiohttp", "httpx"])
async def test_gzip_is_decoded_and_capped_after_decoding(
    make_client: ClientFactory, server: HostileServer, transport: str
) -> None:
    """A gzip body decodes; one that inflates past the cap is ResponseTooLarge."""
    policy = ONE_SHOT.model_copy(update={"max_response_bytes": 50_000})
    async with make_client(policy, transport=transport) as client:
        assert await client.get_json(server.url("/gzip?size=10000")) == {"pad": " " * 10000}
        with pytest.raises(ResponseTooLarge):
            await client.get_json(server.url("/gzip?size=1000000"))


@pytest.mark.anyio
@pytest.mark.parametrize("transport", ["aiohttp", "httpx"])
async def test_a_cookie_set_by_a_response_is_sent_on_the_next(
    make_client: ClientFactory, server: HostileServer, transport: str
) -> None:
    """The cookie jar works on both transports (the client skips it only without Set-Cookie)."""
    async with make_client(transport=transport) as client:
        await client.get_json(server.url("/cookie?value=first"))
        echoed = await client.get_json(server.url("/headers"))
        assert echoed["cookie"] == "session=first"
        await client.get_json(server.url("/json"))  # a response without cookies changes nothing
        echoed = await client.get_json(server.url("/headers"))
        assert echoed["cookie"] == "session=first"


@pytest.mark.anyio
async def test_a_cookie_set_on_a_redirect_is_sent_to_its_target(
    make_client: ClientFactory, server: HostileServer
) -> None:
    """A Set-Cookie on a 302 reaches the redirected request."""
    async with make_client() as client:
        echoed = await client.get_json(server.url("/cookie?value=hop&redirect=1"))
    assert echoed["cookie"] == "session=hop"
