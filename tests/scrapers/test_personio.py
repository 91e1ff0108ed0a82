"""Personio on a recorded XML feed (one position, CDATA cut by its recorder) and an empty one."""

from __future__ import annotations

import functools
from xml.etree.ElementTree import Element, SubElement, tostring

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobping import PayloadError, SkippedItem
from jobping.errors import HTTPStatusError
from jobping.testing import Reply, replay
from scrapers.personio import Personio
from tests.scrapers.helpers import HTML_PAGE, fields, raw

pytestmark = pytest.mark.anyio

FEED = "https://personio.jobs.personio.de/xml"


def feed() -> bytes:
    """The recorded feed of Personio's own board."""
    return raw("personio", "atsjobsscraper-personio-own-feed-1pos.xml")


async def test_a_position_parses_with_its_fields() -> None:
    """Id, name, subcompany (entities decoded), offices, createdAt; URL from the site."""
    result = await replay(Personio(), {FEED: feed()}, "personio")

    assert [fields(job) for job in result.jobs] == [
        {
            "source_id": "1834171",
            "title": "Staff Software Engineer, Data Platform",
            "company": "Personio SE & Co. KG",
            "location": "Munich; Berlin",
            "city": "Munich",
            "country": "DE",
            "job_url": "https://personio.jobs.personio.de/job/1834171",
            "posted_at": "2024-11-13T14:10:41+00:00",
            "work_environment": "unknown",
            "salary": (None, None, None, None),
        }
    ]
    job = result.jobs[0]
    assert job.categories == ("Product and Tech", "Engineering")
    assert job.description.startswith(
        "The Role: How you'll make an impact at Personio\n\n"
        "This position is hybrid based in either Dublin or Munich locations"
    )
    assert "Role Responsibilities: What you'll do" in job.description
    assert "building platform solutions" in job.description  # the <em> highlight is text
    assert result.skipped == []


async def test_the_recorded_empty_feed_has_no_jobs() -> None:
    """A company without positions: blank lines inside <workzag-jobs>, no trailing newline."""
    empty = raw("personio", "jobscoutback-empty-feed.xml")
    result = await replay(Personio(), {FEED: empty}, "personio")

    assert (result.jobs, result.skipped) == ([], [])


async def test_options_go_to_the_feed_and_the_subdomain_is_encoded() -> None:
    """``?language=de`` is a feed parameter; the company is one host label, percent-encoded."""
    url = "https://ac%20me.jobs.personio.de/xml?language=de"
    result = await replay(Personio(), {url: feed()}, "ac me?language=de")

    assert result.requests == [url]


async def test_positions_without_id_or_name_are_skipped() -> None:
    """A position without ``<name>`` or ``<id>`` is skipped with the reason; others kept."""
    text = feed().decode()
    nameless = text.replace("<name>Staff Software Engineer, Data Platform</name>", "", 1)
    idless = text.replace("<id>1834171</id>", "", 1)
    positions = [
        body.split("<workzag-jobs>")[1].split("</workzag-jobs>")[0]
        for body in (text, nameless, idless)
    ]
    combined = f"<workzag-jobs>{''.join(positions)}</workzag-jobs>".encode()
    result = await replay(Personio(), {FEED: combined}, "personio")

    assert len(result.jobs) == 1
    assert result.skipped == [SkippedItem("1834171", "no title"), SkippedItem("#2", "missing 'id'")]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (HTML_PAGE, "expected XML, got an HTML page"),
        (b"", "expected XML, got an empty body"),
        (b"<workzag-jobs><position>", "invalid XML"),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><workzag-jobs/>', "DOCTYPE"),
        (b"<error><message>Not found</message></error>", "expected a <workzag-jobs> feed"),
    ],
)
async def test_bad_feeds_fail_the_target(body: bytes, message: str) -> None:
    """HTML, an empty body, broken XML, a DTD (never expanded) or another root fail the target."""
    with pytest.raises(PayloadError, match=message):
        await replay(Personio(), {FEED: body}, "personio")


async def test_an_unknown_company_fails_with_its_status() -> None:
    """Personio answers an unknown subdomain with a 404 page: the target fails with it."""
    with pytest.raises(HTTPStatusError, match="404"):
        await replay(Personio(), {FEED: Reply(HTML_PAGE, 404)}, "personio")


FIELDS = ("id", "subcompany", "office", "department", "recruitingCategory", "name", "createdAt")
xml_text = st.text(st.characters(blacklist_categories=["Cs", "Cc"]), max_size=12) | st.sampled_from(
    ["", " ", "1834171", "<b>x</b>", "2024-11-13T14:10:41+00:00", "Remote"]
)


def position_xml(values: dict[str, str]) -> Element:
    """A ``<position>`` with the given children (text escaped by ElementTree)."""
    position = Element("position")
    for tag, text in values.items():
        SubElement(position, tag).text = text
    return position


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.fixed_dictionaries({}, optional=dict.fromkeys(FIELDS, xml_text)), max_size=3))
def test_random_positions_give_jobs_or_skips_only(positions: list[dict[str, str]]) -> None:
    """Positions of random field values: each is a job or a skipped item, nothing raises."""
    root = Element("workzag-jobs")
    root.extend(position_xml(values) for values in positions)
    body = tostring(root, encoding="utf-8")
    result = anyio.run(functools.partial(replay, Personio(), {FEED: body}, "personio"))

    assert len(result.jobs) + len(result.skipped) == len(positions)
    assert all(job.title and job.job_url.startswith("https://") for job in result.jobs)
