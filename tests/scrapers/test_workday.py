"""Workday (CXS) on recorded listings and job details of six tenants.

The listings are real (Workday Inc: 4 of 347 postings, trimmed); where a test needs a
listing for a recorded detail, it lists that one posting with the detail's own title,
path, location and relative date, as the real listing does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from jobping import ScrapeError, SkippedItem
from jobping.errors import HTTPStatusError
from jobping.testing import Reply, replay
from scrapers.workday import Workday
from tests.scrapers.helpers import HTML_PAGE, assert_bad_pages_fail, fields, payload

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 10, 1, 9, 30, tzinfo=UTC)
WD = "https://workday.wd5.myworkdayjobs.com/wday/cxs/workday/Workday"
WD_TARGET = "workday.wd5/workday/Workday"
GONE = Reply({"errorCode": "HTTP_404", "message": "The job posting is no longer available"}, 404)
NO_SALARY = (None, None, None, None)


def detail(name: str) -> Any:
    """A recorded job detail."""
    return payload("workday", name)


def listing() -> Any:
    """Workday Inc's recorded listing page (4 postings, total 347)."""
    return payload("workday", "candidatezero-workday-inc-jobs-4of347-TRIMMED.json")


def listed(info: dict[str, Any], path: str) -> dict[str, Any]:
    """The listing entry of a detailed posting, as the real listing writes it."""
    return {
        "title": info["title"],
        "externalPath": path,
        "locationsText": info["location"],
        "postedOn": info["postedOn"],
        "bulletFields": [info["jobReqId"]],
    }


def one_job(root: str, path: str, body: Any) -> dict[str, Any]:
    """Payloads for a listing of one posting and its detail ``body``."""
    info = body["jobPostingInfo"]
    return {
        f"POST {root}/jobs": {"total": 1, "jobPostings": [listed(info, path)]},
        root + path: body,
    }


CASES = [
    (
        "begacheese.wd3/begacheese/Bega_Careers",
        "/job/Hobart-TAS/Quality-Specialist---Environmental---Sanitation_JR-7309",
        "aijobmonitor-begacheese-job-detail-JR-7309.json",
        {
            "source_id": "59f1d09e17f91000864b0ea19f7f0000",
            "title": "Quality Specialist - Environmental & Sanitation",
            "company": "Bega Dairy and Drinks Services Pty Ltd",
            "location": "Hobart (TAS)",
            "city": "Hobart",
            "country": "AU",
            "job_url": "https://begacheese.wd3.myworkdayjobs.com/Bega_Careers/job/Hobart-TAS/"
            "Quality-Specialist---Environmental---Sanitation_JR-7309",
            "posted_at": "2026-06-15T00:00:00+00:00",
            "work_environment": "unknown",
            "salary": NO_SALARY,
        },
    ),
    (
        "synchronyfinancial.wd5/synchronyfinancial/University",
        "/job/Stamford-Hub/BLP-Intern---Technology_2601695-1",
        "internradar-synchrony-job-detail-2601695.json",
        {
            "source_id": "6fa9d46060951000ffd0551a9d950001",
            "title": "BLP Intern \u2013 Technology",
            "company": "Synchrony Bank",
            "location": "Stamford Hub",
            "city": "Stamford Hub",
            "country": "US",
            "job_url": "https://synchronyfinancial.wd5.myworkdayjobs.com/University/job/"
            "Stamford-Hub/BLP-Intern---Technology_2601695-1",
            "posted_at": "2026-06-16T00:00:00+00:00",
            "work_environment": "unknown",
            "salary": NO_SALARY,
        },
    ),
    (
        "hitachi.wd1/hitachi/hitachi",
        "/job/Kocaeli-Kocaeli-Turkey/Maintenance-Worker_R0119001",
        "isradari-hitachi-job-detail-R0119001-tr.json",
        {
            "source_id": "e7f811df05491001e95e03606b4f0000",
            "title": "Maintenance Worker",
            "company": "HITACHI ENERGY TURKEY ELEKTRIK SANAYI ANONIM SIRKETI",
            "location": "Kocaeli, Kocaeli, Turkey",
            "city": "Kocaeli",
            "country": "TR",
            "job_url": "https://hitachi.wd1.myworkdayjobs.com/hitachi/job/Kocaeli-Kocaeli-Turkey/"
            "Maintenance-Worker_R0119001",
            "posted_at": "2026-01-30T00:00:00+00:00",
            "work_environment": "unknown",
            "salary": NO_SALARY,
        },
    ),
    (
        "wd1.myworkdaysite.com/fmr/FidelityCareers",
        "/job/Westlake-TX/Senior-Software-Engineer-Developer_2135674",
        "jobpilot-fidelity-myworkdaysite-job-detail-2135674.json",
        {
            "source_id": "33400510893c1001a1d4aab42d0b0000",
            "title": "Senior Software Engineer/Developer",
            "company": "Fidelity Technology Group, LLC",
            "location": "Westlake, TX",
            "city": "Westlake",
            "country": "US",
            "job_url": "https://wd1.myworkdaysite.com/recruiting/fmr/FidelityCareers/job/"
            "Westlake-TX/Senior-Software-Engineer-Developer_2135674",
            "posted_at": "2026-09-23T00:00:00+00:00",
            "work_environment": "unknown",
            "salary": NO_SALARY,
        },
    ),
    (
        "nvidia.wd5/nvidia/NVIDIAExternalCareerSite",
        "/job/Israel-Yokneam/Software-Engineer--SPE_JR2015623",
        "jobtracker-nvidia-job-detail-JR2015623-similarjobs.json",
        {
            "source_id": "74121c85898c1032795e582be5f20000",
            "title": "Software Engineer, SPE",
            "company": "IL00 Mellanox Technologies, Ltd.",
            "location": "Israel, Yokneam",
            "city": "Yokneam",
            "country": "IL",
            "job_url": "https://nvidia.wd5.myworkdayjobs.com/NVIDIAExternalCareerSite/job/"
            "Israel-Yokneam/Software-Engineer--SPE_JR2015623",
            "posted_at": "2026-08-02T00:00:00+00:00",
            "work_environment": "unknown",
            "salary": NO_SALARY,
        },
    ),
]


