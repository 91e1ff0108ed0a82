"""Redirected GETs carry no body and no body headers, on both transports (#12)."""

from __future__ import annotations

import pytest

from jobping.http import DomainPolicy
from tests.http.conftest import ClientFactory
from tests.servers import MALFORMED, HostileServer

ONE_SHOT = DomainPolicy(retry_attempts=1, breaker_failure_threshold=100)
BODY_HEADERS = (b"content-type:", b"content-length:", b"transfer-encoding:")


@pytest.mark.anyio
@pytest.mark.parametrize("transport", ["aiohttp", "httpx"])
@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
async def test_a_redirected_get_sends_no_body_and_no_body_headers(
    make_client: ClientFactory, server: HostileServer, transport: str, code: int
) -> None:
    """The redirected GET is a plain GET: nothing a keep-alive server could misread."""
    async with make_client(ONE_SHOT, transport=transport) as client:
        assert await client.get_json(server.url(f"/redirect/{code}?to=/json")) == {
            "ok": True,
            "pad": "",
        }
        # The same connection serves the next request: a stray body would answer it 400.
        assert await client.get_json(server.url("/json")) == {"ok": True, "pad": ""}
    redirected = next(head for head in server.heads if head.startswith(b"GET /json "))
    lowered = redirected.lower()
    assert [name for name in BODY_HEADERS if name in lowered] == []
    assert server.requests[MALFORMED] == 0
    assert server.requests["/json"] == 2
    assert server.connections == 1
