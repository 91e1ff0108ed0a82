"""Hacker News "Who is hiring?" on two recorded Algolia answers.

July 2026: seven real ``search_by_date`` hits (six top-level comments and one reply) that
the recording repository WRAPPED as ``{story_id, story_title, hits}``; the test serves
them in Algolia's ``{hits: [...]}``. September 2026: three comments of the ``/items/{id}``
answer (RESHAPED to ``id``/``text``/``created_at``), served here as the hits they are in
``search_by_date`` (``objectID``, ``comment_text``, ``parent_id``).
"""

from __future__ import annotations

from typing import Any

import pytest

from jobping import Job, PayloadError, SkippedItem
from jobping.testing import replay
from scrapers.hackernews import HackerNews
from tests.scrapers.helpers import fields, payload

pytestmark = pytest.mark.anyio

JULY, SEPTEMBER = "48747976", "49522897"
SEARCH = "/search_by_date"
ITEM = "https://news.ycombinator.com/item?id="


class TwoPerPage(HackerNews):
    """Hacker News asking for two hits a page."""

    page_size = 2


def july_hits() -> list[dict[str, Any]]:
    """The seven recorded July hits."""
    return list(
        payload(
            "hackernews",
            "remotejobscollector-algolia-search-whoishiring-2026-07-7hits-WRAPPED.json",
        )["hits"]
    )


def september_hits() -> list[dict[str, Any]]:
    """The three recorded September comments as search hits."""
    story = payload("hackernews", "hunt-algolia-items-whoishiring-2026-09-3children-RESHAPED.json")
    return [
        {
            "objectID": str(child["id"]),
            "comment_text": child["text"],
            "created_at": child["created_at"],
            "parent_id": story["id"],
            "story_id": story["id"],
        }
        for child in story["children"]
    ]


def posting(
    comment: str, company: str, title: str, location: str | None, posted: str, **more: Any
) -> dict[str, Any]:
    """The checked fields of one posting (no city, country or salary unless ``more`` says)."""
    return {
        "source_id": comment,
        "title": title,
        "company": company,
        "location": location,
        "city": more.get("city"),
        "country": more.get("country"),
        "job_url": ITEM + comment,
        "posted_at": posted,
        "work_environment": more.get("mode", "remote"),
        "salary": more.get("salary", (None, None, None, None)),
    }


async def test_july_postings_parse_from_their_first_line() -> None:
    """Company, role, place, mode and salary come from the ``|`` line; the reply is no posting."""
    result = await replay(HackerNews(), {SEARCH: {"hits": july_hits()}}, JULY)

    assert [fields(job) for job in result.jobs] == [
        posting(
            "48860201",
            "Qase",
            "Developer Advocate / Technical Customer Support Specialist",
            "REMOTE",
            "2026-07-10T14:10:34+00:00",
        ),
        posting(
            "48843116",
            "Wave",
            "On-Premises SRE",
            "Remote (EMEA)",
            "2026-07-09T09:17:40+00:00",
            salary=(None, 185500.0, "USD", None),
        ),
        posting(
            "48842567",
            "Zeitlabs",
            "Senior Frontend Engineer",
            "Remote (UTC+3)",
            "2026-07-09T08:17:17+00:00",
        ),
        posting(
            "48837669",
            "Trinsic",
            "Senior Product Engineer",
            "REMOTE (Europe)",
            "2026-07-08T21:27:11+00:00",
        ),
        posting(
            "48868436",
            "ResortPass",
            "Senior Software Engineer, Frontend",
            "New York, NY; Onsite",
            "2026-07-11T03:28:07+00:00",
            city="New York",
            country="US",
            mode="on-site",
            salary=(160000.0, 180000.0, "USD", None),
        ),
    ]
    assert result.skipped == [
        SkippedItem("48804695", "not a posting (no 'Company | Role' first line): 'This Dot Labs'")
    ]
    assert result.jobs[3].description.startswith("Trinsic | Senior Product Engineer | REMOTE")
    assert [job.company_profile_url for job in result.jobs] == [None] * 5