@pytest.mark.parametrize(("target", "path", "name", "expected"), CASES, ids=lambda v: str(v)[:12])
async def test_each_recorded_detail_gives_its_fields(
    target: str, path: str, name: str, expected: dict[str, Any]
) -> None:
    """Each tenant's detail: id, title, hiring entity, place, country code, URL, startDate."""
    host, tenant, site = target.split("/")
    host += "" if host.endswith(".com") else ".myworkdayjobs.com"
    root = f"https://{host}/wday/cxs/{tenant}/{site}"
    result = await replay(Workday(), one_job(root, path, detail(name)), target, now=NOW)

    assert result.skipped == []
    assert [fields(job) for job in result.jobs] == [expected]
    job = result.jobs[0]
    assert job.original_posted_date == expected["posted_at"][:10]
    assert job.categories == ()
    assert job.description and "<" not in job.description


async def test_listing_then_details_in_order_and_gone_postings_skipped() -> None:
    """One POST lists 4 postings, one GET each; the 3 deleted since (404) are skipped."""
    body = detail("candidatezero-workday-inc-job-detail-JR-0105486-TRIMMED.json")
    paths = [posting["externalPath"] for posting in listing()["jobPostings"]]
    pages = {f"POST {WD}/jobs?offset=0": listing(), **{WD + path: GONE for path in paths}}
    pages[WD + paths[1]] = body
    result = await replay(Workday(), pages, WD_TARGET, now=NOW)

    assert [fields(job) for job in result.jobs] == [
        {
            "source_id": "16e3ee312a771000427896360aef0000",
            "title": "Sr. Site Reliability Engineer (US Federal)",
            "company": "Workday Government, LLC",
            "location": "USA.VA.Reston",
            "city": "Reston",
            "country": "US",
            "job_url": "https://workday.wd5.myworkdayjobs.com/Workday/job/USAVAReston/"
            "Sr-Site-Reliability-Engineer--US-Federal-_JR-0105486",
            "posted_at": "2026-07-25T00:00:00+00:00",
            "work_environment": "on-site",
            "salary": (151500.0, 227300.0, "USD", None),
        }
    ]
    assert "Base Pay Range: $151,500 USD - $227,300 USD" in result.jobs[0].description
    reason = "detail gone since the listing (HTTP 404)"
    assert result.skipped == [SkippedItem(paths[n], reason) for n in (0, 2, 3)]
    search = '{"appliedFacets":{},"searchText":"","limit":20,"offset":0}'
    assert result.requests == [f"POST {WD}/jobs {search}", *(WD + path for path in paths)]


