"""Greenhouse on recorded boards.

``techjobshub-airtable-jobs-wrapped.json`` holds the real ``jobs`` array inside a scraper's
own wrapper: the tests serve it in the API's envelope ``{jobs, meta: {total}}``.
"""

from __future__ import annotations

from typing import Any

import pytest

from jobping import PayloadError, SkippedItem
from jobping.testing import replay
from scrapers.greenhouse import Greenhouse
from tests.scrapers.helpers import assert_bad_pages_fail, fields, payload, raw, spoil

pytestmark = pytest.mark.anyio


def airtable_board() -> dict[str, Any]:
    """The Airtable jobs in the API's envelope."""
    jobs = payload("greenhouse", "techjobshub-airtable-jobs-wrapped.json")["jobs"]
    return {"jobs": jobs, "meta": {"total": len(jobs)}}


async def test_airtable_board_parses_every_job_and_its_fields() -> None:
    """All 16 Airtable jobs come out; two of them field by field."""
    result = await replay(Greenhouse(), {"/airtable/jobs": airtable_board()}, "airtable")

    assert len(result.jobs) == 16
    assert result.skipped == []
    assert fields(result.jobs[0]) == {
        "source_id": "8403127002",
        "title": "Account Executive, Strategic Accounts",
        "company": "Airtable",
        "location": "Remote - US",
        "city": None,
        "country": "US",
        "job_url": "https://job-boards.greenhouse.io/airtable/jobs/8403127002",
        "posted_at": "2026-02-28T14:04:24+00:00",
        "work_environment": "remote",
        "salary": (None, None, None, None),
    }
    assert fields(result.jobs[1]) == {
        "source_id": "8654173002",
        "title": "Delivery Consultant",
        "company": "Airtable",
        "location": "New York, NY; Remote - US",
        "city": "New York",
        "country": "US",
        "job_url": "https://job-boards.greenhouse.io/airtable/jobs/8654173002",
        "posted_at": "2026-07-28T19:59:04+00:00",
        "work_environment": "remote",
        "salary": (None, None, None, None),
    }


async def test_board_is_one_request_with_content() -> None:
    """Greenhouse has no pagination: one request, ``content=true``, no second page asked."""
    result = await replay(Greenhouse(), {"/airtable/jobs": airtable_board()}, "airtable")

    expected = "https://boards-api.greenhouse.io/v1/boards/airtable/jobs?content=true"
    assert result.requests == [expected]


async def test_entity_escaped_content_becomes_plain_text() -> None:
    """GitLab's ``&lt;p&gt;`` content is unescaped and stripped of tags."""
    board = payload("greenhouse", "gitlab-jobs-content-true-trimmed.json")
    result = await replay(Greenhouse(), {"/gitlab/jobs": board}, "gitlab")

    assert len(result.jobs) == 3
    description = result.jobs[0].description
    assert description.startswith("GitLab is the intelligent orchestration platform for DevSecOps.")
    assert "&lt;" not in description and "<p>" not in description
    assert result.jobs[0].categories == ("EMEA - Commercial",)


async def test_2013_board_without_company_name_uses_the_board_token() -> None:
    """A legacy payload (no ``company_name``, ``updated_at`` only) still gives jobs."""
    board = payload("greenhouse", "vcr2013-embed-jobs.json")
    result = await replay(Greenhouse(), {"/generalassembly/jobs": board}, "generalassembly")

    assert [(job.company, job.title) for job in result.jobs] == [
        ("generalassembly", "Application developer"),
        ("generalassembly", "Finance Analyst"),
    ]
    assert result.jobs[0].posted_at is not None
    assert result.jobs[0].posted_at.isoformat() == "2013-09-12T21:01:50+00:00"


async def test_malformed_items_are_skipped_with_reasons() -> None:
    """A job without title, one with a number as URL, and a non-object are skipped."""
    board = airtable_board()
    board["jobs"] = spoil(board["jobs"], drop="title", wrong="absolute_url")
    result = await replay(Greenhouse(), {"/airtable/jobs": board}, "airtable")

    assert len(result.jobs) == 14
    assert result.skipped == [
        SkippedItem("8403127002", "no title"),
        SkippedItem("8654173002", "'absolute_url' is a number, expected text"),
        SkippedItem("#2", "not a JSON object (str)"),
    ]


async def test_recorded_error_body_fails_the_target() -> None:
    """Greenhouse's real unknown-board body (no ``jobs``) is a ``PayloadError``."""
    body = raw("greenhouse", "vcr2013-error-unknown-board.json")
    with pytest.raises(PayloadError, match="missing 'jobs'"):
        await replay(Greenhouse(), {"/not-real-inc/jobs": body}, "not-real-inc")


async def test_malformed_pages_fail_the_target() -> None:
    """HTML, an empty body, a bare string and ``jobs`` of the wrong type fail the target."""
    await assert_bad_pages_fail(Greenhouse(), "/acme/jobs", "acme", b'{"jobs": {"id": 1}}')
