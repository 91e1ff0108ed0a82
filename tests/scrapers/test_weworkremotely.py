"""We Work Remotely on two recorded RSS feeds.

``remote-jobs.rss`` (four items, channel header and ``dc``/``media`` namespaces kept) and
the sales-and-marketing category feed (three items, re-serialized by ElementTree: no
namespaces, self-closing empty elements, descriptions cut at 400 characters).
"""

from __future__ import annotations

import pytest

from jobping import PayloadError, SkippedItem
from jobping.testing import replay
from scrapers.weworkremotely import WeWorkRemotely
from tests.scrapers.helpers import HTML_PAGE, fields, raw

pytestmark = pytest.mark.anyio

ALL = "/remote-jobs.rss"
SALES = "/categories/remote-sales-and-marketing-jobs.rss"
JOBS = "https://weworkremotely.com/remote-jobs/"
EMPTY = b'<?xml version="1.0"?><rss version="2.0"><channel><title>WWR</title></channel></rss>'


def remote_jobs() -> bytes:
    """The recorded ``remote-jobs.rss`` (four items)."""
    return raw("weworkremotely", "remotejobscollector-remote-jobs-rss-4items.xml")


def sales() -> bytes:
    """The recorded sales-and-marketing category feed (three items)."""
    return raw("weworkremotely", "jobagent-sales-marketing-rss-3items-RESERIALIZED.xml")


def worldwide(slug: str, company: str, title: str, posted: str) -> dict[str, object]:
    """The checked fields of a job open "Anywhere in the World"."""
    return {
        "source_id": JOBS + slug,
        "title": title,
        "company": company,
        "location": "Anywhere in the World",
        "city": None,
        "country": None,
        "job_url": JOBS + slug,
        "posted_at": posted,
        "work_environment": "remote",
        "salary": (None, None, None, None),
    }


async def test_items_parse_company_and_role_from_the_title() -> None:
    """``Company: Role`` titles split; the region is the location (``state`` is the HQ)."""
    result = await replay(WeWorkRemotely(), {ALL: remote_jobs()}, "all")

    assert [fields(job) for job in result.jobs] == [
        worldwide("mathmo-maths-coach", "Mathmo", "Maths Coach", "2026-07-10T22:45:30+00:00"),
        worldwide(
            "qase-developer-advocate", "Qase", "Developer Advocate", "2026-07-10T19:44:50+00:00"
        ),
        worldwide(
            "apex-trade-entry-level-crypto-market-specialist",
            "APEX TRADE",
            "Entry-Level Crypto Market Specialist",
            "2026-07-10T15:21:26+00:00",
        ),
        worldwide(
            "qase-technical-customer-support-specialist",
            "Qase",
            "Technical Customer Support Specialist",
            "2026-07-10T13:52:20+00:00",
        ),
    ]
    assert [job.categories for job in result.jobs] == [
        ("All Other Remote",),
        ("Sales and Marketing",),
        ("All Other Remote",),
        ("Customer Support",),
    ]
    assert result.jobs[0].description.startswith("Headquarters: London\nURL: http://www.mathmo.com")
    assert "<" not in result.jobs[0].description
    assert result.skipped == []


async def test_a_category_feed_is_read_from_its_path() -> None:
    """A category slug reads ``/categories/{slug}.rss``; ``Amplitude : Role`` splits too."""
    target = "remote-sales-and-marketing-jobs"
    result = await replay(WeWorkRemotely(), {SALES: sales()}, target)

    assert [fields(job) for job in result.jobs] == [
        worldwide(
            "remote-account-executive-dach-1",
            "Remote",
            "Account Executive DACH",
            "2026-08-11T07:30:41+00:00",
        ),
        worldwide(
            "justworks-account-executive-in-territory-sf-bay-area-ca",
            "Justworks",
            "Account Executive - In-Territory (SF/Bay Area, CA)",
            "2026-08-11T07:30:41+00:00",
        ),
        worldwide(
            "amplitude-senior-enterprise-account-executive",
            "Amplitude",
            "Senior Enterprise Account Executive",
            "2026-08-11T07:30:36+00:00",
        ),
    ]
    assert result.requests == [f"https://weworkremotely.com{SALES}"]


async def test_a_country_adds_to_the_region() -> None:
    """An item restricted to a country names it after the region."""
    body = remote_jobs().replace(b"<country></country>", b"<country>United Kingdom</country>", 1)
    result = await replay(WeWorkRemotely(), {ALL: body}, "all")

    assert (result.jobs[0].location, result.jobs[0].country) == (
        "Anywhere in the World, United Kingdom",
        "GB",
    )


async def test_an_empty_channel_gives_no_jobs() -> None:
    """A feed without items gives no job and skips nothing."""
    result = await replay(WeWorkRemotely(), {ALL: EMPTY}, "all")

    assert (result.jobs, result.skipped) == ([], [])


async def test_a_title_without_company_is_skipped() -> None:
    """An item whose title has no ``Company:`` part is skipped with the reason."""
    body = remote_jobs().replace(b"<title>Mathmo: Maths Coach</title>", b"<title>Maths</title>")
    result = await replay(WeWorkRemotely(), {ALL: body}, "all")

    assert len(result.jobs) == 3
    assert result.skipped == [SkippedItem(JOBS + "mathmo-maths-coach", "no 'Company: Role' title")]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (HTML_PAGE, "expected XML, got an HTML page"),
        (b"", "expected XML, got an empty body"),
        (b"<rss><channel><item>", "invalid XML"),
        (b'<?xml version="1.0"?><feed><entry/></feed>', "expected an RSS feed, got <feed>"),
        (
            b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaa">]><rss>&a;</rss>',
            "XML with a DTD refused",
        ),
    ],
)
async def test_bodies_that_are_no_rss_feed_fail_the_target(body: bytes, reason: str) -> None:
    """HTML, an empty or cut body, another XML and a DTD (entity expansion) fail the target."""
    with pytest.raises(PayloadError, match=reason):
        await replay(WeWorkRemotely(), {ALL: body}, "all")
