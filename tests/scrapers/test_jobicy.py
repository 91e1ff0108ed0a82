"""Jobicy on two recorded ``/v2/remote-jobs`` answers (envelopes reduced to ``jobs``).

BreteAI's capture: three jobs with multi-region ``jobGeo`` and one salary; the
JobSearchAggregator capture: five US jobs, all with yearly salaries.
"""

from __future__ import annotations

from typing import Any

import pytest

from jobping import PayloadError, SkippedItem
from jobping.testing import replay
from scrapers.jobicy import Jobicy
from tests.scrapers.helpers import assert_bad_pages_fail, fields, payload, spoil

pytestmark = pytest.mark.anyio

PATH = "/v2/remote-jobs"
Salary = tuple[float | None, float | None, str | None, str | None]
NO_SALARY: Salary = (None, None, None, None)


def breteai() -> dict[str, Any]:
    """BreteAI's capture (three jobs)."""
    return dict(payload("jobicy", "breteai-remote-jobs-3jobs-TRIMMED.json"))


def aggregator() -> dict[str, Any]:
    """JobSearchAggregator's capture (five jobs)."""
    return dict(payload("jobicy", "jobsearchaggregator-remote-jobs-5jobs-jobsonly.json"))


def remote_job(
    job_id: int, slug: str, *, title: str, company: str, geo: str, posted: str, salary: Salary
) -> dict[str, Any]:
    """The checked fields of a remote Jobicy job (a country only when ``geo`` names one)."""
    return {
        "source_id": str(job_id),
        "title": title,
        "company": company,
        "location": geo,
        "city": None,
        "country": "US" if geo == "USA" else None,
        "job_url": f"https://jobicy.com/jobs/{job_id}-{slug}",
        "posted_at": posted,
        "work_environment": "remote",
        "salary": salary,
    }


async def test_jobs_parse_with_their_regions_and_industries() -> None:
    """``jobGeo`` lists (double spaces gone) are the location; several regions name no country."""
    result = await replay(Jobicy(), {PATH: breteai()}, "all")

    assert [fields(job) for job in result.jobs] == [
        remote_job(
            150798,
            "senior-product-director-local-growth",
            title="(Senior) Product Director, Local Growth",
            company="OKX",
            geo="LATAM, Hong Kong, Mexico, Singapore",
            posted="2026-08-15T15:28:49+00:00",
            salary=NO_SALARY,
        ),
        remote_job(
            150796,
            "senior-devops-engineer-latam",
            title="Senior DevOps Engineer - LATAM",
            company="Luxury Presence",
            geo="LATAM, Brazil",
            posted="2026-08-15T15:28:45+00:00",
            salary=NO_SALARY,
        ),
        remote_job(
            150791,
            "chief-of-staff-emergency-cash-senior-manager",
            title="Chief of Staff, Emergency Cash (Senior Manager)",
            company="GiveDirectly",
            geo="UK, USA",
            posted="2026-08-15T15:08:07+00:00",
            salary=(115000.0, 115000.0, "USD", "year"),
        ),
    ]
    assert [job.categories for job in result.jobs] == [
        ("Product & Operations",),
        ("DevOps & Infrastructure",),
        ("Product & Operations",),
    ]
    assert result.jobs[0].description.startswith("Who We Are\n\nAt OKX, we believe")


async def test_yearly_salaries_are_read() -> None:
    """``salaryMin``/``salaryMax`` in ``salaryCurrency`` per ``salaryPeriod`` yearly."""
    result = await replay(Jobicy(), {PATH: aggregator()}, "all")

    centene = "Centene Corporation"
    assert [fields(job) for job in result.jobs] == [
        remote_job(
            150172,
            "senior-manager-change-enablement-cox-automotive-fleet",
            title="Senior Manager, Change Enablement - Cox Automotive Fleet",
            company="Cox Enterprises",
            geo="USA",
            posted="2026-08-03T18:45:05+00:00",
            salary=(122600.0, 204400.0, "USD", "year"),
        ),
        remote_job(
            150170,
            "vp-enterprise-change-transformation-communications",
            title="VP, Enterprise Change & Transformation Communications",
            company=centene,
            geo="USA",
            posted="2026-08-03T18:45:00+00:00",
            salary=(188900.0, 359800.0, "USD", "year"),
        ),
        remote_job(
            150169,
            "care-manager",
            title="Care Manager",
            company=centene,
            geo="USA",
            posted="2026-08-03T18:44:59+00:00",
            salary=(56200.0, 101000.0, "USD", "year"),
        ),
        remote_job(
            150168,
            "clinical-review-nurse-prior-authorization-rn",
            title="Clinical Review Nurse - Prior Authorization (RN)",
            company=centene,
            geo="USA",
            posted="2026-08-03T18:44:57+00:00",
            salary=(54000.0, 98000.0, "USD", "year"),
        ),
        remote_job(
            150167,
            "workforce-scheduling-analyst-ii",
            title="Workforce Scheduling Analyst II",
            company=centene,
            geo="USA",
            posted="2026-08-03T18:44:55+00:00",
            salary=(54000.0, 98000.0, "USD", "year"),
        ),
    ]


async def test_a_minimum_without_maximum_is_kept() -> None:
    """``salaryMax`` may be absent while ``salaryMin`` is set (API-NOTES.md)."""
    page = aggregator()
    del page["jobs"][0]["salaryMax"]
    result = await replay(Jobicy(), {PATH: page}, "all")

    assert fields(result.jobs[0])["salary"] == (122600.0, None, "USD", "year")


async def test_target_and_options_become_the_query() -> None:
    """``all`` asks for everything, a tag filters; options pass on; ``count`` is 100."""
    result = await replay(Jobicy(), {PATH: breteai()}, "python?geo=usa")

    assert result.requests == ["https://jobicy.com/api/v2/remote-jobs?count=100&geo=usa&tag=python"]


async def test_no_match_gives_no_jobs() -> None:
    """``jobCount`` 0 (no job matches the filters) ends the target without jobs."""
    result = await replay(Jobicy(), {PATH: {"success": True, "jobCount": 0}}, "rust")

    assert (result.jobs, result.skipped) == ([], [])


async def test_an_unsuccessful_answer_fails_with_its_message() -> None:
    """``success: false`` fails the target and shows the API's message."""
    body = {"success": False, "message": "Unknown industry"}
    with pytest.raises(PayloadError, match="Jobicy refused the query: Unknown industry"):
        await replay(Jobicy(), {PATH: body}, "all")


async def test_malformed_items_are_skipped_with_reasons() -> None:
    """A job without ``jobTitle``, one whose ``jobIndustry`` is a number, a string: skipped."""
    page = breteai()
    page["jobs"] = spoil(page["jobs"], drop="jobTitle", wrong="jobIndustry")
    result = await replay(Jobicy(), {PATH: page}, "all")

    assert [job.source_id for job in result.jobs] == ["150791"]
    assert result.skipped == [
        SkippedItem("150798", "no title"),
        SkippedItem("150796", "'jobIndustry' is a number, expected a list"),
        SkippedItem("#2", "not a JSON object (str)"),
    ]


async def test_malformed_pages_fail_the_target() -> None:
    """HTML, an empty body, a string and an object without ``jobs`` fail the target."""
    await assert_bad_pages_fail(Jobicy(), PATH, "all", b'{"apiVersion": "2"}')
