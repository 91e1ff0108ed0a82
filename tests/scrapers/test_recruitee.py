"""Recruitee careers-site offers, on two recorded ``/api/offers/`` answers.

bunq's capture (TRIMMED to two offers, ``requirements`` cut, salaries all null, custom
careers domain ``careers.bunq.com``) and a Berlin company's (SANITIZED: named "Acme",
careers URLs on ``jobs.acme.com``; texts complete; salaries ``"60000"``-``"75000"`` EUR a
year). Both give ``"YYYY-MM-DD HH:MM:SS UTC"`` dates and ``remote``/``hybrid`` flags.
"""

from __future__ import annotations

from typing import Any

import pytest

from jobping import SkippedItem
from jobping.testing import replay
from scrapers.recruitee import Recruitee
from tests.scrapers.helpers import assert_bad_pages_fail, fields, payload, spoil

pytestmark = pytest.mark.anyio
URL = "https://acme.recruitee.com/api/offers/"
BUNQ = "https://bunq.recruitee.com/api/offers/"


def acme() -> dict[str, Any]:
    """The Berlin company's two offers (with salaries)."""
    return dict(payload("recruitee", "careerkit-berlin-company-offers-2-SANITIZED.json"))


def bunq() -> dict[str, Any]:
    """bunq's two offers (no salaries, careers on its own domain)."""
    return dict(payload("recruitee", "atsjobsscraper-bunq-offers-2-TRIMMED.json"))


async def test_offers_parse_with_their_fields() -> None:
    """Salary strings, the hybrid flag and the ``UTC`` dates are read as a reader sees them."""
    result = await replay(Recruitee(), {URL: acme()}, "acme")

    assert [fields(job) for job in result.jobs] == [
        {
            "source_id": "2700825",
            "title": "(Senior) Financial Accountant (f/m/d) - Berlin/Brandenburg Region, Germany",
            "company": "Acme",
            "location": "Berlin, Berlin, Germany",
            "city": "Berlin",
            "country": "DE",
            "job_url": (
                "https://jobs.acme.com/o/"
                "senior-financial-accountant-fmd-berlinbrandenburg-region-germany"
            ),
            "posted_at": "2026-08-05T10:10:39+00:00",
            "work_environment": "hybrid",
            "salary": (60000.0, 75000.0, "EUR", "year"),
        },
        {
            "source_id": "2697184",
            "title": "Partner Development Representative (f/m/d) - Berlin, Germany",
            "company": "Acme",
            "location": "Berlin, Berlin, Germany",
            "city": "Berlin",
            "country": "DE",
            "job_url": (
                "https://jobs.acme.com/o/partner-development-representative-fmd-berlin-germany"
            ),
            "posted_at": "2026-07-31T22:26:40+00:00",
            "work_environment": "hybrid",
            "salary": (75000.0, 90000.0, "EUR", "year"),
        },
    ]
    assert [job.categories for job in result.jobs] == [("Finance",), ("Sales",)]
    description = result.jobs[0].description
    assert description.startswith("How you will make an impact")
    assert "What we expect from you" in description  # the requirements follow


async def test_custom_careers_domain_and_null_salary() -> None:
    """bunq's offers link to ``careers.bunq.com``; an all-null ``salary`` gives none."""
    result = await replay(Recruitee(), {BUNQ: bunq()}, "bunq")

    assert [fields(job) for job in result.jobs] == [
        {
            "source_id": "2760348",
            "title": "(Senior) Legal Counsel",
            "company": "bunq",
            "location": "Amsterdam, Noord-Holland, Netherlands",
            "city": "Amsterdam",
            "country": "NL",
            "job_url": "https://careers.bunq.com/o/senior-legal-counsel-3",
            "posted_at": "2026-09-25T15:46:07+00:00",
            "work_environment": "hybrid",
            "salary": (None, None, None, None),
        },
        {
            "source_id": "2760260",
            "title": "Copywriting Intern",
            "company": "bunq",
            "location": "Amsterdam, Noord-Holland, Netherlands",
            "city": "Amsterdam",
            "country": "NL",
            "job_url": "https://careers.bunq.com/o/copywriting-intern-3",
            "posted_at": "2026-09-25T14:45:40+00:00",
            "work_environment": "hybrid",
            "salary": (None, None, None, None),
        },
    ]
    assert [job.categories for job in result.jobs] == [(), ()]  # department null


async def test_yearly_salaries_in_thousands_are_scaled() -> None:
    """``"75.00"``-``"95.00"`` a year (a real Recruitee quirk) is 75,000-95,000."""
    recorded = acme()
    recorded["offers"][0]["salary"] = {"min": "75.00", "max": "95.00", "period": "year"}
    recorded["offers"][0]["salary"]["currency"] = "EUR"
    recorded["offers"][1]["salary"] = {
        "min": "18",
        "max": "22",
        "period": "hour",
        "currency": "EUR",
    }
    result = await replay(Recruitee(), {URL: recorded}, "acme")

    assert fields(result.jobs[0])["salary"] == (75000.0, 95000.0, "EUR", "year")
    assert fields(result.jobs[1])["salary"] == (18.0, 22.0, "EUR", "hour")


async def test_company_is_one_request_and_base_url_takes_the_company() -> None:
    """No pagination: one request; an override places the company in its path."""
    result = await replay(Recruitee(), {URL: acme()}, "acme")
    assert result.requests == [URL]

    local = "http://127.0.0.1:9/recruitee/{company}"
    sandboxed = await replay(
        Recruitee(),
        {"http://127.0.0.1:9/recruitee/acme/api/offers/": acme()},
        "acme",
        base_url=local,
    )
    assert len(sandboxed.jobs) == 2


async def test_an_empty_company_gives_no_jobs() -> None:
    """A company without published offers answers ``{"offers": []}``: no job, no skip."""
    result = await replay(Recruitee(), {URL: {"offers": []}}, "acme")

    assert (result.jobs, result.skipped) == ([], [])


async def test_malformed_items_are_skipped_with_reasons() -> None:
    """An offer without title, one whose salary ``min`` is not a number, and a string."""
    recorded = acme()
    recorded["offers"] = spoil(
        recorded["offers"] + bunq()["offers"], drop="title", wrong="salary", value={"min": "lots"}
    )
    result = await replay(Recruitee(), {URL: recorded}, "acme")

    assert len(result.jobs) == 2
    assert result.skipped == [
        SkippedItem("2700825", "no title"),
        SkippedItem("2697184", "'min' is not a number: 'lots'"),
        SkippedItem("#2", "not a JSON object (str)"),
    ]


async def test_malformed_pages_fail_the_target() -> None:
    """HTML, an empty body, a string and ``offers`` of the wrong type fail the target."""
    await assert_bad_pages_fail(Recruitee(), URL, "acme", b'{"offers": "none"}')
