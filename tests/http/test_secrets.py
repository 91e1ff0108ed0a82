from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Awaitable, Callable
from functools import partial

import pytest

from jobping.errors import JobPingError
from jobping.http import DomainPolicy, ScrapeClient
from tests.http.conftest import ClientFactory, Events
from tests.servers import HostileServer, closed_port

SENTINEL = "sk-SENTINEL-7f3a9c"
HEADER_SENTINEL = "rapid-SENTINEL-22b8"


PATHS = ["/json", "/status/404", "/status/503", "/echo", "/captcha", "/reset", "/slow"]


@pytest.mark.anyio
@pytest.mark.parametrize("transport", ["aiohttp", "httpx"])
async def test_secrets_never_leak(
    make_client: ClientFactory,
    server: HostileServer,
    caplog: pytest.LogCaptureFixture,
    transport: str,
) -> None:
    """A key in the query and in a header is absent from logs, errors, events and stats."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.WARNING, logger="httpx")  # as jobping.log configures it
    caplog.set_level(logging.WARNING, logger="httpcore")
    events = Events()
    texts: list[str] = []
    headers = {"X-RapidAPI-Key": HEADER_SENTINEL}
    policy = DomainPolicy(retry_attempts=2, request_deadline_seconds=0.3)
    port = closed_port()

    async def attempt(call: Callable[[], Awaitable[object]]) -> None:
        try:
            await call()
        except JobPingError as exc:
            texts.extend([str(exc), repr(exc), "".join(traceback.format_exception(exc))])

    async with make_client(policy, transport=transport, hooks=[events]) as client:
        for path in PATHS:
            url = server.url(f"{path}?app_id=1234&app_key={SENTINEL}&what=python")
            await attempt(partial(client.get_json, url, headers=headers))
        params = {"app_key": SENTINEL}
        refused = f"http://127.0.0.1:{port}/x"
        await attempt(lambda: client.get_json(refused, params=params, headers=headers))
        texts.append(json.dumps(await client.stats_report()))
        texts.append(repr(client))
    texts += [repr(event) for event in events.events]
    texts.append(caplog.text)
    assert len(events.events) >= len(PATHS)
    assert any("[REDACTED]" in event.url for event in events.events)
    for text in texts:
        assert SENTINEL not in text
        assert HEADER_SENTINEL not in text


def test_client_repr_shows_state_only() -> None:
    """The client's repr names its state and registry size."""
    client = ScrapeClient(transport="httpx")
    assert repr(client) == "<ScrapeClient closed <DomainRegistry 0/1024 domains>>"


@pytest.mark.anyio
@pytest.mark.parametrize("cut", [1, 8, 20])
async def test_a_key_echoed_at_the_preview_cut_is_not_half_shown(
    make_client: ClientFactory, server: HostileServer, cut: int
) -> None:
    """A body echoing the bare key where the 120-character preview ends shows no prefix (#12)."""
    key = "MRKJSEARCHKEY0123456789abcdef"
    pad = 120 - len("<html><body>") - len("seen ") - cut  # the preview's cut falls `cut` into it
    async with make_client(DomainPolicy(retry_attempts=1)) as client:
        with pytest.raises(JobPingError) as caught:
            await client.get_json(server.url(f"/echo?pad={pad}&seen=1&api_key={key}"))
    message = str(caught.value)
    assert "expected JSON, got HTML" in message
    assert "seen " in message
    assert key[:4] not in message
