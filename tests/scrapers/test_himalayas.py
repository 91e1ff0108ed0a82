"""Himalayas on two recorded ``/jobs/api`` answers (each trimmed to three jobs).

BreteAI's capture lost the envelope but ``jobs`` and has the API's placeholder
``companyName: "name"``; job-agent's keeps ``totalCount`` (101,737) and hourly salaries.
"""

from __future__ import annotations

from typing import Any

import pytest

from jobping import SkippedItem
from jobping.testing import replay
from scrapers.himalayas import Himalayas
from tests.scrapers.helpers import assert_bad_pages_fail, fields, payload, spoil

pytestmark = pytest.mark.anyio

JOBS = "https://himalayas.app/companies/{}/jobs/{}"


class OnePerPage(Himalayas):
    """Himalayas asking for one job a page, so three recorded jobs span three pages."""

    page_size = 1


def breteai() -> dict[str, Any]:
    """The BreteAI capture: three jobs, placeholder company names."""
    return dict(payload("himalayas", "breteai-jobs-api-3jobs-TRIMMED.json"))


def jobagent() -> dict[str, Any]:
    """The job-agent capture: three jobs and ``totalCount``."""
    return dict(payload("himalayas", "jobagent-jobs-api-3jobs-TRIMMED.json"))


def expected(slug: str, path: str, **values: Any) -> dict[str, Any]:
    """The checked fields of a remote Himalayas job at ``/companies/slug/jobs/path``."""
    url = JOBS.format(slug, path)
    return {"source_id": url, **values, "job_url": url, "work_environment": "remote"}


def checked(job: Any) -> dict[str, Any]:
    """``fields(job)`` in the order ``expected`` builds it."""
    found = fields(job)
    head = {"source_id": found.pop("source_id")}
    tail = {"job_url": found.pop("job_url"), "work_environment": found.pop("work_environment")}
    return {**head, **found, **tail}


async def test_placeholder_company_names_give_way_to_the_slug() -> None:
    """``companyName: "name"`` is the API's placeholder: the company slug in words replaces it."""
    result = await replay(Himalayas(), {"/api": breteai()}, "all")

    assert [checked(job) for job in result.jobs] == [
        expected(
            "alignment-health",
            "inpatient-review-nurse-remote-california-rn-lvn-license-required-pacific-ti-9255085839",
            title=(
                "Inpatient Review Nurse (Remote | California RN/LVN License Required | Pacific Ti"
            ),
            company="Alignment Health",
            location="United States",
            city=None,
            country="US",
            posted_at="2026-08-15T17:00:32+00:00",
            salary=(77905.0, 116858.0, "USD", "year"),
        ),
        expected(
            "gt-ecom",
            "seo-product-page-marketing-specialist-for-supplement-brand",
            title="SEO & Product Page Marketing Specialist for Supplement Brand",
            company="Gt Ecom",
            location="United States",
            city=None,
            country="US",
            posted_at="2026-08-15T17:00:32+00:00",
            salary=(None, None, None, None),
        ),
        expected(
            "mercor",
            "audio-engineer-fully-remote-upto-14-hr-6932578128",
            title="Audio Engineer - Fully Remote | Upto $14/hr",
            company="Mercor",
            location="India",
            city=None,
            country="IN",
            posted_at="2026-08-15T16:58:29+00:00",
            salary=(14.0, 14.0, "USD", "hour"),
        ),
    ]
    assert result.jobs[1].categories[:3] == (
        "Marketing",
        "SEO Specialist",
        "Product Page Optimization",
    )
    assert result.jobs[2].description.startswith("About the job\n\nMercor connects elite creative")


async def test_jobs_parse_with_hourly_salaries_and_real_names() -> None:
    """Real company names are kept; ``salaryPeriod`` hourly and annual become hour and year."""
    result = await replay(Himalayas(), {"/api": jobagent()}, "all")

    assert [checked(job) for job in result.jobs] == [
        expected(
            "mercor",
            "physics-expert-fully-remote-upto-135-hr-9819995926",
            title="Physics Expert - Fully Remote | Upto $135/hr",
            company="mercor",
            location="United Kingdom",
            city=None,
            country="GB",
            posted_at="2026-08-11T05:04:31+00:00",
            salary=(80.0, 135.0, "USD", "hour"),
        ),
        expected(
            "scalejet",
            "amazon-brand-manager-9436199555",
            title="Amazon Brand Manager",
            company="ScaleJet",
            location="Poland",
            city=None,
            country="PL",
            posted_at="2026-08-11T05:04:26+00:00",
            salary=(None, None, None, None),
        ),
        expected(
            "pearson",
            "lead-specialist-internal-audit-controls-compliance-and-risk",
            title="Lead Specialist, Internal Audit, Controls, Compliance and Risk",
            company="Pearson",
            location="United States",
            city=None,
            country="US",
            posted_at="2026-08-11T05:00:55+00:00",
            salary=(None, None, None, None),
        ),
    ]


async def test_several_allowed_countries_name_no_single_country() -> None:
    """A job open to residents of two countries lists both and claims neither as its country."""
    page = jobagent()
    page["jobs"][0]["locationRestrictions"] = ["United Kingdom", "Germany"]
    page["jobs"][1]["locationRestrictions"] = []
    result = await replay(Himalayas(), {"/api": page}, "all")

    assert (result.jobs[0].location, result.jobs[0].country) == ("United Kingdom, Germany", None)
    assert (result.jobs[1].location, result.jobs[1].country) == (None, None)


async def test_pages_follow_offset_until_total_count() -> None:
    """Pages of one job: the third reaches ``totalCount`` 3 and no fourth is asked for."""
    jobs = jobagent()["jobs"]
    pages = {f"/api?offset={n}": {"totalCount": 3, "jobs": [jobs[n]]} for n in range(3)}
    result = await replay(OnePerPage(), pages, "all")

    assert [job.company for job in result.jobs] == ["mercor", "ScaleJet", "Pearson"]
    base = "https://himalayas.app/jobs/api"
    assert result.requests == [f"{base}?offset={n}&limit=1" for n in range(3)]


async def test_an_empty_page_ends_the_pagination() -> None:
    """An empty ``jobs`` list (offset past the end) ends it without a job or a skip."""
    result = await replay(Himalayas(), {"/api": {"totalCount": 0, "jobs": []}}, "all")

    assert (result.jobs, result.skipped, len(result.requests)) == ([], [], 1)


async def test_malformed_items_are_skipped_with_reasons() -> None:
    """A job without ``guid``, one whose ``minSalary`` is text, and a string are skipped."""
    page = jobagent()
    page["jobs"] = spoil(page["jobs"], drop="guid", wrong="minSalary", value="lots")
    result = await replay(Himalayas(), {"/api": page}, "all")

    assert [job.company for job in result.jobs] == ["Pearson"]
    assert result.skipped == [
        SkippedItem("#0", "missing 'guid'"),
        SkippedItem(
            JOBS.format("scalejet", "amazon-brand-manager-9436199555"),
            "'minSalary' is not a number: 'lots'",
        ),
        SkippedItem("#2", "not a JSON object (str)"),
    ]


async def test_malformed_pages_fail_the_target() -> None:
    """HTML, an empty body, a string and an error object without ``jobs`` fail the target."""
    await assert_bad_pages_fail(Himalayas(), "/api", "all", b'{"error": "rate limited"}')
