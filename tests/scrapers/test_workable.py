"""Workable's public widget API.

No real Workable capture exists (``../shared/fixtures/API-NOTES.md``): the fixture
``acme-widget-details-CONSTRUCTED.json`` is built from the documented response shape of
``GET /api/v1/widget/accounts/{account}?details=true``: ``{name, description, jobs[...]}``
with ``shortcode``, ``telecommuting``, ``url``, ``published_on``, ``city``, ``country``...
"""

from __future__ import annotations

from typing import Any

import pytest

from jobping import SkippedItem
from jobping.testing import replay
from scrapers.workable import Workable
from tests.scrapers.helpers import assert_bad_pages_fail, fields, payload, spoil

pytestmark = pytest.mark.anyio


def account() -> dict[str, Any]:
    """The constructed account response."""
    return dict(payload("workable", "acme-widget-details-CONSTRUCTED.json"))


async def test_account_jobs_parse_with_their_fields() -> None:
    """Three jobs; the account's name is the company; ``telecommuting`` is the remote flag."""
    result = await replay(Workable(), {"/acme": account()}, "acme")

    assert len(result.jobs) == 3
    assert fields(result.jobs[0]) == {
        "source_id": "A1B2C3D4E5",
        "title": "Senior Backend Engineer",
        "company": "Acme Robotics",
        "location": "Berlin, Berlin, Germany",
        "city": "Berlin",
        "country": "DE",
        "job_url": "https://apply.workable.com/j/A1B2C3D4E5",
        "posted_at": "2026-10-02T00:00:00+00:00",
        "work_environment": "remote",
        "salary": (None, None, None, None),
    }
    assert fields(result.jobs[1]) == {
        "source_id": "F6G7H8J9K0",
        "title": "Office Manager",
        "company": "Acme Robotics",
        "location": "Athens, Attica, Greece",
        "city": "Athens",
        "country": "GR",
        "job_url": "https://apply.workable.com/j/F6G7H8J9K0",
        "posted_at": "2026-10-05T00:00:00+00:00",
        "work_environment": "on-site",
        "salary": (None, None, None, None),
    }
    assert result.jobs[0].description == "You will build our fleet APIs.\n\n- Python\n- PostgreSQL"


async def test_account_is_one_request() -> None:
    """The widget API has no pagination: one request with ``details=true``."""
    result = await replay(Workable(), {"/acme": account()}, "acme")

    url = "https://apply.workable.com/api/v1/widget/accounts/acme?details=true"
    assert result.requests == [url]


async def test_malformed_items_are_skipped_with_reasons() -> None:
    """A job without title, one whose ``telecommuting`` is a list, and a string are skipped."""
    recorded = account()
    recorded["jobs"] = spoil(recorded["jobs"], drop="title", wrong="telecommuting", value=[1])
    result = await replay(Workable(), {"/acme": recorded}, "acme")

    assert len(result.jobs) == 1
    assert result.skipped == [
        SkippedItem("A1B2C3D4E5", "no title"),
        SkippedItem("F6G7H8J9K0", "'telecommuting' is a list, expected true or false"),
        SkippedItem("#2", "not a JSON object (str)"),
    ]


async def test_malformed_pages_fail_the_target() -> None:
    """HTML, an empty body, a string and an account without ``jobs`` fail the target."""
    await assert_bad_pages_fail(Workable(), "/acme", "acme", b'{"name": "Acme"}')
