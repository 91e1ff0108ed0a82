"""Breezy on its own trial board: one capture as returned, one with descriptions added."""

from __future__ import annotations

from typing import Any

import pytest

from jobping import SkippedItem
from jobping.testing import replay
from scrapers.breezy import Breezy
from tests.scrapers.helpers import assert_bad_pages_fail, fields, payload, spoil

pytestmark = pytest.mark.anyio

URL = "https://breezy.breezy.hr/json"


def positions() -> list[Any]:
    """The two recorded positions, as the API returned them."""
    return list(payload("breezy", "jobpoller-breezy-trial-json-2.json"))


async def test_positions_parse_with_their_fields() -> None:
    """Name, company name, place, ISO date, remote flag when given; placeholder pay dropped.

    Breezy's trial board states "$0.05 - $0.06 / hour" and "$1 - $5 / year": placeholders
    that ``salary_problem`` refuses, so no salary is stored.
    """
    result = await replay(Breezy(), {URL: positions()}, "breezy")

    assert [fields(job) for job in result.jobs] == [
        {
            "source_id": "98323abf2296",
            "title": "Employee #12",
            "company": "MS Breezy Trial",
            "location": "Chaos, FL",
            "city": "Chaos",
            "country": "US",
            "job_url": "https://breezy.breezy.hr/p/98323abf2296-employee-12",
            "posted_at": "2024-02-15T14:37:22.684000+00:00",
            "work_environment": "on-site",
            "salary": (None, None, None, None),
        },
        {
            "source_id": "088ac6d52139",
            "title": "Open Position",
            "company": "MS Breezy Trial",
            "location": "New York, NY",
            "city": "New York",
            "country": "US",
            "job_url": "https://breezy.breezy.hr/p/088ac6d52139-open-position",
            "posted_at": "2023-04-06T01:32:13.932000+00:00",
            "work_environment": "unknown",
            "salary": (None, None, None, None),
        },
    ]
    assert [job.categories for job in result.jobs] == [("Does Not Matter",), ("Sporting Goods",)]


async def test_a_description_is_read_when_present() -> None:
    """The capture that carries ``description`` (HTML) gives it as text."""
    trimmed = payload("breezy", "zaggregate-breezy-trial-json-2-TRIMMED.json")
    result = await replay(Breezy(), {URL: trimmed}, "breezy")

    descriptions = [job.description for job in result.jobs]
    assert descriptions == ["Roses and Rainbows until 30 days in.", "Best position never."]


async def test_several_locations_are_all_kept() -> None:
    """A position listing two places keeps both; city and remote flag are the primary's."""
    items = positions()
    second = {**items[0]["locations"][0], "name": "Remote, US", "is_remote": True, "primary": False}
    items[0]["locations"].append(second)
    result = await replay(Breezy(), {URL: items}, "breezy")

    job = result.jobs[0]
    assert (job.location, job.city, job.work_environment.value) == (
        "Chaos, FL; Remote, US",
        "Chaos",
        "on-site",
    )


async def test_a_remote_position_is_remote() -> None:
    """``is_remote: true`` on the location makes the job remote."""
    items = positions()
    items[0]["location"]["is_remote"] = True
    result = await replay(Breezy(), {URL: items}, "breezy")

    assert result.jobs[0].work_environment.value == "remote"


async def test_an_empty_board_is_an_empty_array() -> None:
    """A company without positions answers ``[]``."""
    result = await replay(Breezy(), {URL: []}, "breezy")

    assert (result.jobs, result.skipped) == ([], [])


async def test_malformed_positions_are_skipped_with_reasons() -> None:
    """A position without ``name``, one whose ``location`` is a number, a string: skipped."""
    items = spoil(positions() + positions(), drop="name", wrong="location")
    result = await replay(Breezy(), {URL: items}, "breezy")

    assert len(result.jobs) == 2
    assert result.skipped == [
        SkippedItem("98323abf2296", "no title"),
        SkippedItem("088ac6d52139", "'location' is a number, expected an object"),
        SkippedItem("#2", "not a JSON object (str)"),
    ]


async def test_malformed_pages_fail_the_target() -> None:
    """Breezy's HTML page for an unknown company, an empty body, a string, an object fail."""
    await assert_bad_pages_fail(Breezy(), URL, "breezy", b'{"error": "not found"}')
