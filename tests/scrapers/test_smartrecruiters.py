"""SmartRecruiters on the recorded Ubisoft2 postings (2 of ``totalFound`` 310)."""

from __future__ import annotations

from typing import Any

import pytest

from jobping import SkippedItem
from jobping.testing import replay
from scrapers.smartrecruiters import SmartRecruiters
from tests.scrapers.helpers import assert_bad_pages_fail, fields, payload, spoil

pytestmark = pytest.mark.anyio
API = "https://api.smartrecruiters.com/v1/companies/Ubisoft2/postings"


class OnePerPage(SmartRecruiters):
    """SmartRecruiters asking for one posting a page."""

    page_size = 1


def page() -> dict[str, Any]:
    """The recorded first page."""
    return dict(payload("smartrecruiters", "hunt-ubisoft2-postings-limit2.json"))


async def test_postings_parse_with_their_fields() -> None:
    """Both postings field by field; the job URL is the public posting page."""
    recorded = page() | {"totalFound": 2}
    result = await replay(SmartRecruiters(), {"/Ubisoft2/postings": recorded}, "Ubisoft2")

    assert len(result.jobs) == 2
    assert fields(result.jobs[0]) == {
        "source_id": "744000151912444",
        "title": "Spécialiste Fiabilité outils et infrastructures - TGQF",
        "company": "Ubisoft",
        "location": "Montreal, QC, Canada",
        "city": "Montreal",
        "country": "CA",
        "job_url": "https://jobs.smartrecruiters.com/Ubisoft2/744000151912444",
        "posted_at": "2026-09-25T18:18:52.891000+00:00",
        "work_environment": "on-site",
        "salary": (None, None, None, None),
    }
    assert fields(result.jobs[1]) == {
        "source_id": "744000151872065",
        "title": "CRM Webmarketing Assistant",
        "company": "Ubisoft",
        "location": "Paris, IDF, France",
        "city": "Paris",
        "country": "FR",
        "job_url": "https://jobs.smartrecruiters.com/Ubisoft2/744000151872065",
        "posted_at": "2026-09-25T14:49:00.552000+00:00",
        "work_environment": "on-site",
        "salary": (None, None, None, None),
    }


async def test_pages_follow_offset_until_total_found() -> None:
    """Two one-posting pages; ``totalFound`` 2 ends the pagination after the second."""
    first, second = page()["content"]
    pages = {
        "/Ubisoft2/postings?offset=0": {
            "offset": 0,
            "limit": 1,
            "totalFound": 2,
            "content": [first],
        },
        "/Ubisoft2/postings?offset=1": {
            "offset": 1,
            "limit": 1,
            "totalFound": 2,
            "content": [second],
        },
    }
    result = await replay(OnePerPage(), pages, "Ubisoft2")

    assert [job.source_id for job in result.jobs] == [first["id"], second["id"]]
    assert result.requests == [f"{API}?offset=0&limit=1", f"{API}?offset=1&limit=1"]
    assert not result.page_cap_reached


async def test_page_cap_stops_a_source_that_never_ends() -> None:
    """With ``totalFound`` 310 and a cap of 3 pages, three requests are made, then it stops."""
    result = await replay(
        SmartRecruiters(), {"/Ubisoft2/postings": page()}, "Ubisoft2", max_pages=3
    )

    assert len(result.requests) == 3
    assert result.page_cap_reached


async def test_malformed_items_are_skipped_with_reasons() -> None:
    """A posting without ``name``, one whose ``location`` is a list, and a string are skipped."""
    recorded = page() | {"totalFound": 4}
    recorded["content"] = spoil(
        recorded["content"] + page()["content"], drop="name", wrong="location", value=[]
    )
    result = await replay(SmartRecruiters(), {"/Ubisoft2/postings": recorded}, "Ubisoft2")

    assert len(result.jobs) == 2
    assert result.skipped == [
        SkippedItem("744000151912444", "no title"),
        SkippedItem("744000151872065", "'location' is a list, expected an object"),
        SkippedItem("#2", "not a JSON object (str)"),
    ]


async def test_malformed_pages_fail_the_target() -> None:
    """HTML, an empty body, a string and ``content`` of the wrong type fail the target."""
    await assert_bad_pages_fail(SmartRecruiters(), "/acme/postings", "acme", b'{"content": 3}')
