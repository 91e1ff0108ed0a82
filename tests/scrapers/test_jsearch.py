"""JSearch on the recorded 2023 search (10 jobs).

The capture kept only the ``data`` array: the tests serve it in the documented envelope
``{status, request_id, parameters, data}``.
"""

from __future__ import annotations

from typing import Any

import pytest

from jobping import SkippedItem
from jobping.testing import replay
from scrapers.jsearch import JSearch
from tests.scrapers.helpers import (
    RecordingClient,
    assert_bad_pages_fail,
    fields,
    payload,
    scrape_with,
    spoil,
)

pytestmark = pytest.mark.anyio
QUERY = "python developer in texas, usa"


class SixPerPage(JSearch):
    """JSearch with pages of six, so the ten recorded jobs end on a short second page."""

    page_size = 6


def envelope(data: list[Any]) -> dict[str, Any]:
    """``data`` in the documented ``/search`` envelope."""
    return {"status": "OK", "request_id": "r-1", "parameters": {"query": QUERY}, "data": data}


def jobs() -> list[Any]:
    """The ten recorded jobs."""
    return list(payload("jsearch", "jsearchapp-search-data-array-2023.json"))


async def test_search_parses_with_their_fields() -> None:
    """Ten jobs; epoch-seconds dates; the location is built from city, state and country."""
    result = await replay(JSearch(), {"/search?page=1": envelope(jobs())}, QUERY, max_pages=1)

    assert len(result.jobs) == 10
    assert fields(result.jobs[0]) == {
        "source_id": "hKYz5kO97LJug0moAAAAAA==",
        "title": "Python Developer",
        "company": "ConnectedX Inc.",
        "location": "Plano, TX, US",
        "city": "Plano",
        "country": "US",
        "job_url": "https://www.linkedin.com/jobs/view/python-developer-at-connectedx-inc-3760214352",
        "posted_at": "2023-11-09T19:58:55+00:00",
        "work_environment": "unknown",
        "salary": (None, None, None, None),
    }
    assert fields(result.jobs[1]) == {
        "source_id": "7oKm_SkxjLxpFtVuAAAAAA==",
        "title": "PYTHON DEVELOPER(ENTRY LEVEL)",
        "company": "SynergisticIT",
        "location": "Austin, TX, US",
        "city": "Austin",
        "country": "US",
        "job_url": "https://www.ziprecruiter.com/c/SynergisticIT/Job/PYTHON-DEVELOPER(ENTRY-LEVEL)/-in-Austin,TX?jid=95b95b82c4f3b4bd",
        "posted_at": "2021-07-23T00:00:00+00:00",
        "work_environment": "unknown",
        "salary": (None, None, None, None),
    }


async def test_salary_and_remote_flag_are_read() -> None:
    """The documented salary fields and ``job_is_remote: true`` fill the job."""
    data = jobs()
    data[0] |= {"job_is_remote": True, "job_min_salary": 90000, "job_max_salary": 120000}
    data[0] |= {"job_salary_currency": "USD", "job_salary_period": "YEAR"}
    result = await replay(JSearch(), {"/search": envelope(data[:1])}, QUERY)

    assert fields(result.jobs[0])["salary"] == (90000.0, 120000.0, "USD", "year")
    assert result.jobs[0].work_environment.value == "remote"


async def test_pages_end_on_a_short_page() -> None:
    """Six jobs, then four: the short second page ends the pagination."""
    data = jobs()
    pages = {"/search?page=1": envelope(data[:6]), "/search?page=2": envelope(data[6:])}
    result = await replay(SixPerPage(), pages, QUERY)

    assert len(result.jobs) == 10
    assert len(result.requests) == 2 and "num_pages=1" in result.requests[1]


async def test_key_goes_in_rapidapi_headers() -> None:
    """The key travels in ``X-RapidAPI-Key`` with the host header, not in the URL."""
    client = RecordingClient(envelope([]))
    await scrape_with(JSearch(), client, QUERY, jsearch_api_key="k-9")

    ((url, params, headers),) = client.calls
    assert headers == {"X-RapidAPI-Key": "k-9", "X-RapidAPI-Host": "jsearch.p.rapidapi.com"}
    assert "k-9" not in url and "k-9" not in params.values()


async def test_malformed_items_are_skipped_with_reasons() -> None:
    """A job without title, one with a text timestamp, and a string are skipped."""
    data = spoil(jobs(), drop="job_title", wrong="job_posted_at_timestamp", value="yesterday")
    result = await replay(JSearch(), {"/search": envelope(data)}, QUERY, max_pages=1)

    assert len(result.jobs) == 8
    assert result.skipped == [
        SkippedItem("hKYz5kO97LJug0moAAAAAA==", "no title"),
        SkippedItem(
            "7oKm_SkxjLxpFtVuAAAAAA==", "'job_posted_at_timestamp' is not a number: 'yesterday'"
        ),
        SkippedItem("#2", "not a JSON object (str)"),
    ]


async def test_malformed_pages_fail_the_target() -> None:
    """HTML, an empty body, a string and RapidAPI's error object fail the target."""
    error = b'{"message": "You are not subscribed to this API."}'
    await assert_bad_pages_fail(JSearch(), "/search", QUERY, error)
