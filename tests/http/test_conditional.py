"""Conditional GETs (#16): validators sent back, a 304 or a known body hash is not decoded.

Against the local server's ``/versioned`` page: an ETag and a Last-Modified per body, and
a 304 to a request that names them.
"""

from __future__ import annotations

import pytest

from jobping.errors import HTTPStatusError, PayloadError
from jobping.http import BreakerState, DomainPolicy
from tests.http.conftest import ClientFactory
from tests.servers import HostileServer

pytestmark = pytest.mark.anyio

POLICY = DomainPolicy(daily_quota=100, retry_attempts=1, breaker_failure_threshold=1)


def sent(server: HostileServer) -> str:
    """The head of the last request the server got, lower-cased."""
    return server.last_head.decode("latin-1").lower()


async def test_the_validators_go_back_and_a_304_counts_as_a_request_not_a_failure(
    make_client: ClientFactory, server: HostileServer
) -> None:
    """A first GET keeps ETag, Last-Modified and body hash; sent back, they get a 304.

    The 304 is a request in the quota and the stats (``not_modified``), not a failure, and
    does not count against the breaker (threshold 1 here). Old code had no conditional GET.
    """
    url = server.url("/versioned")
    async with make_client(POLICY) as client:
        first = await client.get_if_changed(url)
        assert "if-none-match" not in sent(server)
        again = await client.get_if_changed(url, previous=(first.url, first.validators))
        head = sent(server)
        stats = (await client.stats_report())["domains"][server.domain]
        breaker = client.breaker_state(server.domain)

    assert (first.freshness, first.body, first.url) == ("changed", {"jobs": []}, url)
    assert first.validators.etag is not None and first.validators.body_hash is not None
    assert first.validators.last_modified == "Mon, 23 Nov 2026 09:00:00 GMT"
    assert f"if-none-match: {first.validators.etag}" in head
    assert "if-modified-since: mon, 23 nov 2026 09:00:00 gmt" in head
    assert (again.freshness, again.body, again.validators) == (
        "not_modified",
        None,
        first.validators,
    )
    assert (stats["requests"], stats["not_modified"], stats["failures"]) == (2, 1, {})
    assert stats["quota_used"] == {"day": 2}
    assert breaker is BreakerState.CLOSED


async def test_validators_are_sent_only_to_the_url_they_came_from(
    make_client: ClientFactory, server: HostileServer
) -> None:
    """Another URL (other query parameters) gets a plain GET, and its body is decoded."""
    async with make_client(POLICY) as client:
        first = await client.get_if_changed(server.url("/versioned"))
        other = await client.get_if_changed(
            server.url("/versioned"),
            params={"body": '{"jobs": [1]}'},
            previous=(first.url, first.validators),
        )

    assert "if-none-match" not in sent(server) and "if-modified-since" not in sent(server)
    assert (other.freshness, other.body) == ("changed", {"jobs": [1]})


async def test_a_known_body_hash_is_not_decoded(
    make_client: ClientFactory, server: HostileServer
) -> None:
    """Without validators from the source, the same body (by hash) comes back undecoded.

    The body is not JSON: decoding it raises ``PayloadError``; with its hash known, the
    JSON GET answers ``unchanged`` and decodes nothing.
    """
    params = {"validators": "none", "body": "not json"}
    url = server.url("/versioned")
    async with make_client(POLICY) as client:
        with pytest.raises(PayloadError):
            await client.get_if_changed(url, params=params)
        text = await client.get_if_changed(url, params=params, body_as="text")
        answer = await client.get_if_changed(
            url, params=params, previous=(text.url, text.validators)
        )

    assert (text.freshness, text.body, text.validators.etag) == ("changed", "not json", None)
    assert "if-none-match" not in sent(server) and "if-modified-since" not in sent(server)
    assert (answer.freshness, answer.body) == ("unchanged", None)
    assert answer.validators.body_hash == text.validators.body_hash is not None


async def test_a_304_to_a_plain_request_is_still_an_error(
    make_client: ClientFactory, server: HostileServer
) -> None:
    """Only get_if_changed takes a 304 as an answer: get_json with the same headers raises."""
    url = server.url("/versioned")
    async with make_client(POLICY) as client:
        first = await client.get_if_changed(url)
        assert first.validators.etag is not None
        with pytest.raises(HTTPStatusError) as caught:
            await client.get_json(url, headers={"If-None-Match": first.validators.etag})

    assert caught.value.status == 304