async def test_september_postings_keep_the_stated_url() -> None:
    """A first-line link is the company's URL; ``job_url`` stays the comment itself."""
    result = await replay(HackerNews(), {SEARCH: {"hits": september_hits()}}, SEPTEMBER)

    assert [fields(job) for job in result.jobs] == [
        posting(
            "49522903",
            "Modash.io",
            "Senior Product Engineer",
            "Remote (Europe)",
            "2026-09-01T15:01:54+00:00",
            salary=(75000.0, 110000.0, "EUR", None),
        ),
        posting(
            "49522912",
            "Quill",
            "Fullstack SWE",
            "Remote, PT/ET hours preferred",
            "2026-09-01T15:02:11+00:00",
            salary=(150000.0, 210000.0, "USD", None),
        ),
        posting(
            "49522929",
            "Open Education Applications / Neon",
            "Senior/Lead Platform & DevOps Engineer, Senior Frontend Engineer, "
            "Senior Full-Stack Engineer",
            "Utrecht, The Netherlands; HYBRID",
            "2026-09-01T15:03:02+00:00",
            city="Utrecht",
            country="NL",
            mode="hybrid",
        ),
    ]
    assert [job.company_profile_url for job in result.jobs] == [
        "https://modash.io",
        "https://quill.co/",
        None,
    ]


def extracted(jobs: list[Job]) -> dict[str, int]:
    """How many postings have each field the first line can state."""
    return {
        "company": sum(bool(job.company) for job in jobs),
        "role": sum(bool(job.title) for job in jobs),
        "mode": sum(job.work_environment.value != "unknown" for job in jobs),
        "location": sum(bool(job.location) for job in jobs),
        "place": sum(bool(job.city or job.country) for job in jobs),
        "salary": sum(job.salary_min is not None or job.salary_max is not None for job in jobs),
        "url": sum(bool(job.company_profile_url) for job in jobs),
    }


async def test_extraction_rates_on_the_recorded_threads() -> None:
    """The rates the class docstring reports: 8 postings of 9 top-level comments, field by field."""
    july = await replay(HackerNews(), {SEARCH: {"hits": july_hits()}}, JULY)
    september = await replay(HackerNews(), {SEARCH: {"hits": september_hits()}}, SEPTEMBER)
    jobs = july.jobs + september.jobs

    assert (len(jobs), len(july.skipped) + len(september.skipped)) == (8, 1)
    assert extracted(jobs) == {
        "company": 8,
        "role": 8,
        "mode": 8,
        "location": 8,
        "place": 2,
        "salary": 4,
        "url": 2,
    }


@pytest.mark.parametrize(
    ("line", "company", "title", "location", "mode"),
    [
        (
            "Acme (YC W21) | Berlin, Germany | Backend Engineer | https://acme.dev/jobs",
            "Acme (YC W21)",
            "Backend Engineer",
            "Berlin, Germany",
            "unknown",
        ),
        (
            "Acme | Staff Designer | ONSITE | San Francisco",
            "Acme",
            "Staff Designer",
            "San Francisco; ONSITE",
            "on-site",
        ),
        (
            "Acme | Full-time | Hybrid (London) | Data Scientist",
            "Acme",
            "Data Scientist",
            "Hybrid (London)",
            "hybrid",
        ),
    ],
)
async def test_first_line_variants(
    line: str, company: str, title: str, location: str, mode: str
) -> None:
    """Parts in another order, an HQ note in the company, a bare URL are read by what they say."""
    hit = {"objectID": "1", "comment_text": f"{line}<p>More.", "created_at": "2026-07-01T00:00:00Z"}
    result = await replay(HackerNews(), {SEARCH: {"hits": [{**hit, "parent_id": 7}]}}, "7")

    job = result.jobs[0]
    assert (job.company, job.title, job.location, job.work_environment.value) == (
        company,
        title,
        location,
        mode,
    )


