"""Arbeitnow on the recorded first page (100 jobs).

The capture kept only ``data`` (its repo re-wrote it as ``{"data": jobs}``): the tests add
the documented ``links`` and ``meta`` the real pages carry, with ``links.next`` as the signal.
"""

from __future__ import annotations

from typing import Any

import pytest

from jobping import SkippedItem
from jobping.testing import replay
from scrapers.arbeitnow import Arbeitnow
from tests.scrapers.helpers import assert_bad_pages_fail, fields, payload, spoil

pytestmark = pytest.mark.anyio
API = "https://www.arbeitnow.com/api/job-board-api"


def jobs() -> list[Any]:
    """The 100 recorded jobs."""
    return list(payload("arbeitnow", "job-board-api-page1-100jobs-2026-02.json")["data"])


def page(data: list[Any], number: int, last: bool) -> dict[str, Any]:
    """Page ``number`` in the API's envelope; ``links.next`` is null on the ``last``."""
    links = {"first": f"{API}?page=1", "last": None, "prev": None}
    links["next"] = None if last else f"{API}?page={number + 1}"
    return {"data": data, "links": links, "meta": {"current_page": number, "per_page": 100}}


async def test_page_parses_every_job_and_its_fields() -> None:
    """100 jobs; epoch-seconds dates; ``remote: true`` is remote."""
    result = await replay(Arbeitnow(), {"/job-board-api": page(jobs(), 1, last=True)}, "all")

    assert len(result.jobs) == 100
    assert fields(result.jobs[0]) == {
        "source_id": "recruiting-partner-projektbasis-remote-wutoschingen-469876",
        "title": "Recruiting Partner (m/w/d) - Projektbasis (Remote)",
        "company": "Global Treats GmbH",
        "location": "Wutöschingen",
        "city": "Wutöschingen",
        "country": None,
        "job_url": "https://www.arbeitnow.com/jobs/companies/global-treats-gmbh/recruiting-partner-projektbasis-remote-wutoschingen-469876",
        "posted_at": "2026-02-15T13:31:25+00:00",
        "work_environment": "remote",
        "salary": (None, None, None, None),
    }
    assert fields(result.jobs[1]) == {
        "source_id": "remote-information-technology-team-lead-berlin-495324",
        "title": "Information Technology Team Lead",
        "company": "Paymentology",
        "location": "Berlin",
        "city": "Berlin",
        "country": "DE",
        "job_url": "https://www.arbeitnow.com/jobs/companies/paymentology/remote-information-technology-team-lead-berlin-495324",
        "posted_at": "2026-02-15T12:42:10+00:00",
        "work_environment": "remote",
        "salary": (None, None, None, None),
    }
    assert sum(job.work_environment.value == "remote" for job in result.jobs) == 14


async def test_pages_follow_links_next_until_null() -> None:
    """Page 1 links page 2; page 2's ``links.next`` is null and ends the pagination."""
    data = jobs()
    pages = {
        "/job-board-api?page=1": page(data[:60], 1, last=False),
        "/job-board-api?page=2": page(data[60:], 2, last=True),
    }
    result = await replay(Arbeitnow(), pages, "all")

    assert len(result.jobs) == 100
    assert result.requests == [f"{API}?page=1", f"{API}?page=2"]


async def test_capture_without_links_ends_after_one_page() -> None:
    """A page without ``links`` (as recorded) gives no next page: one request."""
    recorded = payload("arbeitnow", "job-board-api-page1-100jobs-2026-02.json")
    result = await replay(Arbeitnow(), {"/job-board-api": recorded}, "all")

    assert len(result.requests) == 1 and len(result.jobs) == 100


async def test_malformed_items_are_skipped_with_reasons() -> None:
    """A job without title, one whose ``created_at`` is an object, and a string are skipped."""
    data = spoil(jobs(), drop="title", wrong="created_at", value={"t": 1})
    result = await replay(Arbeitnow(), {"/job-board-api": page(data, 1, last=True)}, "all")

    assert len(result.jobs) == 98
    assert result.skipped == [
        SkippedItem("recruiting-partner-projektbasis-remote-wutoschingen-469876", "no title"),
        SkippedItem(
            "remote-information-technology-team-lead-berlin-495324",
            "'created_at' is an object, expected a number",
        ),
        SkippedItem("#2", "not a JSON object (str)"),
    ]


async def test_malformed_pages_fail_the_target() -> None:
    """HTML, an empty body, a string and ``data`` of the wrong type fail the target."""
    await assert_bad_pages_fail(Arbeitnow(), "/job-board-api", "all", b'{"data": "none"}')