async def test_a_run_limit_stops_the_details_and_the_paging() -> None:
    """With ``--limit 1`` the scrape stops after the first job: no further detail is read."""
    body = detail("candidatezero-workday-inc-job-detail-JR-0105486-TRIMMED.json")
    paths = [posting["externalPath"] for posting in listing()["jobPostings"]]
    pages = {f"POST {WD}/jobs": listing(), WD + paths[0]: GONE, WD + paths[1]: body}
    pages |= {WD + path: body for path in paths[2:]}
    result = await replay(Workday(), pages, WD_TARGET, limit=1, assert_all_requested=False)

    assert [job.source_id for job in result.jobs] == ["16e3ee312a771000427896360aef0000"]
    assert result.requests[1:] == [WD + paths[0], WD + paths[1]]


class TwoPerPage(Workday):
    """Workday asking for two postings a page, so four recorded postings span pages."""

    page_size = 2


@pytest.mark.parametrize(
    ("first", "later", "offsets"), [(347, 347, "024"), (4, 4, "02"), (6, 0, "024")]
)
async def test_pages_follow_the_offset_until_total_or_a_short_page(
    first: int, later: int, offsets: str
) -> None:
    """Offsets 0, 2, ...: the first page's total or an empty page ends the paging.

    With a total above the 4 recorded postings the empty third page ends it; with 4 the
    second page does; a later page saying total 0 does not end it early.
    """
    postings = listing()["jobPostings"]
    body = detail("candidatezero-workday-inc-job-detail-JR-0105486-TRIMMED.json")
    pages: dict[str, Any] = {
        f"POST {WD}/jobs?offset=0": {"total": first, "jobPostings": postings[:2]},
        f"POST {WD}/jobs?offset=2": {"total": later, "jobPostings": postings[2:]},
        **{WD + posting["externalPath"]: body for posting in postings},
    }
    if len(offsets) == 3:
        pages[f"POST {WD}/jobs?offset=4"] = {"total": later, "jobPostings": []}
    result = await replay(TwoPerPage(), pages, WD_TARGET, now=NOW)

    assert len(result.jobs) == 4
    posts = [request for request in result.requests if request.startswith("POST")]
    assert "".join(request.split('"offset":')[1][0] for request in posts) == offsets
    assert all('"limit":2' in request for request in posts)


async def test_search_text_and_facets_come_from_the_target_options() -> None:
    """``?q=`` is the search text; other options are facets, comma-separated ids."""
    root = "https://begacheese.wd3.myworkdayjobs.com/wday/cxs/begacheese/Bega_Careers"
    pages = {f"POST {root}/jobs?searchText=quality": {"total": 0, "jobPostings": []}}
    target = "begacheese.wd3/begacheese/Bega_Careers?q=quality&jobFamilyGroup=a1,b2"
    result = await replay(Workday(), pages, target)

    facets = '{"appliedFacets":{"jobFamilyGroup":["a1","b2"]},"searchText":"quality"'
    assert result.requests == [f'POST {root}/jobs {facets},"limit":20,"offset":0}}']


async def test_an_empty_site_has_no_jobs_after_one_request() -> None:
    """A site without postings (total 0, empty list, empty facets) ends at once."""
    pages = {f"POST {WD}/jobs": {"total": 0, "jobPostings": [], "facets": []}}
    result = await replay(Workday(), pages, WD_TARGET)

    assert (result.jobs, result.skipped, len(result.requests)) == ([], [], 1)


@pytest.mark.parametrize(
    ("posted_on", "start", "day"),
    [
        ("Posted Today", None, "2026-10-01"),
        ("Posted Yesterday", None, "2026-09-30"),
        ("Posted 6 Days Ago", None, "2026-09-25"),
        ("Posted 30+ Days Ago", None, "2026-09-01"),
        ("Posted 6 Days Ago", "2026-11-15", "2026-09-25"),
        ("Posted 6 Days Ago", "2026-09-24", "2026-09-24"),
        ("Posted sometime", None, None),
    ],
)
async def test_relative_dates_are_read_against_the_run_clock(
    posted_on: str, start: str | None, day: str | None
) -> None:
    """Without a past ``startDate`` the relative text dates the job; 30+ is 30 days ago."""
    body = detail("aijobmonitor-begacheese-job-detail-JR-7309.json")
    body["jobPostingInfo"]["postedOn"] = posted_on
    body["jobPostingInfo"]["startDate"] = start
    root = "https://begacheese.wd3.myworkdayjobs.com/wday/cxs/begacheese/Bega_Careers"
    path = "/job/Hobart-TAS/Quality-Specialist---Environmental---Sanitation_JR-7309"
    result = await replay(
        Workday(), one_job(root, path, body), "begacheese.wd3/begacheese/Bega_Careers", now=NOW
    )

    job = result.jobs[0]
    assert (job.posted_at.date().isoformat() if job.posted_at else None) == day
    assert job.original_posted_date == (start if start == day else (posted_on if day else None))


