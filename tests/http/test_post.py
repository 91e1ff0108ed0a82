"""post_json (a search read through a POST) and get_text, on a real local server and on respx."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
import respx

from jobping.errors import HTTPStatusError
from jobping.http import DomainPolicy
from jobping.sandbox import serve_sandbox
from jobping.testing import FakeClock
from tests.http.conftest import ClientFactory, Events

URL = "https://acme.wd1.myworkdayjobs.com/wday/cxs/acme/External/jobs"
POLICY = DomainPolicy(retry_attempts=3, retry_backoff_seconds=1, retry_max_wait_seconds=30)

pytestmark = pytest.mark.anyio


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    """Route requests with respx, over httpx's own transport."""
    with respx.mock(assert_all_called=False) as router:
        yield router


async def test_a_post_reaches_a_real_server_with_its_json_body(make_client: ClientFactory) -> None:
    """Over the default aiohttp transport, the sandbox's Workday reads offset and limit."""
    async with serve_sandbox() as sandbox, make_client() as client:
        url = f"{sandbox.base_urls['workday']}/wday/cxs/sandbox/Workday/jobs"
        page = await client.post_json(url, json={"offset": 2, "limit": 1, "searchText": ""})
        everything = await client.post_json(url, json={"offset": 0, "limit": 20})
    assert page["total"] == 4
    assert page["jobPostings"] == everything["jobPostings"][2:3]


async def test_a_refused_post_is_an_http_status_error(make_client: ClientFactory) -> None:
    """A body the server refuses (a limit above Workday's 20) fails with its status."""
    async with serve_sandbox() as sandbox, make_client(DomainPolicy(retry_attempts=1)) as client:
        url = f"{sandbox.base_urls['workday']}/wday/cxs/sandbox/Workday/jobs"
        with pytest.raises(HTTPStatusError) as refused:
            await client.post_json(url, json={"offset": 0, "limit": 500})
    assert refused.value.status == 400


async def test_get_text_reads_an_xml_feed(make_client: ClientFactory) -> None:
    """get_text returns the decoded body of a non-JSON page (Personio's XML feed)."""
    async with serve_sandbox() as sandbox, make_client() as client:
        url = sandbox.base_urls["personio"].replace("{company}", "personio")
        text = await client.get_text(f"{url}/xml")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<workzag-jobs>')
    assert "Personio SE &amp; Co. KG" in text


async def test_a_post_is_retried_like_a_get_with_the_same_body(
    make_client: ClientFactory, mock: respx.MockRouter, clock: FakeClock
) -> None:
    """A 503 then a 200: the POST is sent again, same JSON body, after the backoff."""
    events = Events()
    route = mock.post(URL).mock(
        side_effect=[httpx.Response(503), httpx.Response(200, json={"total": 0})]
    )
    body = {"appliedFacets": {}, "limit": 20, "offset": 0, "searchText": "nurse"}
    async with make_client(POLICY, transport="httpx", hooks=[events]) as client:
        assert await client.post_json(URL, json=body) == {"total": 0}
    assert route.call_count == 2
    sent = [call.request for call in route.calls]
    assert {request.method for request in sent} == {"POST"}
    assert [json.loads(request.content) for request in sent] == [body, body]
    assert sent[0].headers["Content-Type"] == "application/json"
    assert clock.sleeps == [1.0]
    assert [event.method for event in events.events] == ["POST", "POST"]
