"""Lever on the recorded Spotify postings (a real capture trimmed to two postings)."""

from __future__ import annotations

from typing import Any

import pytest

from jobping import SkippedItem
from jobping.testing import replay
from scrapers.lever import Lever
from tests.scrapers.helpers import assert_bad_pages_fail, fields, payload, spoil

pytestmark = pytest.mark.anyio


class OnePerPage(Lever):
    """Lever asking for one posting a page, so two recorded postings span two pages."""

    page_size = 1


def postings() -> list[Any]:
    """The two recorded postings."""
    return list(payload("lever", "hunt-spotify-postings-trimmed.json"))


async def test_postings_parse_with_their_fields() -> None:
    """Both postings come out field by field; the site name stands for the company."""
    result = await replay(Lever(), {"/spotify": postings()}, "spotify")

    assert len(result.jobs) == 2
    assert fields(result.jobs[0]) == {
        "source_id": "2193db3f-77c5-43b8-b030-8f92c9882bf1",
        "title": "Android Engineer - Experience",
        "company": "spotify",
        "location": "London",
        "city": "London",
        "country": "GB",
        "job_url": "https://jobs.lever.co/spotify/2193db3f-77c5-43b8-b030-8f92c9882bf1",
        "posted_at": "2026-06-23T11:29:45.805000+00:00",
        "work_environment": "hybrid",
        "salary": (None, None, None, None),
    }
    assert fields(result.jobs[1]) == {
        "source_id": "d87833d0-fb78-4794-b45d-3fe5c8274bc8",
        "title": "Artist & Label Partnerships Contractor, Vietnam",
        "company": "spotify",
        "location": "Ho Chi Minh",
        "city": "Ho Chi Minh",
        "country": "VN",
        "job_url": "https://jobs.lever.co/spotify/d87833d0-fb78-4794-b45d-3fe5c8274bc8",
        "posted_at": "2026-08-27T03:43:07.805000+00:00",
        "work_environment": "hybrid",
        "salary": (None, None, None, None),
    }
    assert result.jobs[0].categories == ("Experience", "Engineering")
    assert "What You'll Do" in result.jobs[0].description


async def test_salary_range_is_read() -> None:
    """A ``salaryRange`` (absent from the capture, shape from Lever's docs) fills the salary."""
    items = postings()
    items[0]["salaryRange"] = {"currency": "GBP", "interval": "per-year-salary", "min": 60000}
    items[0]["salaryRange"]["max"] = 80000
    result = await replay(Lever(), {"/spotify": items}, "spotify")

    assert fields(result.jobs[0])["salary"] == (60000.0, 80000.0, "GBP", "year")


async def test_pages_follow_skip_until_a_short_page() -> None:
    """Two full one-posting pages, then an empty one ends the pagination."""
    first, second = postings()
    pages = {"/spotify?skip=0": [first], "/spotify?skip=1": [second], "/spotify?skip=2": []}
    result = await replay(OnePerPage(), pages, "spotify")

    assert [job.source_id for job in result.jobs] == [first["id"], second["id"]]
    base = "https://api.lever.co/v0/postings/spotify?mode=json"
    assert result.requests == [f"{base}&skip={n}&limit=1" for n in range(3)]


async def test_malformed_items_are_skipped_with_reasons() -> None:
    """A posting without ``text``, one whose ``categories`` is a number, a string: skipped."""
    items = spoil(postings() + postings(), drop="text", wrong="categories")
    result = await replay(Lever(), {"/spotify": items}, "spotify")

    assert len(result.jobs) == 2
    assert result.skipped == [
        SkippedItem("2193db3f-77c5-43b8-b030-8f92c9882bf1", "no title"),
        SkippedItem(
            "d87833d0-fb78-4794-b45d-3fe5c8274bc8", "'categories' is a number, expected an object"
        ),
        SkippedItem("#2", "not a JSON object (str)"),
    ]


async def test_malformed_pages_fail_the_target() -> None:
    """HTML (Lever's known failure), an empty body, a string and an object fail the target."""
    await assert_bad_pages_fail(Lever(), "/spotify", "spotify", b'{"ok": false, "error": "x"}')
