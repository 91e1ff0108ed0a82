"""``jobping.testing.replay``: recorded payloads answer a scraper's requests."""

from __future__ import annotations

import pytest

from jobping.testing import PLACEHOLDER_SECRET, replay
from scrapers.adzuna import Adzuna
from tests.scraping.helpers import Board

pytestmark = pytest.mark.anyio
JOB = {"id": 1, "title": "Dev", "url": "https://x.io/1"}
SECRETS = {"adzuna_app_id": "id-1", "adzuna_app_key": "key-2"}


async def test_keys_with_more_parameters_win() -> None:
    """``/jobs?page=2`` answers page 2, the bare ``/jobs`` every other page."""
    pages = {"/jobs": {"jobs": [JOB], "more": True}, "/jobs?page=2": {"jobs": [], "more": False}}
    result = await replay(Board(), pages, "a")

    assert [job.source_id for job in result.jobs] == ["1"]
    assert result.requests == [
        "https://api.board.example/v1/jobs?page=1",
        "https://api.board.example/v1/jobs?page=2",
    ]


async def test_required_credentials_get_a_placeholder() -> None:
    """A keyed scraper runs with a stand-in key unless ``secrets`` says otherwise."""
    page = {"count": 0, "results": []}
    result = await replay(Adzuna(), {"/gb/search/1": page}, "gb")
    assert f"app_key={PLACEHOLDER_SECRET}" in result.requests[0]

    result = await replay(Adzuna(), {"/gb/search/1": page}, "gb", secrets=SECRETS)
    assert "app_id=id-1&app_key=key-2" in result.requests[0]


async def test_a_request_without_a_payload_fails_the_test() -> None:
    """A URL no key answers is an assertion error naming the request."""
    with pytest.raises(AssertionError, match="not mocked"):
        await replay(Board(), {"/other": {}}, "a")


async def test_a_payload_never_requested_fails_the_test() -> None:
    """A payload the scraper never asked for fails, unless told that is fine."""
    pages = {"/jobs": {"jobs": [], "more": False}, "https://elsewhere.example/x": {}}
    with pytest.raises(AssertionError, match="not called"):
        await replay(Board(), pages, "a")

    result = await replay(Board(), pages, "a", assert_all_requested=False)
    assert result.jobs == []
