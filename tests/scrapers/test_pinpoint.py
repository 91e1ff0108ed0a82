"""Pinpoint on its own board: two captures of two postings each, strings cut by their authors.

The jobpoller capture lost the ``{"data": [...]}`` envelope; the tests put it back.
"""

from __future__ import annotations

from typing import Any

import pytest

from jobping import SkippedItem
from jobping.testing import replay
from scrapers.pinpoint import Pinpoint
from tests.scrapers.helpers import assert_bad_pages_fail, fields, payload, spoil

pytestmark = pytest.mark.anyio

URL = "https://workwithus.pinpointhq.com/postings.json"


def postings() -> list[Any]:
    """The two postings of the capture with compensation fields."""
    return list(payload("pinpoint", "jobpoller-pinpoint-workwithus-postings-2-TRIMMED.json"))


def expected(source_id: str, title: str, path: str, location: str, salary: Any) -> Any:
    """The fields of one Pinpoint posting (no date in the API; the subdomain is the company)."""
    return {
        "source_id": source_id,
        "title": title,
        "company": "workwithus",
        "location": location,
        "city": "London",
        "country": "GB" if location == "United Kingdom" else None,
        "job_url": f"https://workwithus.pinpointhq.com/en/postings/{path}",
        "posted_at": None,
        "work_environment": "remote",
        "salary": salary,
    }


async def test_postings_parse_with_their_fields() -> None:
    """Ids, titles, place names, fully remote, visible compensation only."""
    result = await replay(Pinpoint(), {URL: {"data": postings()}}, "workwithus")

    assert [fields(job) for job in result.jobs] == [
        expected(
            "559663",
            "Founding Legal Counsel",
            "ce6c9e5c-a2d3-42b0-a01e-9edeae315b04",
            "Remote",
            (None, None, None, None),
        ),
        expected(
            "567495",
            "Enterprise Implementation Manager",
            "8fa6a0e0-0beb-4233-8ab0-409fe6bfccb1",
            "United Kingdom",
            (70000.0, 90000.0, "GBP", "year"),
        ),
    ]
    assert [job.categories for job in result.jobs] == [("Operations",), ("Implementation",)]
    description = result.jobs[0].description
    assert description.startswith("Hi \U0001f44b I'm Ellis, COO at Pinpoint.")
    for header in ("What you'll do", "What you'll bring"):  # benefits: lost after a cut comment
        assert header in description
    assert "<!--block-->" not in description


async def test_hidden_compensation_is_not_published() -> None:
    """With ``compensation_visible`` false the amounts are not kept."""
    items = postings()
    items[1]["compensation_visible"] = False
    result = await replay(Pinpoint(), {URL: {"data": items}}, "workwithus")

    assert fields(result.jobs[1])["salary"] == (None, None, None, None)


async def test_the_other_capture_with_fewer_keys() -> None:
    """Postings with 7 keys (no compensation, no job): title, place, URL still read."""
    trimmed = payload("pinpoint", "zaggregate-pinpoint-workwithus-postings-2-TRIMMED.json")
    result = await replay(Pinpoint(), {URL: trimmed}, "workwithus")

    assert [
        (job.source_id, job.title, job.location, job.work_environment.value) for job in result.jobs
    ] == [
        ("507634", "Senior Account Executive", "United Kingdom", "unknown"),
        ("520855", "Product Reliability Engineer", "Remote", "remote"),
    ]


async def test_an_empty_board_has_no_jobs() -> None:
    """A company without postings answers an empty ``data``."""
    result = await replay(Pinpoint(), {URL: {"data": []}}, "workwithus")

    assert (result.jobs, result.skipped) == ([], [])


async def test_malformed_postings_are_skipped_with_reasons() -> None:
    """A posting without ``url``, one whose ``location`` is a number, a string: skipped."""
    items = spoil(postings() + postings(), drop="url", wrong="location")
    result = await replay(Pinpoint(), {URL: {"data": items}}, "workwithus")

    assert len(result.jobs) == 2
    assert [skipped.reason for skipped in result.skipped] == [
        "no absolute job URL (got '')",
        "'location' is a number, expected an object",
        "not a JSON object (str)",
    ]
    assert result.skipped[2] == SkippedItem("#2", "not a JSON object (str)")


async def test_malformed_pages_fail_the_target() -> None:
    """An HTML page, an empty body, a string, an error object without ``data`` fail."""
    await assert_bad_pages_fail(Pinpoint(), URL, "workwithus", b'{"error": "Not found"}')
