"""Hostile JSON bodies through the client: too deep, invalid UTF-8 (#12)."""

from __future__ import annotations

import pytest

from jobping.errors import PayloadError
from jobping.http import DomainPolicy
from tests.http.conftest import ClientFactory, Events
from tests.servers import HostileServer

ONE_SHOT = DomainPolicy(retry_attempts=1, breaker_failure_threshold=100)


@pytest.mark.anyio
@pytest.mark.parametrize("depth", [200_000, 5_000])
async def test_json_nested_too_deep_is_a_payload_error(
    make_client: ClientFactory, server: HostileServer, depth: int
) -> None:
    """A body nested past the decoder's depth limit raises PayloadError, not RecursionError."""
    events = Events()
    async with make_client(ONE_SHOT, hooks=[events]) as client:
        with pytest.raises(PayloadError, match="nested deeper than the decoder's depth limit"):
            await client.get_json(server.url(f"/deep?depth={depth}"))
        assert await client.get_json(server.url("/deep?depth=50")) is not None
    assert [event.outcome for event in events.events] == ["payload", "ok"]


@pytest.mark.anyio
@pytest.mark.parametrize("transport", ["aiohttp", "httpx"])
async def test_invalid_utf8_bytes_are_replaced_and_counted(
    make_client: ClientFactory, server: HostileServer, transport: str
) -> None:
    """Each invalid byte becomes U+FFFD, the page decodes, and its event counts the bytes."""
    events = Events()
    async with make_client(ONE_SHOT, transport=transport, hooks=[events]) as client:
        page = await client.get_json(server.url("/bad_utf8"))
        await client.get_json(server.url("/json"))
    assert page == {"jobs": [{"title": "Caf\ufffd manager"}, {"title": "Ing\ufffdnieur \ufffd"}]}
    assert [(e.outcome, e.replaced_bytes) for e in events.events] == [("ok", 3), ("ok", 0)]
