"""Employment type on the recorded payloads of each source that states it (#15)."""

from __future__ import annotations

from typing import Any

import pytest

from jobping import Scraper
from jobping.testing import replay
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
from scrapers.remotive import Remotive
from scrapers.smartrecruiters import SmartRecruiters
from scrapers.teamtailor import Teamtailor
from scrapers.weworkremotely import WeWorkRemotely
from scrapers.workable import Workable
from scrapers.workday import Workday
from tests.scrapers.helpers import RecordingClient, payload, raw, scrape_with
from tests.scrapers.test_bamboohr import holistic
from tests.scrapers.test_workday import NOW, detail, one_job

pytestmark = pytest.mark.anyio

SECRETS = {"adzuna_app_id": "i", "adzuna_app_key": "k", "jsearch_api_key": "k"}
Pair = tuple[str | None, str | None]
FULL, PART, CONTRACT = "full_time", "part_time", "contract"


def page(source: str, name: str) -> Any:
    """A recorded page: XML as text, JSON decoded."""
    return raw(source, name).decode("utf-8-sig") if name.endswith(".xml") else payload(source, name)


#: Scraper, target, recorded page, and the (type, raw) pairs its jobs carry.
CASES: list[tuple[type[Scraper], str, Any, set[Pair]]] = [
    (
        Adzuna,
        "gb",
        page("adzuna", "taxly-gb-search-10results-2025-07.json"),
        {(FULL, "full_time, permanent"), (FULL, "permanent"), (None, None)},
    ),
    (
        Arbeitnow,
        "all",
        page("arbeitnow", "job-board-api-page1-100jobs-2026-02.json"),
        {
            (None, None),  # "berufserfahren" and other levels are no terms
            (FULL, "Full time"),
            (FULL, "Full-time"),
            (FULL, "Full-time permanent"),
            (PART, "Side"),
            (PART, "Side, hilfstätigkeit / student"),
            (PART, "Working student"),
            (PART, "Working student, hilfstätigkeit / student"),
            (CONTRACT, "Freelance"),
            ("internship", "Dual studies"),
            ("internship", "Traineeship, hilfstätigkeit / student"),
            ("internship", "Internship, hilfstätigkeit / student"),
            (CONTRACT, "Contract"),
        },
    ),
    (Ashby, "acme", page("ashby", "stapply-prelim-job-board-comp.json"), {(FULL, "FullTime")}),
    (
        Breezy,
        "acme",
        page("breezy", "jobpoller-breezy-trial-json-2.json"),
        {("other", "Other"), (CONTRACT, "Contract")},
    ),
    (
        Greenhouse,
        "acme",
        page("greenhouse", "techjobshub-trivago-jobs-wrapped.json"),
        {(FULL, "Full-time"), (None, None)},  # "Time Type - DO NOT CHANGE" metadata
    ),
    (
        HackerNews,
        "48747976",
        page(
            "hackernews",
            "remotejobscollector-algolia-search-whoishiring-2026-07-7hits-WRAPPED.json",
        ),
        {
            (FULL, "Full-time"),
            (FULL, "Permanent (Full-time)"),
            (CONTRACT, "Full time or Full time contract"),
            (FULL, "Full-time, Visa possible for exceptional candidates"),
        },
    ),
    (
        Himalayas,
        "all",
        page("himalayas", "jobagent-jobs-api-3jobs-TRIMMED.json"),
        {(FULL, "Full Time"), (CONTRACT, "Contractor")},
    ),
    (
        Jobicy,
        "all",
        page("jobicy", "breteai-remote-jobs-3jobs-TRIMMED.json"),
        {(FULL, "Full-Time")},
    ),
    (
        JSearch,
        "python",
        {"data": page("jsearch", "jsearchapp-search-data-array-2023.json")},
        {(FULL, "FULLTIME"), (CONTRACT, "CONTRACTOR"), (PART, "PARTTIME")},
    ),
    (
        Lever,
        "acme",
        page("lever", "hunt-spotify-postings-trimmed.json"),
        {(FULL, "Permanent"), ("temporary", "Short Term")},
    ),
    (
        Lever,
        "acme",
        page("lever", "careerkit-idealistconsulting-postings-2-FULLTEXT.json"),
        {(CONTRACT, "Contract")},
    ),
    (
        Personio,
        "acme",
        page("personio", "atsjobsscraper-personio-own-feed-1pos.xml"),
        {(FULL, "permanent, full-time")},
    ),
    (
        Pinpoint,
        "acme",
        {"data": page("pinpoint", "jobpoller-pinpoint-workwithus-postings-2-TRIMMED.json")},
        {(FULL, "full_time")},
    ),
    (
        Recruitee,
        "acme",
        page("recruitee", "atsjobsscraper-bunq-offers-2-TRIMMED.json"),
        {(FULL, "fulltime_permanent")},
    ),
    (
        Remotive,
        "all",
        page("remotive", "workverse-remote-jobs-full-35jobs-BOM.json"),
        {
            (FULL, "full_time"),
            (PART, "part_time"),
            (CONTRACT, "contract"),
            (CONTRACT, "freelance"),
            (None, None),  # job_type ""
        },
    ),
    (
        SmartRecruiters,
        "acme",
        page("smartrecruiters", "hunt-ubisoft2-postings-limit2.json"),
        {(FULL, "Full-time"), ("internship", "Intern")},
    ),
    (
        WeWorkRemotely,
        "all",
        page("weworkremotely", "remotejobscollector-remote-jobs-rss-4items.xml"),
        {(FULL, "Full-Time"), (CONTRACT, "Contract")},
    ),
    (
        Workable,
        "acme",
        page("workable", "atsjobsscraper-huggingface-widget-details-2jobs-TRIMMED.json"),
        {(FULL, "Full-time")},
    ),
]


