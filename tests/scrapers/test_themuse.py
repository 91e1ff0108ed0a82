"""The Muse on the recorded first page (20 of 370,601 jobs)."""

from __future__ import annotations

from typing import Any

import pytest

from jobping import SkippedItem
from jobping.testing import replay
from scrapers.themuse import TheMuse
from tests.scrapers.helpers import (
    RecordingClient,
    assert_bad_pages_fail,
    fields,
    payload,
    scrape_with,
    spoil,
)

pytestmark = pytest.mark.anyio
API = "https://www.themuse.com/api/public/jobs"


def recorded() -> dict[str, Any]:
    """The recorded first page."""
    return dict(payload("themuse", "taxly-public-jobs-page1-2025-07.json"))


async def test_page_parses_every_job_and_its_fields() -> None:
    """20 jobs field by field for two; several locations are kept, the first one placed."""
    result = await replay(TheMuse(), {"/jobs": recorded()}, "all", max_pages=1)

    assert len(result.jobs) == 20
    assert fields(result.jobs[0]) == {
        "source_id": "18573699",
        "title": "Site Survey Technician",
        "company": "Sunrun",
        "location": "Paramount, CA",
        "city": "Paramount",
        "country": "US",
        "job_url": "https://www.themuse.com/jobs/sunrun/site-survey-technician-ee16ee",
        "posted_at": "2025-05-05T21:42:22+00:00",
        "work_environment": "unknown",
        "salary": (None, None, None, None),
    }
    assert fields(result.jobs[1]) == {
        "source_id": "19205599",
        "title": "Sleep Expert - Sales",
        "company": "Mattress Firm",
        "location": "Richmond, VA",
        "city": "Richmond",
        "country": "US",
        "job_url": "https://www.themuse.com/jobs/mattressfirm/sleep-expert-sales-4e1624",
        "posted_at": "2025-07-13T09:58:39+00:00",
        "work_environment": "unknown",
        "salary": (None, None, None, None),
    }
    several = result.jobs[3]
    assert several.location == "New York, NY; San Francisco, CA; Seattle, WA; Sunnyvale, CA"
    assert (several.city, several.country) == ("New York", "US")
    assert result.jobs[17].country == "ES"


async def test_pages_start_at_zero_and_end_at_page_count() -> None:
    """Pages 0 and 1 of ``page_count`` 2 are fetched, then the pagination ends."""
    results = recorded()["results"]
    pages = {
        "/jobs?page=0": {"page": 0, "page_count": 2, "results": results[:12]},
        "/jobs?page=1": {"page": 1, "page_count": 2, "results": results[12:]},
    }
    result = await replay(TheMuse(), pages, "Software Engineering")

    assert len(result.jobs) == 20
    query = "category=Software+Engineering"
    assert result.requests == [f"{API}?{query}&page=0", f"{API}?{query}&page=1"]


async def test_optional_key_is_sent_when_set() -> None:
    """Without a key no ``api_key`` is sent; with one it is."""
    client = RecordingClient({"page": 0, "page_count": 0, "results": []})
    await scrape_with(TheMuse(), client, "all")
    await scrape_with(TheMuse(), client, "all", themuse_api_key="k-7")

    assert [params.get("api_key") for _url, params, _headers in client.calls] == [None, "k-7"]


async def test_malformed_items_are_skipped_with_reasons() -> None:
    """A job without ``name``, one whose ``refs`` is a list, and a string are skipped."""
    page = recorded()
    page["results"] = spoil(page["results"], drop="name", wrong="refs", value=["x"])
    result = await replay(TheMuse(), {"/jobs": page}, "all", max_pages=1)

    assert len(result.jobs) == 18
    assert result.skipped == [
        SkippedItem("18573699", "no title"),
        SkippedItem("19205599", "'refs' is a list, expected an object"),
        SkippedItem("#2", "not a JSON object (str)"),
    ]


async def test_malformed_pages_fail_the_target() -> None:
    """HTML, an empty body, a string and The Muse's error object fail the target."""
    await assert_bad_pages_fail(TheMuse(), "/jobs", "all", b'{"code": 400, "error": "bad"}')
