"""Random JSON fed to every built-in scraper: only the SDK's documented errors escape.

A page that is not the expected shape raises ``PayloadError``; a malformed item is skipped;
nothing else (no ``KeyError``, ``TypeError``...) leaves a scraper, and every job it yields
has a title, a company, an http(s) URL and a hash.
"""

from __future__ import annotations

import functools
from typing import Any

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobping import PayloadError, ScrapeContext, Scraper, Settings, Target
from jobping.scraping import discover_scrapers
from scrapers.adzuna import Adzuna
from scrapers.arbeitnow import Arbeitnow
from scrapers.ashby import Ashby
from scrapers.bamboohr import BambooHR
from scrapers.breezy import Breezy
from scrapers.greenhouse import Greenhouse
from scrapers.hackernews import HackerNews
from scrapers.himalayas import Himalayas
from scrapers.jobicy import Jobicy
from scrapers.jsearch import JSearch
from scrapers.lever import Lever
from scrapers.personio import Personio
from scrapers.pinpoint import Pinpoint
from scrapers.recruitee import Recruitee
from scrapers.reed import Reed
from scrapers.remotive import Remotive
from scrapers.rippling import Rippling
from scrapers.smartrecruiters import SmartRecruiters
from scrapers.teamtailor import Teamtailor
from scrapers.themuse import TheMuse
from scrapers.weworkremotely import WeWorkRemotely
from scrapers.workable import Workable
from scrapers.workday import Workday
from tests.scrapers.helpers import RecordingClient, payload, raw

#: Each built-in scraper, the key of its page's list (None: the page is the list) and the
#: recorded page whose first item's keys and values the structured strategy reuses.
PAGES: dict[type[Scraper], tuple[str | None, str, str]] = {
    Greenhouse: ("jobs", "greenhouse", "gitlab-jobs-content-true-trimmed.json"),
    Lever: (None, "lever", "hunt-spotify-postings-trimmed.json"),
    Ashby: ("jobs", "ashby", "stapply-prelim-job-board-comp.json"),
    SmartRecruiters: ("content", "smartrecruiters", "hunt-ubisoft2-postings-limit2.json"),
    Workable: ("jobs", "workable", "jobagent-vasion-widget-details-2jobs-TRIMMED.json"),
    Recruitee: ("offers", "recruitee", "careerkit-berlin-company-offers-2-SANITIZED.json"),
    Adzuna: ("results", "adzuna", "taxly-gb-search-10results-2025-07.json"),
    Reed: ("results", "reed", "search-uiux-newcastle-2023-05.json"),
    JSearch: ("data", "jsearch", "jsearchapp-search-data-array-2023.json"),
    Remotive: ("jobs", "remotive", "workverse-remote-jobs-full-35jobs-BOM.json"),
    Arbeitnow: ("data", "arbeitnow", "job-board-api-page1-100jobs-2026-02.json"),
    TheMuse: ("results", "themuse", "taxly-public-jobs-page1-2025-07.json"),
    Workday: ("jobPostings", "workday", "aijobmonitor-begacheese-jobs-q-quality-p1-20of29.json"),
    BambooHR: ("result", "bamboohr", "gethired-holisticai-list-plus-detail-12-RESHAPED.json"),
    Breezy: (None, "breezy", "jobpoller-breezy-trial-json-2.json"),
    Rippling: ("items", "rippling", "hunt-rippling-api-v2-board-page0-size2.json"),
    Pinpoint: ("data", "pinpoint", "zaggregate-pinpoint-workwithus-postings-2-TRIMMED.json"),
    Teamtailor: ("items", "teamtailor", "jobscraper-upcloud-jobs-json-3-plus-broken-EDITED.json"),
    Himalayas: ("jobs", "himalayas", "jobagent-jobs-api-3jobs-TRIMMED.json"),
    Jobicy: ("jobs", "jobicy", "breteai-remote-jobs-3jobs-TRIMMED.json"),
    HackerNews: (
        "hits",
        "hackernews",
        "remotejobscollector-algolia-search-whoishiring-2026-07-7hits-WRAPPED.json",
    ),
}
#: Scrapers of XML feeds, fuzzed with text instead of JSON.
FEEDS: dict[type[Scraper], tuple[str, str]] = {
    WeWorkRemotely: ("weworkremotely", "remotejobscollector-remote-jobs-rss-4items.xml"),
    Personio: ("personio", "atsjobsscraper-personio-own-feed-1pos.xml"),
}
#: Targets other than ``acme``, for scrapers whose target has a form.
TARGETS: dict[type[Scraper], str] = {HackerNews: "48747976", Workday: "acme.wd1/acme/External"}
SECRETS = {"adzuna_app_id": "i", "adzuna_app_key": "k", "reed_api_key": "k", "jsearch_api_key": "k"}
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["", " ", "<b>x</b>", "2026-01-02", "01/02/2026", "http://x.io/a", "1e999"])
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


