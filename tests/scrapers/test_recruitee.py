"""Recruitee careers-site offers.

No downloadable real Recruitee capture exists (``../shared/fixtures/API-NOTES.md``): the
fixture ``acme-offers-CONSTRUCTED.json`` is built from the documented shape of
``GET https://{company}.recruitee.com/api/offers/``: ``{offers: [...]}`` with ``id``,
``title``, ``company_name``, ``city``, ``country_code``, ``remote``/``hybrid``/``on_site``,
``salary{min,max,period,currency}``, ``careers_url`` and ``"YYYY-MM-DD HH:MM:SS UTC"`` dates.
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


def offers() -> dict[str, Any]:
    """The constructed offers response."""
    return dict(payload("recruitee", "acme-offers-CONSTRUCTED.json"))


async def test_offers_parse_with_their_fields() -> None:
    """Three offers; salary strings, work-mode flags and the ``UTC`` dates are read."""
    result = await replay(Recruitee(), {URL: offers()}, "acme")

    assert len(result.jobs) == 3
    assert fields(result.jobs[0]) == {
        "source_id": "1412345",
        "title": "Data Engineer",
        "company": "Acme Robotics",
        "location": "Amsterdam, Netherlands",
        "city": "Amsterdam",
        "country": "NL",
        "job_url": "https://acme.recruitee.com/o/data-engineer",
        "posted_at": "2026-09-21T09:00:00+00:00",
        "work_environment": "hybrid",
        "salary": (60000.0, 75000.0, "EUR", "year"),
    }
    assert fields(result.jobs[2]) == {
        "source_id": "1412350",
        "title": "Support Engineer (Remote)",
        "company": "Acme Robotics",
        "location": "Remote",
        "city": None,
        "country": None,
        "job_url": "https://acme.recruitee.com/o/support-engineer-remote",
        "posted_at": "2026-10-03T11:05:00+00:00",
        "work_environment": "remote",
        "salary": (3500.0, 4200.0, "EUR", "month"),
    }
    assert fields(result.jobs[1])["salary"] == (None, None, None, None)


async def test_company_is_one_request_and_base_url_takes_the_company() -> None:
    """No pagination: one request; an override places the company in its path."""
    result = await replay(Recruitee(), {URL: offers()}, "acme")
    assert result.requests == [URL]

    local = "http://127.0.0.1:9/recruitee/{company}"
    sandboxed = await replay(
        Recruitee(),
        {"http://127.0.0.1:9/recruitee/acme/api/offers/": offers()},
        "acme",
        base_url=local,
    )
    assert len(sandboxed.jobs) == 3


async def test_malformed_items_are_skipped_with_reasons() -> None:
    """An offer without title, one whose salary ``min`` is not a number, and a string."""
    recorded = offers()
    recorded["offers"] = spoil(
        recorded["offers"], drop="title", wrong="salary", value={"min": "lots"}
    )
    result = await replay(Recruitee(), {URL: recorded}, "acme")

    assert len(result.jobs) == 1
    assert result.skipped == [
        SkippedItem("1412345", "no title"),
        SkippedItem("1412346", "'min' is not a number: 'lots'"),
        SkippedItem("#2", "not a JSON object (str)"),
    ]


async def test_malformed_pages_fail_the_target() -> None:
    """HTML, an empty body, a string and ``offers`` of the wrong type fail the target."""
    await assert_bad_pages_fail(Recruitee(), URL, "acme", b'{"offers": "none"}')