def pairs(jobs: list[Any]) -> set[Pair]:
    """The (employment_type, employment_type_raw) pairs of ``jobs``."""
    return {(job.employment_type, job.employment_type_raw) for job in jobs}


@pytest.mark.parametrize(
    ("scraper", "target", "body", "expected"), CASES, ids=lambda v: getattr(v, "name", "")
)
async def test_each_source_states_its_terms(
    scraper: type[Scraper], target: str, body: Any, expected: set[Pair]
) -> None:
    """The source's own words are kept raw and mapped to the one vocabulary."""
    jobs = await scrape_with(scraper(), RecordingClient(body), target, **SECRETS)

    assert jobs
    assert pairs(jobs) == expected


async def test_bamboohr_reads_the_detail_employment_status() -> None:
    """BambooHR: each opening's ``employmentStatusLabel``."""
    result = await replay(BambooHR(), holistic(), "holisticai")

    assert pairs(result.jobs) == {
        (FULL, "Full-Time"),
        (PART, "Part-Time"),
        (CONTRACT, "Contractor"),
    }


async def test_workday_reads_the_time_type() -> None:
    """Workday: the detail's ``timeType``."""
    root = "https://nvidia.wd5.myworkdayjobs.com/wday/cxs/nvidia/NVIDIAExternalCareerSite"
    body = detail("jobtracker-nvidia-job-detail-JR2015623-similarjobs.json")
    result = await replay(
        Workday(),
        one_job(root, "/job/x/JR2015623", body),
        "nvidia.wd5/nvidia/NVIDIAExternalCareerSite",
        now=NOW,
    )

    assert pairs(result.jobs) == {(FULL, body["jobPostingInfo"]["timeType"])}


async def test_teamtailor_reads_schema_org_employment_type() -> None:
    """Teamtailor: the JobPosting's ``employmentType``, one text or a list.

    The recorded feed states none: its two items are given one of each form (EDITED).
    """
    feed = payload("teamtailor", "careerkit-teamtailor-own-jobs-json-2-TRIMMED.json")
    feed["items"][0]["_jobposting"]["employmentType"] = "FULL_TIME"
    feed["items"][1]["_jobposting"]["employmentType"] = ["PART_TIME", "TEMPORARY"]
    jobs = await scrape_with(Teamtailor(), RecordingClient(feed), "acme")

    assert [(job.employment_type, job.employment_type_raw) for job in jobs] == [
        (FULL, "FULL_TIME"),
        ("temporary", "PART_TIME, TEMPORARY"),
    ]