def real_item(scraper: type[Scraper]) -> dict[str, Any]:
    """The first item of the scraper's recorded page."""
    key, source, name = PAGES[scraper]
    page = payload(source, name)
    return dict((page if isinstance(page, list) else page[key])[0])


@functools.cache
def pages_like(scraper: type[Scraper]) -> st.SearchStrategy[Any]:
    """Pages of the right envelope whose items mix real values and random JSON."""
    key = PAGES[scraper][0]
    item = real_item(scraper)
    fields = {name: st.just(value) | json_values for name, value in item.items()}
    items = st.lists(st.fixed_dictionaries({}, optional=fields) | json_values, max_size=3)
    if key is None:
        return items
    extras = st.dictionaries(
        st.sampled_from(["count", "totalFound", "page_count", "links", "total", "totalPages"]),
        json_values,
    )
    return st.builds(lambda listed, more: {**more, key: listed}, items, extras)


def run(scraper: Scraper, page: Any) -> None:
    """Scrape over a client answering ``page`` to every request; check what comes out."""
    anyio.run(scrape, scraper, page)


async def scrape(scraper: Scraper, page: Any) -> None:
    """The scrape of ``run``, in an event loop."""
    ctx = ScrapeContext(
        scraper=scraper.name,
        client=RecordingClient(page),
        base_url=scraper.base_url,
        secrets=SECRETS,
        max_pages=2,
    )
    try:
        async for job in scraper.scrape(ctx, Target(TARGETS.get(type(scraper), "acme"))):
            assert job.title and job.company and job.job_hash
            assert job.job_url.startswith(("http://", "https://"))
    except PayloadError:
        pass
    assert all(skipped.reason for skipped in ctx.skipped)


def test_every_built_in_scraper_is_fuzzed() -> None:
    """The tables above cover every scraper in the ``scrapers`` package."""
    built_in = {info.scraper for info in discover_scrapers(Settings(), group="none")}
    assert built_in == set(PAGES) | set(FEEDS)


@pytest.mark.parametrize("scraper", list(PAGES), ids=lambda cls: cls.name)
@FUZZ
@given(page=json_values)
def test_random_json_raises_only_payload_error(scraper: type[Scraper], page: Any) -> None:
    """Any JSON value as the page: jobs, skipped items or ``PayloadError``, nothing else."""
    run(scraper(), page)


@pytest.mark.parametrize("scraper", list(PAGES), ids=lambda cls: cls.name)
@FUZZ
@given(data=st.data())
def test_pages_with_random_fields_raise_only_payload_error(
    scraper: type[Scraper], data: st.DataObject
) -> None:
    """Real envelopes with items of random field values: malformed items are only skipped."""
    run(scraper(), data.draw(pages_like(scraper)))


def feeds_like(scraper: type[Scraper]) -> st.SearchStrategy[str]:
    """The recorded feed cut anywhere, with random text spliced in, or random text."""
    feed = raw(*FEEDS[scraper]).decode()
    cut = st.integers(min_value=0, max_value=len(feed))
    spliced = st.builds(
        lambda a, junk, b: feed[:a] + junk + feed[b:], cut, st.text(max_size=20), cut
    )
    return spliced | st.text(max_size=40) | st.just(feed)


@pytest.mark.parametrize("scraper", list(FEEDS), ids=lambda cls: cls.name)
@FUZZ
@given(data=st.data())
def test_spoiled_feeds_raise_only_payload_error(
    scraper: type[Scraper], data: st.DataObject
) -> None:
    """A feed cut or spliced with random text: jobs, skipped items or ``PayloadError``."""
    run(scraper(), data.draw(feeds_like(scraper)))
