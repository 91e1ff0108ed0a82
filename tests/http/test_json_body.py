"""A JSON body left undecoded (``get_json_body``) decodes elsewhere to what ``get_json`` gives.

Parse workers decode their pages themselves (#16): the run's process sends them the body. The
value, or the ``PayloadError`` (its message, URL and scrubbed secrets), must be the one
``get_json`` gives for the same answer; the invalid UTF-8 bytes replaced are counted where the
body is decoded.
"""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from jobping.errors import PayloadError
from jobping.http import DomainPolicy, ScrapeClient
from jobping.http._payload import JsonBody
from tests.http.conftest import ClientFactory, Events
from tests.servers import HostileServer

pytestmark = pytest.mark.anyio

ONE_SHOT = DomainPolicy(retry_attempts=1, breaker_failure_threshold=100)
SECRET = "hush-1234567890"  # noqa: S105 - a made-up key, to see it redacted


async def outcome(client: ScrapeClient, url: str, *, raw: bool) -> tuple[str, Any]:
    """What a JSON GET gives: ("value", decoded) or ("error", (message, url)).

    With ``raw`` the body goes through ``get_json_body`` and is decoded after a pickle round
    trip, as a parse worker gets it.
    """
    try:
        if not raw:
            return "value", await client.get_json(url)
        body = await client.get_json_body(url)
        sent: JsonBody = pickle.loads(pickle.dumps(body))  # noqa: S301 - our own bytes
        return "value", sent.decode()
    except PayloadError as exc:
        return "error", (str(exc), exc.url)


@pytest.mark.parametrize(
    "path", ["/json?size=300", "/bom", "/html", "/truncated", "/deep?depth=100000", "/bad_utf8"]
)
async def test_an_undecoded_body_decodes_to_what_get_json_gives(
    make_client: ClientFactory, server: HostileServer, path: str
) -> None:
    """Value or error, the same both ways; the key in the URL is redacted in the error."""
    url = server.url(path) + ("&" if "?" in path else "?") + f"api_key={SECRET}"
    async with make_client(ONE_SHOT) as client:
        direct = await outcome(client, url, raw=False)
        undecoded = await outcome(client, url, raw=True)

    assert undecoded == direct
    assert SECRET not in repr(undecoded)
    if path == "/truncated":  # an error found where the body is decoded, not before
        assert direct[0] == "error" and "invalid JSON" in direct[1][0]


async def test_html_raises_at_once_and_the_rest_is_found_where_it_is_decoded(
    make_client: ClientFactory, server: HostileServer
) -> None:
    """HTML raises in the client; bad UTF-8 and broken JSON are found by ``decode``.

    Their requests count as ``ok`` attempts (``get_json`` counts a ``payload`` one for broken
    JSON, and the replaced bytes in its event): ``decode`` reports the replaced bytes instead.
    """
    events = Events()
    async with make_client(ONE_SHOT, hooks=[events]) as client:
        body = await client.get_json_body(server.url("/json?size=100"))
        with pytest.raises(PayloadError, match="expected JSON, got HTML"):
            await client.get_json_body(server.url("/html"))
        bad_utf8 = await client.get_json_body(server.url("/bad_utf8"))
        truncated = await client.get_json_body(server.url("/truncated"))

    assert body.body.startswith(b'{"ok": true') and "body" not in repr(body)
    replaced: list[int] = []
    assert bad_utf8.decode(replaced.append) == {
        "jobs": [{"title": "Caf\ufffd manager"}, {"title": "Ing\ufffdnieur \ufffd"}]
    }
    assert replaced == [3]
    with pytest.raises(PayloadError, match="invalid JSON"):
        truncated.decode()
    outcomes = [(e.outcome, e.replaced_bytes) for e in events.events]
    assert outcomes == [("ok", 0), ("payload", 0), ("ok", 0), ("ok", 0)]


async def test_a_conditional_request_may_leave_its_body_undecoded(
    make_client: ClientFactory, server: HostileServer
) -> None:
    """``get_if_changed(body_as="raw")``: the changed body is a ``JsonBody``, its hash the same."""
    url = server.url("/json?size=200")
    async with make_client(ONE_SHOT) as client:
        decoded = await client.get_if_changed(url)
        undecoded = await client.get_if_changed(url, body_as="raw")

    assert isinstance(undecoded.body, JsonBody)
    assert undecoded.body.decode() == decoded.body
    assert undecoded.validators.body_hash == decoded.validators.body_hash
