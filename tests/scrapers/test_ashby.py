"""Ashby on recorded boards (``prelim`` with compensation, ``notion`` with workplaceType)."""

from __future__ import annotations

import pytest

from jobping import SkippedItem
from jobping.testing import replay
from scrapers.ashby import Ashby
from tests.scrapers.helpers import assert_bad_pages_fail, fields, payload, raw, spoil

pytestmark = pytest.mark.anyio


async def test_board_with_compensation_parses_fields_and_salary() -> None:
    """Prelim's three jobs; salary from the ``Salary`` summary component."""
    board = payload("ashby", "stapply-prelim-job-board-comp.json")
    result = await replay(Ashby(), {"/prelim": board}, "prelim")

    assert len(result.jobs) == 3
    assert fields(result.jobs[0]) == {
        "source_id": "949c2a58-cf59-4aa7-b0fe-0936c8dbfe0d",
        "title": "Customer Success Associate",
        "company": "prelim",
        "location": "New York",
        "city": "New York",
        "country": "US",
        "job_url": "https://jobs.ashbyhq.com/prelim/949c2a58-cf59-4aa7-b0fe-0936c8dbfe0d",
        "posted_at": "2025-08-13T06:40:03.614000+00:00",
        "work_environment": "remote",
        "salary": (90000.0, 110000.0, "USD", "year"),
    }
    assert fields(result.jobs[1]) == {
        "source_id": "62449307-e366-4c92-8d22-9a9f8ec11afa",
        "title": "Software Engineer, Product",
        "company": "prelim",
        "location": "New York",
        "city": "New York",
        "country": "US",
        "job_url": "https://jobs.ashbyhq.com/prelim/62449307-e366-4c92-8d22-9a9f8ec11afa",
        "posted_at": "2025-08-30T20:54:14.357000+00:00",
        "work_environment": "remote",
        "salary": (110000.0, 140000.0, "USD", "year"),
    }


async def test_hybrid_workplace_wins_over_is_remote() -> None:
    """Notion's ``workplaceType: Hybrid`` jobs are hybrid, in the address's city."""
    board = payload("ashby", "notion-job-board-trimmed.json")
    result = await replay(Ashby(), {"/notion": board}, "notion")

    assert [(j.work_environment.value, j.city, j.country) for j in result.jobs] == [
        ("hybrid", "New York", "US"),
        ("hybrid", "San Francisco", "US"),
        ("hybrid", "San Francisco", "US"),
    ]


async def test_board_is_one_request_and_an_empty_board_is_fine() -> None:
    """No pagination: one request; Kraken's real empty board gives no jobs and no error."""
    body = raw("ashby", "stapply-kraken-job-board-comp.json")
    result = await replay(Ashby(), {"/kraken": body}, "kraken")

    assert result.jobs == []
    url = "https://api.ashbyhq.com/posting-api/job-board/kraken?includeCompensation=true"
    assert result.requests == [url]


async def test_malformed_items_are_skipped_with_reasons() -> None:
    """A job without title, one whose ``address`` is text, and a string are skipped."""
    board = payload("ashby", "stapply-prelim-job-board-comp.json")
    board["jobs"] = spoil(board["jobs"], drop="title", wrong="address", value="NYC")
    result = await replay(Ashby(), {"/prelim": board}, "prelim")

    assert len(result.jobs) == 1
    assert result.skipped == [
        SkippedItem("949c2a58-cf59-4aa7-b0fe-0936c8dbfe0d", "no title"),
        SkippedItem(
            "62449307-e366-4c92-8d22-9a9f8ec11afa", "'address' is text, expected an object"
        ),
        SkippedItem("#2", "not a JSON object (str)"),
    ]


async def test_malformed_pages_fail_the_target() -> None:
    """HTML, an empty body, a string and a list instead of the board fail the target."""
    await assert_bad_pages_fail(Ashby(), "/acme", "acme", b'[{"id": "x"}]')