async def test_pages_go_back_in_time_until_a_short_page() -> None:
    """Full pages ask again for comments at or before the oldest seen; a short page ends it."""
    hits = [{**hit, "created_at_i": 1_780_000_000 - n} for n, hit in enumerate(july_hits())]
    pages = {
        SEARCH: {"hits": hits[0:2]},
        f"{SEARCH}?numericFilters=created_at_i<=1779999999": {"hits": hits[1:3]},
        f"{SEARCH}?numericFilters=created_at_i<=1779999998": {"hits": hits[2:4]},
        f"{SEARCH}?numericFilters=created_at_i<=1779999997": {"hits": hits[3:4]},
    }
    result = await replay(TwoPerPage(), pages, JULY)

    assert [job.company for job in result.jobs] == ["Qase", "Wave", "Zeitlabs", "Trinsic"]
    assert len(result.requests) == 4
    assert "tags=comment%2Cstory_48747976&hitsPerPage=2" in result.requests[0]


async def test_deleted_comments_and_junk_salaries_are_handled() -> None:
    """A deleted comment is skipped with its reason; a $0 salary is left out."""
    hits = july_hits()
    hits[0]["comment_text"] = None
    hits[2]["comment_text"] = "Zeitlabs | Senior Frontend Engineer | Remote | $0 - $0<p>x"
    result = await replay(HackerNews(), {SEARCH: {"hits": hits}}, JULY)

    assert SkippedItem("48860201", "no comment text (deleted)") in result.skipped
    zeitlabs = next(job for job in result.jobs if job.company == "Zeitlabs")
    assert (zeitlabs.salary_min, zeitlabs.salary_max) == (None, None)


STORIES = f"{SEARCH}?tags=story,author_whoishiring"


def whoishiring_stories() -> dict[str, Any]:
    """Whoishiring's newest stories, in Algolia's hit shape (not recorded).

    Built from the two recorded threads' ids and titles, newest first, with a sibling thread.
    """
    hits = [
        {"objectID": "49522898", "title": "Ask HN: Who wants to be hired? (September 2026)"},
        {"objectID": "49522897", "title": "Ask HN: Who is hiring? (September 2026)"},
        {"objectID": "48747976", "title": "Ask HN: Who is hiring? (July 2026)"},
    ]
    return {"hits": [{**hit, "author": "whoishiring"} for hit in hits]}


async def test_latest_finds_the_newest_hiring_thread_first() -> None:
    """``latest`` looks up whoishiring's newest "Who is hiring?" story, then reads it."""
    pages = {STORIES: whoishiring_stories(), SEARCH: {"hits": september_hits()}}
    result = await replay(HackerNews(), pages, "latest")

    assert [job.company for job in result.jobs] == [
        "Modash.io",
        "Quill",
        "Open Education Applications / Neon",
    ]
    assert "story_49522897" in result.requests[1]


async def test_latest_without_a_hiring_thread_fails() -> None:
    """No "Who is hiring?" story among the newest: the target fails, saying so."""
    stories = whoishiring_stories()
    stories["hits"] = stories["hits"][:1]
    with pytest.raises(PayloadError, match="no 'Ask HN: Who is hiring\\?' story"):
        await replay(HackerNews(), {STORIES: stories}, "latest")


async def test_a_target_that_is_no_story_id_fails() -> None:
    """The target is the thread's numeric story id; anything else fails before any request."""
    with pytest.raises(PayloadError, match="a hackernews target is a story id or 'latest'"):
        await replay(HackerNews(), {}, "who-is-hiring")


@pytest.mark.parametrize(
    "body", [b'{"message": "Invalid parameters", "status": 400}', b'"maintenance"', b""]
)
async def test_malformed_pages_fail_the_target(body: bytes) -> None:
    """An Algolia error object, a string and an empty body fail the target."""
    with pytest.raises(PayloadError):
        await replay(HackerNews(), {SEARCH: body}, JULY)
