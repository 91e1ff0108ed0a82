"""Remotive on the recorded full response (35 jobs, starting with a UTF-8 BOM)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from jobping import SkippedItem
from jobping.testing import replay
from scrapers.remotive import Remotive
from tests.scrapers.helpers import assert_bad_pages_fail, fields, payload, raw, spoil

pytestmark = pytest.mark.anyio
NAME = "workverse-remote-jobs-full-35jobs-BOM.json"


def jobs() -> dict[str, Any]:
    """The recorded response, decoded."""
    return dict(payload("remotive", NAME))


async def test_body_with_bom_parses_every_job_and_its_fields() -> None:
    """The raw bytes, BOM included, give 35 remote jobs; two field by field."""
    result = await replay(Remotive(), {"/remote-jobs": raw("remotive", NAME)}, "all")

    assert len(result.jobs) == 35
    assert fields(result.jobs[0]) == {
        "source_id": "2090903",
        "title": "Data Labeling Specialists",
        "company": "Workada",
        "location": "USA",
        "city": None,
        "country": "US",
        "job_url": "https://remotive.com/remote-jobs/data/data-labeling-specialists-2090903",
        "posted_at": "2026-07-26T20:49:11+00:00",
        "work_environment": "remote",
        "salary": (None, None, None, None),
    }
    assert fields(result.jobs[1]) == {
        "source_id": "2091035",
        "title": "Mid/Senior AI Cinematic Video Editor",
        "company": "EverAI",
        "location": "Worldwide",
        "city": None,
        "country": None,
        "job_url": "https://remotive.com/remote-jobs/artificial-intelligence/mid-senior-ai-cinematic-video-editor-2091035",
        "posted_at": "2026-07-24T10:33:35+00:00",
        "work_environment": "remote",
        "salary": (None, None, None, None),
    }


async def test_category_is_one_request() -> None:
    """Remotive has no pagination: one request, the category as a parameter."""
    result = await replay(Remotive(), {"/remote-jobs": jobs()}, "software-dev")

    assert result.requests == ["https://remotive.com/api/remote-jobs?category=software-dev"]


async def test_malformed_items_are_skipped_with_reasons() -> None:
    """A job without title, one whose ``id`` is a boolean, and a string are skipped."""
    recorded = jobs()
    recorded["jobs"] = spoil(recorded["jobs"], drop="title", wrong="id", value=True)
    body = json.dumps(recorded).encode()
    result = await replay(Remotive(), {"/remote-jobs": body}, "all")

    assert len(result.jobs) == 33
    assert result.skipped == [
        SkippedItem("2090903", "no title"),
        SkippedItem("#1", "'id' is a boolean, expected text"),
        SkippedItem("#2", "not a JSON object (str)"),
    ]


async def test_malformed_pages_fail_the_target() -> None:
    """HTML, an empty body, a string and a response without ``jobs`` fail the target."""
    await assert_bad_pages_fail(Remotive(), "/remote-jobs", "all", b'{"job-count": 0}')
