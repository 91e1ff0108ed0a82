"""Lever on recorded postings.

Spotify (trimmed to two postings), Idealist Consulting (two postings, texts complete),
JumpCloud (two, long strings cut at 600 characters), Veeva (two, ``lists`` removed and part
of a description redacted) and Palantir (one complete posting from
``GET /v0/postings/palantir/{id}``, the same keys as a list item: served here in a list).
"""

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
        "location": "London; Stockholm",  # allLocations
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


def lever(name: str) -> Any:
    """Another recorded Lever answer of ``tests/fixtures/lever``."""
    return payload("lever", name)


def posting(site: str, uuid: str, title: str, **values: Any) -> dict[str, Any]:
    """The checked fields of a Lever posting of ``site`` (remote unless ``values`` say)."""
    posted, mode = values.pop("posted_at"), values.pop("mode", "remote")
    return {
        "source_id": uuid,
        "title": title,
        "company": site,
        **values,
        "job_url": f"https://jobs.lever.co/{site}/{uuid}",
        "posted_at": posted,
        "work_environment": mode,
        "salary": (None, None, None, None),
    }


def checked(job: Any) -> dict[str, Any]:
    """``fields(job)`` in the key order ``posting`` builds."""
    found = fields(job)
    order = ["source_id", "title", "company", "location", "city", "country", "job_url"]
    return {key: found[key] for key in [*order, "posted_at", "work_environment", "salary"]}


async def test_more_recorded_boards_parse_with_their_fields() -> None:
    """Idealist Consulting, JumpCloud and Veeva: remote postings, places as Lever writes them."""
    pages = {
        "/idealistconsulting": lever("careerkit-idealistconsulting-postings-2-FULLTEXT.json"),
        "/jumpcloud": lever("jobagent-jumpcloud-postings-2-TRIMMED.json"),
        "/veeva": lever("jobs-veeva-postings-2-REDACTED.json"),
    }
    jobs = []
    for path, page in pages.items():
        jobs += (await replay(Lever(), {path: page}, path[1:])).jobs

    assert [checked(job) for job in jobs] == [
        posting(
            "idealistconsulting",
            "a24ec4e5-5caa-473d-abd4-b71f09a8167b",
            "(1099 Contract) Nonprofit Salesforce Consultant: Enterprise Project Manager",
            location="Chicago, IL",
            city="Chicago",
            country="US",
            posted_at="2025-11-27T01:02:41.939000+00:00",
        ),
        posting(
            "idealistconsulting",
            "5d54d69b-e940-452e-b892-1170aa60f095",
            "(1099 Contract) Salesforce for Nonprofits: Solution Architect",
            location="Washington, D.C.",
            city="Washington",
            country="US",
            posted_at="2023-01-29T02:28:23.769000+00:00",
        ),
        posting(
            "jumpcloud",
            "7d6cc0b4-a5f9-4f02-8542-7fc1eb5749e2",
            "Account Executive, North America SMB - India",
            location="Bangalore, India - Remote",
            city="Bangalore",
            country="IN",
            posted_at="2026-07-29T15:44:26.689000+00:00",
        ),
        posting(
            "jumpcloud",
            "9a6ab6b6-d8fc-4e34-8d13-9e8016e98223",
            "Account Manager - Singapore",
            location="Singapore, Singapore - Remote",
            city=None,  # split_location reads no city in a city-state's "Singapore, Singapore"
            country="SG",
            posted_at="2026-07-28T16:09:41.579000+00:00",
        ),
        posting(
            "veeva",
            "466ed4a1-2c00-400e-8b9b-77b0c63d64d2",
            "(Associate) Team Lead - Data Operations",
            location="Portugal - Lisbon",
            city="Lisbon",
            country="PT",
            posted_at="2026-01-30T19:29:35.307000+00:00",
        ),
        posting(
            "veeva",
            "7465bdb3-4f75-43bc-b5d9-c23c77fd3a29",
            "(Associate) Team Lead - Data Operations",
            location="Spain - Barcelona",
            city="Barcelona",
            country="ES",
            posted_at="2026-01-30T19:28:54.009000+00:00",
        ),
    ]
    assert [job.categories for job in jobs] == [
        ("Services Team",),
        ("Services Team",),
        ("Sales",),
        ("Account Management", "Customer Success"),
        ("Data Operations - EU", "Data Operations"),
        ("Data Operations - EU", "Data Operations"),
    ]
    assert jobs[4].description.startswith("Veeva Systems is a missi [redacted for the fixture]")


async def test_a_complete_posting_keeps_its_lists() -> None:
    """Palantir's untrimmed posting: hybrid in London, each ``lists`` section in the text."""
    page = [lever("internradar-palantir-posting-ac978161-FULL.json")]
    result = await replay(Lever(), {"/palantir": page}, "palantir")

    assert [checked(job) for job in result.jobs] == [
        posting(
            "palantir",
            "ac978161-6f46-4f6b-ad9e-a258e642751c",
            "Administrative Business Partner",
            location="London, United Kingdom",
            city="London",
            country="GB",
            posted_at="2024-03-25T21:50:16.463000+00:00",
            mode="hybrid",
        )
    ]
    sections = [part["text"] for part in page[0]["lists"]]
    assert all(section in result.jobs[0].description for section in sections)
    assert result.jobs[0].categories == ("Administrative",)


async def test_onsite_and_a_stated_salary_are_read() -> None:
    """``workplaceType`` ``onsite`` (seen live) is on-site; ``salaryDescriptionPlain`` is read."""
    items = lever("jobs-veeva-postings-2-REDACTED.json")
    items[0]["workplaceType"] = "onsite"
    items[1]["salaryDescriptionPlain"] = "The salary range is €45,000 - €55,000 per year."
    result = await replay(Lever(), {"/veeva": items}, "veeva")

    assert fields(result.jobs[0])["work_environment"] == "on-site"
    assert fields(result.jobs[1])["salary"] == (45000.0, 55000.0, "EUR", "year")


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
