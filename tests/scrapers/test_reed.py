"""Reed on the recorded UI/UX search in Newcastle (46 results, complete)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from jobping import MissingCredential, ScrapeContext, Settings, SkippedItem
from jobping.testing import replay
from scrapers.reed import Reed
from tests.scrapers.helpers import (
    RecordingClient,
    assert_bad_pages_fail,
    fields,
    payload,
    scrape_with,
    spoil,
)

pytestmark = pytest.mark.anyio


class QuarterPages(Reed):
    """Reed asking for 25 results a page."""

    page_size = 25


def search() -> dict[str, Any]:
    """The recorded Newcastle search."""
    return dict(payload("reed", "search-uiux-newcastle-2023-05.json"))


async def test_search_parses_with_fields_and_day_first_dates() -> None:
    """46 jobs; ``27/04/2023`` is 27 April; a salary keeps no period (Reed gives none)."""
    result = await replay(Reed(), {"/search": search()}, "UI/UX?locationName=Newcastle")

    assert len(result.jobs) == 46
    assert fields(result.jobs[0]) == {
        "source_id": "50305158",
        "title": "UX/UI Designer - Outside IR35",
        "company": "Oscar Technology",
        "location": "Newcastle Upon Tyne",
        "city": "Newcastle Upon Tyne",
        "country": "GB",
        "job_url": "https://www.reed.co.uk/jobs/ux-ui-designer-outside-ir35/50305158",
        "posted_at": "2023-04-27T00:00:00+00:00",
        "work_environment": "unknown",
        "salary": (400.0, 500.0, "GBP", None),
    }
    assert fields(result.jobs[1]) == {
        "source_id": "50479028",
        "title": "Senior Front End Developer / Lead JavaScript UI",
        "company": "Client Server Ltd.",
        "location": "SR12JR",
        "city": None,
        "country": "GB",
        "job_url": "https://www.reed.co.uk/jobs/senior-front-end-developer-lead-javascript-ui/50479028",
        "posted_at": "2023-05-24T00:00:00+00:00",
        "work_environment": "unknown",
        "salary": (70000.0, 85000.0, "GBP", None),
    }
    assert (
        "keywords=UI%2FUX" in result.requests[0] and "locationName=Newcastle" in result.requests[0]
    )


async def test_pages_follow_results_to_skip_until_total_results() -> None:
    """25 results a page; ``totalResults`` 46 ends the pagination after the second page."""
    results = search()["results"]
    pages = {
        "/search?resultsToSkip=0": {"results": results[:25], "totalResults": 46},
        "/search?resultsToSkip=25": {"results": results[25:], "totalResults": 46},
    }
    result = await replay(QuarterPages(), pages, "UI/UX")

    assert [job.source_id for job in result.jobs] == [str(r["jobId"]) for r in results]
    assert len(result.requests) == 2


async def test_key_is_sent_as_basic_user_name() -> None:
    """The API key is the HTTP Basic user name, with an empty password."""
    client = RecordingClient({"results": [], "totalResults": 0})
    await scrape_with(Reed(), client, "python", reed_api_key="k-123")

    ((_url, params, headers),) = client.calls
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"k-123:").decode()
    assert params["keywords"] == "python"


async def test_missing_key_skips_with_the_env_var_name() -> None:
    """Without REED_API_KEY the context is refused: 'REED_API_KEY is not set'."""
    with pytest.raises(MissingCredential, match=r"^REED_API_KEY is not set$"):
        ScrapeContext.for_scraper(Reed(), RecordingClient({}), Settings())


async def test_malformed_items_are_skipped_with_reasons() -> None:
    """A result without title, one with a text ``minimumSalary``, and a string are skipped."""
    recorded = search()
    recorded["results"] = spoil(
        recorded["results"], drop="jobTitle", wrong="minimumSalary", value="lots"
    )
    result = await replay(Reed(), {"/search": recorded}, "UI/UX")

    assert len(result.jobs) == 44
    assert result.skipped == [
        SkippedItem("50305158", "no title"),
        SkippedItem("50479028", "'minimumSalary' is not a number: 'lots'"),
        SkippedItem("#2", "not a JSON object (str)"),
    ]


async def test_malformed_pages_fail_the_target() -> None:
    """HTML, an empty body, a string and ``results`` of the wrong type fail the target."""
    await assert_bad_pages_fail(Reed(), "/search", "UI/UX", b'{"results": {"jobId": 1}}')
