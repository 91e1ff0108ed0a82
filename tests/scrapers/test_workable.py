"""Workable's public widget API on three recorded ``?details=true`` answers.

Hugging Face (TRIMMED to two jobs, texts cut; both places ``hidden``), Vasion (TRIMMED to
two jobs, descriptions cut at 600 characters; envelope ``{name, jobs}``) and Zaelab
(SANITIZED: keys the author's tests did not use removed; one job listed once per country).
"""

from __future__ import annotations

from typing import Any

import pytest

from jobping import SkippedItem
from jobping.testing import replay
from scrapers.workable import Workable
from tests.scrapers.helpers import assert_bad_pages_fail, fields, payload, spoil

pytestmark = pytest.mark.anyio

J = "https://apply.workable.com/j/"


def account(name: str) -> dict[str, Any]:
    """A recorded account answer."""
    files = {
        "huggingface": "atsjobsscraper-huggingface-widget-details-2jobs-TRIMMED.json",
        "vasion": "jobagent-vasion-widget-details-2jobs-TRIMMED.json",
        "zaelab": "careerkit-zaelab-widget-2jobs-SANITIZED.json",
    }
    return dict(payload("workable", files[name]))


async def test_account_jobs_parse_with_their_fields() -> None:
    """The account's name is the company; ``telecommuting`` is the remote flag; dates are days."""
    result = await replay(Workable(), {"/vasion": account("vasion")}, "vasion")

    assert [fields(job) for job in result.jobs] == [
        {
            "source_id": "74172297A5",
            "title": "Account Executive (Partner First) - APAC",
            "company": "Vasion",
            "location": "New South Wales, Australia",
            "city": None,
            "country": "AU",
            "job_url": J + "74172297A5",
            "posted_at": "2026-08-05T00:00:00+00:00",
            "work_environment": "remote",
            "salary": (None, None, None, None),
        },
        {
            "source_id": "15F16B8D99",
            "title": "Account Executive - UK&I / Northern Europe",
            "company": "Vasion",
            "location": "London, England, United Kingdom",
            "city": "London",
            "country": "GB",
            "job_url": J + "15F16B8D99",
            "posted_at": "2026-08-10T00:00:00+00:00",
            "work_environment": "on-site",
            "salary": (None, None, None, None),
        },
    ]
    assert [job.categories for job in result.jobs] == [("Sales - International", "Sales")] * 2
    assert result.jobs[0].description.startswith("Vasion is a cloud-native SaaS platform")


async def test_hidden_places_are_left_out() -> None:
    """Hugging Face hides both jobs' places (``hidden: true``): no location is claimed."""
    result = await replay(Workable(), {"/huggingface": account("huggingface")}, "huggingface")

    assert [fields(job) for job in result.jobs] == [
        {
            "source_id": "F4C096B22E",
            "title": "Low-level Senior Software Engineer, Xet Storage - EMEA Remote",
            "company": "Hugging Face",
            "location": None,
            "city": None,
            "country": None,
            "job_url": J + "F4C096B22E",
            "posted_at": "2026-07-30T00:00:00+00:00",
            "work_environment": "remote",
            "salary": (None, None, None, None),
        },
        {
            "source_id": "002470F128",
            "title": "Low-Level Senior Software Engineer, Xet Storage - US Remote",
            "company": "Hugging Face",
            "location": None,
            "city": None,
            "country": None,
            "job_url": J + "002470F128",
            "posted_at": "2026-07-30T00:00:00+00:00",
            "work_environment": "remote",
            "salary": (None, None, None, None),
        },
    ]
    assert result.jobs[0].categories == ("Product", "Engineering")


async def test_a_job_listed_per_country_becomes_one_job() -> None:
    """Zaelab lists one job twice (Spain, Portugal): one job, both places, the first's country."""
    result = await replay(Workable(), {"/zaelab": account("zaelab")}, "zaelab")

    assert [fields(job) for job in result.jobs] == [
        {
            "source_id": "DD136DD7E7",
            "title": "Business Analyst - Spanish Speaking",
            "company": "Zaelab",
            "location": "Spain; Portugal",
            "city": None,
            "country": "ES",
            "job_url": J + "DD136DD7E7",
            "posted_at": "2026-08-05T00:00:00+00:00",
            "work_environment": "remote",
            "salary": (None, None, None, None),
        }
    ]
    assert result.jobs[0].description == ""  # the sanitized capture has no description


async def test_jobs_without_locations_use_their_own_place() -> None:
    """Without ``locations``, the job's ``city``, ``state`` and ``country`` are its place."""
    recorded = account("vasion")
    del recorded["jobs"][1]["locations"]
    result = await replay(Workable(), {"/vasion": recorded}, "vasion")

    job = result.jobs[1]
    assert (job.location, job.city, job.country) == (
        "London, England, United Kingdom",
        "London",
        "GB",
    )


async def test_account_is_one_request() -> None:
    """The widget API has no pagination: one request with ``details=true``."""
    result = await replay(Workable(), {"/vasion": account("vasion")}, "vasion")

    url = "https://apply.workable.com/api/v1/widget/accounts/vasion?details=true"
    assert result.requests == [url]


async def test_an_account_without_jobs_gives_none() -> None:
    """An account with no published job answers ``jobs: []``: no job, no skip."""
    result = await replay(Workable(), {"/vasion": {"name": "Vasion", "jobs": []}}, "vasion")

    assert (result.jobs, result.skipped) == ([], [])


async def test_malformed_items_are_skipped_with_reasons() -> None:
    """A job without title, one whose ``telecommuting`` is a list, and a string are skipped."""
    recorded = account("vasion")
    recorded["jobs"] = spoil(
        recorded["jobs"] + account("huggingface")["jobs"],
        drop="title",
        wrong="telecommuting",
        value=[1],
    )
    result = await replay(Workable(), {"/vasion": recorded}, "vasion")

    assert len(result.jobs) == 2
    assert result.skipped == [
        SkippedItem("74172297A5", "no title"),
        SkippedItem("15F16B8D99", "'telecommuting' is a list, expected true or false"),
        SkippedItem("#2", "not a JSON object (str)"),
    ]


async def test_malformed_pages_fail_the_target() -> None:
    """HTML, an empty body, a string and an account without ``jobs`` fail the target."""
    await assert_bad_pages_fail(Workable(), "/vasion", "vasion", b'{"name": "Vasion"}')
