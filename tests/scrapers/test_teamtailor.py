"""Teamtailor on two recorded ``jobs.json`` feeds: Teamtailor's own board and UpCloud's.

Teamtailor's file is trimmed (no ``content_html``); UpCloud's is real with descriptions
shortened and a broken fourth item its author added (no id, title or url).
"""

from __future__ import annotations

from typing import Any

import pytest

from jobping import PayloadError, SkippedItem
from jobping.testing import replay
from scrapers.teamtailor import Teamtailor
from tests.scrapers.helpers import assert_bad_pages_fail, fields, payload

pytestmark = pytest.mark.anyio

UPCLOUD = "https://upcloud.teamtailor.com/jobs.json"
CAREER = "https://career.teamtailor.com/jobs.json"


def upcloud() -> dict[str, Any]:
    """UpCloud's recorded feed (three real items and a broken one)."""
    return dict(payload("teamtailor", "jobscraper-upcloud-jobs-json-3-plus-broken-EDITED.json"))


def career() -> dict[str, Any]:
    """Teamtailor's own recorded feed (two items, multi-location)."""
    return dict(payload("teamtailor", "careerkit-teamtailor-own-jobs-json-2-TRIMMED.json"))


async def test_upcloud_items_parse_with_their_fields() -> None:
    """Each item as a reader sees it: hiring organization, first place, local times in UTC."""
    result = await replay(Teamtailor(), {UPCLOUD: upcloud()}, "upcloud")

    assert [fields(job) for job in result.jobs] == [
        {
            "source_id": "d8938509-ff5a-4755-a5f7-5f89a0ac791e",
            "title": "Business Intelligence Analyst",
            "company": "UpCloud",
            "location": "Helsinki, FI",
            "city": "Helsinki",
            "country": "FI",
            "job_url": "https://upcloud.teamtailor.com/jobs/8323453-business-intelligence-analyst",
            "posted_at": "2026-09-04T11:50:13+00:00",
            "work_environment": "unknown",
            "salary": (None, None, None, None),
        },
        {
            "source_id": "2a4eb6a0-7aa9-4acf-bcce-4d8b37287035",
            "title": "Full Stack Developer",
            "company": "UpCloud",
            "location": "Helsinki, FI",
            "city": "Helsinki",
            "country": "FI",
            "job_url": "https://upcloud.teamtailor.com/jobs/7958695-full-stack-developer",
            "posted_at": "2026-06-23T13:35:08+00:00",
            "work_environment": "unknown",
            "salary": (None, None, None, None),
        },
        {
            "source_id": "fc1257d7-c11a-4074-a0a3-883330ac9b39",
            "title": "Growth Engineer, Lifecycle Marketing",
            "company": "UpCloud",
            "location": "Helsinki, FI",
            "city": "Helsinki",
            "country": "FI",
            "job_url": (
                "https://upcloud.teamtailor.com/jobs/7929083-growth-engineer-lifecycle-marketing"
            ),
            "posted_at": "2026-06-17T09:51:10+00:00",
            "work_environment": "unknown",
            "salary": (None, None, None, None),
        },
    ]
    assert result.jobs[0].description.startswith(
        "We are looking for a Business Intelligence Analyst to join UpCloud"
    )
    assert result.skipped == [SkippedItem("#3", "missing 'id'")]


async def test_multi_location_items_keep_every_place() -> None:
    """A job in Stockholm and København lists both; the first is its city and country."""
    result = await replay(Teamtailor(), {CAREER: career()}, "career")

    assert [fields(job) for job in result.jobs] == [
        {
            "source_id": "20fafb7d-f013-4061-b6de-2894b3e0838b",
            "title": "Account Executive - Italy (Madrid based)",
            "company": "Teamtailor",
            "location": "Madrid, ES",
            "city": "Madrid",
            "country": "ES",
            "job_url": (
                "https://career.teamtailor.com/jobs/7167985-account-executive-italy-madrid-based"
            ),
            "posted_at": "2026-02-04T08:26:20+00:00",
            "work_environment": "unknown",
            "salary": (None, None, None, None),
        },
        {
            "source_id": "a52c9a45-1132-44c9-9696-76974817ae6e",
            "title": "Mid-Market Account Executive - Copenhagen",
            "company": "Teamtailor",
            "location": "Stockholm, SE; København, DK",
            "city": "Stockholm",
            "country": "SE",
            "job_url": (
                "https://career.teamtailor.com/jobs/7069633-mid-market-account-executive-copenhagen"
            ),
            "posted_at": "2026-01-18T18:35:57+00:00",
            "work_environment": "unknown",
            "salary": (None, None, None, None),
        },
    ]
    assert result.jobs[0].description == ""  # the trimmed capture has no content_html


async def test_remote_type_and_base_salary_are_read() -> None:
    """schema.org ``TELECOMMUTE`` and a ``baseSalary`` range (absent from the captures) apply."""
    feed = upcloud()
    posting = feed["items"][0]["_jobposting"]
    posting["jobLocationType"] = "TELECOMMUTE"
    value = {"@type": "QuantitativeValue", "minValue": 4200, "maxValue": 5100, "unitText": "MONTH"}
    posting["baseSalary"] = {"@type": "MonetaryAmount", "currency": "EUR", "value": value}
    feed["items"][1]["_jobposting"]["baseSalary"] = {"currency": "EUR", "value": 60000}
    result = await replay(Teamtailor(), {UPCLOUD: feed}, "upcloud")

    assert fields(result.jobs[0])["work_environment"] == "remote"
    assert fields(result.jobs[0])["salary"] == (4200.0, 5100.0, "EUR", "month")
    assert fields(result.jobs[1])["salary"] == (60000.0, None, "EUR", None)


async def test_next_url_is_followed_until_a_feed_has_none() -> None:
    """A feed's ``next_url`` (JSON Feed pagination) is fetched; a feed without one ends it."""
    first, second = upcloud(), upcloud()
    first["items"], second["items"] = first["items"][:1], second["items"][1:3]
    first["next_url"] = "https://upcloud.teamtailor.com/jobs.json?page=2"
    pages = {UPCLOUD: first, f"{UPCLOUD}?page=2": second}
    result = await replay(Teamtailor(), pages, "upcloud")

    assert [job.title for job in result.jobs] == [
        "Business Intelligence Analyst",
        "Full Stack Developer",
        "Growth Engineer, Lifecycle Marketing",
    ]
    assert result.requests == [UPCLOUD, f"{UPCLOUD}?page=2"]


async def test_an_empty_feed_gives_no_jobs() -> None:
    """A company without openings answers a feed with no items: no job, nothing skipped."""
    feed = upcloud()
    feed["items"] = []
    result = await replay(Teamtailor(), {UPCLOUD: feed}, "upcloud")

    assert (result.jobs, result.skipped) == ([], [])


async def test_a_target_that_is_no_subdomain_fails_before_any_request() -> None:
    """A target with a slash cannot be a host name: the target fails, saying why."""
    with pytest.raises(PayloadError, match=r"a teamtailor target is a subdomain .* 'a/b'"):
        await replay(Teamtailor(), {}, "a/b")


async def test_malformed_pages_fail_the_target() -> None:
    """HTML, an empty body, a string and an error object without ``items`` fail the target."""
    await assert_bad_pages_fail(Teamtailor(), UPCLOUD, "upcloud", b'{"errors": ["not found"]}')
