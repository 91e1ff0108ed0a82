"""Adzuna on recorded searches (``gb`` complete, ``es`` edited, ``us`` cut mid-body)."""

from __future__ import annotations

from typing import Any

import pytest

from jobping import PayloadError, SkippedItem
from jobping.testing import replay
from scrapers.adzuna import Adzuna
from tests.scrapers.helpers import assert_bad_pages_fail, fields, payload, raw, spoil

pytestmark = pytest.mark.anyio


class FivePerPage(Adzuna):
    """Adzuna asking for five results a page."""

    page_size = 5


def gb_search() -> dict[str, Any]:
    """The recorded gb search (ten results, complete)."""
    return dict(payload("adzuna", "taxly-gb-search-10results-2025-07.json"))


async def test_search_parses_with_fields_and_salary() -> None:
    """The ten gb results; salaries are yearly GBP; the tracking parameter leaves the URL."""
    result = await replay(Adzuna(), {"/gb/search/1": gb_search()}, "gb?what=nursery")

    assert len(result.jobs) == 10
    assert fields(result.jobs[0]) == {
        "source_id": "5258224185",
        "title": "Early Years Educator L3",
        "company": "Partou",
        "location": "Stoke Gifford, Bristol",
        "city": "Stoke Gifford",
        "country": "GB",
        "job_url": "https://www.adzuna.co.uk/jobs/details/5258224185",
        "posted_at": "2025-06-19T16:06:00+00:00",
        "work_environment": "unknown",
        "salary": (27500.0, 27500.0, "GBP", "year"),
    }
    assert fields(result.jobs[1]) == {
        "source_id": "5294088970",
        "title": "Early Years Practitioner L2",
        "company": "Partou",
        "location": "Battersea, South West London",
        "city": "Battersea",
        "country": "GB",
        "job_url": "https://www.adzuna.co.uk/jobs/details/5294088970",
        "posted_at": "2025-07-09T19:56:00+00:00",
        "work_environment": "unknown",
        "salary": (27872.0, 27872.0, "GBP", "year"),
    }


async def test_predicted_salaries_and_highlight_tags_are_dropped() -> None:
    """A predicted salary (the edited capture's third result) is left out; ``<strong>`` goes."""
    search = payload("adzuna", "isthatmynewjob-es-search-p1-EDITED.json")
    search["results"][1]["title"] = "Desarrollador <strong>PHP</strong>"
    result = await replay(Adzuna(), {"/es/search/1": search}, "es?what=desarrollador php")

    assert [job.title for job in result.jobs] == [
        "Desarrollador/a Magento PHP Senior (hybrid)",
        "Desarrollador PHP",
        "Backend Engineer PHP (teletrabajo)",
    ]
    assert [fields(job)["salary"] for job in result.jobs] == [
        (36000.0, 45000.0, "EUR", "year"),
        (None, None, None, None),
        (None, None, None, None),
    ]


async def test_pages_follow_the_page_number_until_count() -> None:
    """Five results a page; ``count`` 10 ends the pagination after page 2."""
    results = gb_search()["results"]
    pages = {
        "/gb/search/1": {"count": 10, "results": results[:5]},
        "/gb/search/2": {"count": 10, "results": results[5:]},
    }
    result = await replay(FivePerPage(), pages, "gb?what=nursery")

    assert [job.source_id for job in result.jobs] == [r["id"] for r in results]
    assert [url.split("?")[0].rsplit("/", 1)[1] for url in result.requests] == ["1", "2"]
    assert "what=nursery" in result.requests[0] and "results_per_page=5" in result.requests[0]


async def test_malformed_items_are_skipped_with_reasons() -> None:
    """A result without title, one whose ``company`` is text, and a string are skipped."""
    search = gb_search()
    search["results"] = spoil(search["results"], drop="title", wrong="company", value="Partou")
    result = await replay(Adzuna(), {"/gb/search/1": search}, "gb")

    assert len(result.jobs) == 8
    assert result.skipped == [
        SkippedItem("5258224185", "no title"),
        SkippedItem("5294088970", "'company' is text, expected an object"),
        SkippedItem("#2", "not a JSON object (str)"),
    ]


async def test_body_cut_mid_string_fails_the_target() -> None:
    """The real 2020 capture cut at 57,344 bytes is invalid JSON: a ``PayloadError``."""
    body = raw("adzuna", "us-search-p1-software-newyork-2020-TRUNCATED.json")
    with pytest.raises(PayloadError, match="invalid JSON"):
        await replay(Adzuna(), {"/us/search/1": body}, "us?what=software")


async def test_malformed_pages_fail_the_target() -> None:
    """HTML, an empty body, a string and Adzuna's error object fail the target."""
    error = b'{"display": "Authorisation failed", "exception": "AUTH_FAIL"}'
    await assert_bad_pages_fail(Adzuna(), "/gb/search/1", "gb", error)
