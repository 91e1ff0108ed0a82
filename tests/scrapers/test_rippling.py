"""Rippling (API v2) on a recorded first page: one job listed twice, once per location."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from jobping import SkippedItem
from jobping.testing import replay
from scrapers.rippling import Rippling
from tests.scrapers.helpers import assert_bad_pages_fail, fields, payload

pytestmark = pytest.mark.anyio

JOBS = "/rippling/jobs"
JOB_ID = "84d388b6-7656-434c-8862-0312eb6b97ac"


def first_page() -> Any:
    """The recorded page 0 (2 items of 629, 315 pages)."""
    return payload("rippling", "hunt-rippling-api-v2-board-page0-size2.json")


def page(number: int, items: list[Any], total_pages: int) -> dict[str, Any]:
    """A v2 page in the recorded envelope."""
    return {
        "items": items,
        "page": number,
        "pageSize": 2,
        "totalItems": 0,
        "totalPages": total_pages,
    }


async def test_items_of_one_job_become_one_job_with_all_locations() -> None:
    """The two items of one id (San Francisco, New York) make one on-site US job."""
    pages = {f"{JOBS}?page=0": first_page(), f"{JOBS}?page=1": page(1, [], 315)}
    result = await replay(Rippling(), pages, "rippling")

    assert [fields(job) for job in result.jobs] == [
        {
            "source_id": JOB_ID,
            "title": "Business Operations Manager",
            "company": "rippling",
            "location": "San Francisco, CA; New York, NY",
            "city": "San Francisco",
            "country": "US",
            "job_url": f"https://ats.rippling.com/rippling/jobs/{JOB_ID}",
            "posted_at": None,
            "work_environment": "on-site",
            "salary": (None, None, None, None),
        }
    ]
    assert result.jobs[0].categories == ("Bizops",)
    assert result.requests == [
        f"https://ats.rippling.com/api/v2/board/rippling/jobs?page={n}&pageSize=50" for n in (0, 1)
    ]


async def test_a_job_split_across_pages_is_merged_and_the_last_page_ends_it() -> None:
    """Items of one id on two pages merge; ``totalPages`` ends the paging without a 3rd page."""
    first, second = first_page()["items"]
    pages = {f"{JOBS}?page=0": page(0, [first], 2), f"{JOBS}?page=1": page(1, [second], 2)}
    result = await replay(Rippling(), pages, "rippling")

    assert [job.location for job in result.jobs] == ["San Francisco, CA; New York, NY"]
    assert len(result.requests) == 2


async def test_a_single_location_gives_city_and_a_remote_one_remote() -> None:
    """One place: its city; a REMOTE place makes the job remote."""
    first, second = first_page()["items"]
    other = copy.deepcopy(second)
    other["id"], other["locations"][0]["workplaceType"] = "other-id", "REMOTE"
    pages = {f"{JOBS}?page=0": page(0, [first, other], 1)}
    result = await replay(Rippling(), pages, "rippling")

    assert [(job.city, job.work_environment.value) for job in result.jobs] == [
        ("San Francisco", "on-site"),
        ("New York", "remote"),
    ]


async def test_an_empty_board_has_no_jobs() -> None:
    """A board without jobs: no items, zero pages, one request."""
    result = await replay(Rippling(), {JOBS: page(0, [], 0)}, "rippling")

    assert (result.jobs, len(result.requests)) == ([], 1)


async def test_malformed_items_are_skipped_with_reasons() -> None:
    """An item without ``name``, one without an id, a string: skipped; the job stays."""
    first, second = first_page()["items"]
    nameless = {**copy.deepcopy(first), "id": "nameless"}
    del nameless["name"]
    idless = {k: v for k, v in second.items() if k != "id"}
    items = [first, second, nameless, idless, "not an object"]
    result = await replay(Rippling(), {JOBS: page(0, items, 1)}, "rippling")

    assert [job.source_id for job in result.jobs] == [JOB_ID]
    assert result.skipped == [
        SkippedItem("nameless", "no title"),
        SkippedItem("#2", "missing 'id'"),  # numbered after merging: the job is #0
        SkippedItem("#3", "not a JSON object (str)"),
    ]


async def test_malformed_pages_fail_the_target() -> None:
    """An HTML page, an empty body, a string, an error object without ``items`` fail."""
    await assert_bad_pages_fail(Rippling(), JOBS, "rippling", b'{"detail": "Not found."}')