@pytest.mark.parametrize(
    ("remote_type", "environment"),
    [
        ("Onsite", "on-site"),
        ("On-site", "on-site"),
        ("Hybrid", "hybrid"),
        ("Flex", "hybrid"),
        ("Remote", "remote"),
        (None, "unknown"),
    ],
)
async def test_remote_type_sets_the_work_environment(
    remote_type: str | None, environment: str
) -> None:
    """Workday's ``remoteType`` values: on-site, hybrid (also Workday's own "Flex"), remote."""
    body = detail("candidatezero-workday-inc-job-detail-JR-0105486-TRIMMED.json")
    body["jobPostingInfo"]["remoteType"] = remote_type
    path = "/job/USAVAReston/Sr-Site-Reliability-Engineer--US-Federal-_JR-0105486"
    page = {"total": 1, "jobPostings": [listed(body["jobPostingInfo"], path)]}
    result = await replay(Workday(), {f"POST {WD}/jobs": page, WD + path: body}, WD_TARGET)

    assert result.jobs[0].work_environment.value == environment


async def test_path_segments_are_percent_encoded() -> None:
    """A tenant, a site and a job path with spaces or ``?`` stay inside their segments."""
    root = "https://acme.wd1.myworkdayjobs.com/wday/cxs/ac%20me/Ex%23t"
    body = detail("aijobmonitor-begacheese-job-detail-JR-7309.json")
    path = "/job/Hobart TAS/Quality?_JR-7309"
    page = {"total": 1, "jobPostings": [listed(body["jobPostingInfo"], path)]}
    pages = {f"POST {root}/jobs": page, f"{root}/job/Hobart%20TAS/Quality%3F_JR-7309": body}
    result = await replay(Workday(), pages, "acme.wd1/ac me/Ex#t", now=NOW)

    assert len(result.jobs) == 1


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("nvidia", "is not host/tenant/site"),
        ("nvidia.wd5//site", "is not host/tenant/site"),
        ("example.com/nvidia/site", "'example.com' is not a Workday host"),
    ],
)
async def test_a_malformed_target_fails_before_any_request(target: str, message: str) -> None:
    """A target that is not host/tenant/site on a Workday host fails with what to write."""
    with pytest.raises(ScrapeError, match=message):
        await replay(Workday(), {}, target)


async def test_malformed_postings_are_skipped_with_reasons() -> None:
    """A posting without a path, a detail without an id, a string: skipped, the rest kept."""
    body = detail("candidatezero-workday-inc-job-detail-JR-0105486-TRIMMED.json")
    postings = listing()["jobPostings"]
    broken = dict(postings[0])
    del broken["externalPath"]
    no_id = {"jobPostingInfo": {**body["jobPostingInfo"], "id": None}}
    page = {"total": 4, "jobPostings": [broken, postings[1], "not an object", postings[2]]}
    pages = {f"POST {WD}/jobs": page, WD + postings[1]["externalPath"]: body}
    pages[WD + postings[2]["externalPath"]] = no_id
    result = await replay(Workday(), pages, WD_TARGET, now=NOW)

    assert [job.source_id for job in result.jobs] == ["16e3ee312a771000427896360aef0000"]
    assert result.skipped == [
        SkippedItem("#0", "missing 'externalPath'"),
        SkippedItem("#2", "not a JSON object (str)"),
        SkippedItem(postings[2]["externalPath"], "missing 'id'"),
    ]


async def test_malformed_listing_pages_fail_the_target() -> None:
    """HTML, an empty body, a string or an error object for the listing fail the target."""
    error = b'{"errorCode":"HTTP_422","message":"Invalid site"}'
    await assert_bad_pages_fail(Workday(), f"POST {WD}/jobs", WD_TARGET, error)


async def test_a_detail_error_other_than_gone_fails_the_target() -> None:
    """A 500 HTML page for a detail is not a deleted posting: the target fails."""
    path = listing()["jobPostings"][0]["externalPath"]
    pages = {f"POST {WD}/jobs": listing(), WD + path: Reply(HTML_PAGE, 500)}
    with pytest.raises(HTTPStatusError):
        await replay(Workday(), pages, WD_TARGET, assert_all_requested=False)
