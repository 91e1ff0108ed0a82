"""BambooHR on two recorded lists: a law firm's (trimmed to 2 of 3) and Holistic AI's 12.

Holistic AI's author nested each opening's detail under a ``detail`` key of its list
item; the tests serve the list without it and each detail at its own endpoint, in the
detail envelope ``{"result": {"jobOpening": ...}}``.
"""

from __future__ import annotations

from typing import Any

import pytest

from jobping import SkippedItem
from jobping.errors import HTTPStatusError
from jobping.testing import Reply, replay
from scrapers.bamboohr import BambooHR
from tests.scrapers.helpers import HTML_PAGE, assert_bad_pages_fail, fields, payload

pytestmark = pytest.mark.anyio

ROOT = "https://holisticai.bamboohr.com/careers"


def holistic() -> dict[str, Any]:
    """The list and each detail of Holistic AI's board, by URL."""
    recorded = payload("bamboohr", "gethired-holisticai-list-plus-detail-12-RESHAPED.json")
    items = [{k: v for k, v in item.items() if k != "detail"} for item in recorded["result"]]
    pages: dict[str, Any] = {f"{ROOT}/list": {"meta": recorded["meta"], "result": items}}
    for item in recorded["result"]:
        pages[f"{ROOT}/{item['id']}/detail"] = {"result": {"jobOpening": item["detail"]}}
    return pages


def job(source_id: str, title: str, place: tuple[str, str | None, str], **rest: Any) -> Any:
    """The expected fields of one Holistic AI opening (posted a day of September 2026)."""
    location, city, country = place
    return {
        "source_id": source_id,
        "title": title,
        "company": "holisticai",
        "location": location,
        "city": city,
        "country": country,
        "job_url": f"https://holisticai.bamboohr.com/careers/{source_id}",
        "posted_at": f"2026-09-{rest['day']}T00:00:00+00:00",
        "work_environment": rest["where"],
        "salary": rest["salary"],
    }


LONDON = ("London, United Kingdom", "London", "GB")
BANGALORE = ("Bangalore, India", "Bangalore", "IN")
RIO = ("Rio de Janeiro, Brazil", "Rio de Janeiro", "BR")
GBP, USD = "GBP", "USD"


async def test_twelve_openings_with_their_details() -> None:
    """Each opening: title as written, place, locationType, datePosted, compensation text."""
    result = await replay(BambooHR(), holistic(), "holisticai")

    assert result.skipped == []
    assert [fields(item) for item in result.jobs] == [
        job(
            "89",
            "Director of Product \u2013 London, United Kingdom",
            LONDON,
            day=17,
            where="hybrid",
            salary=(100000.0, None, GBP, None),
        ),
        job(
            "90",
            "Inside Sales Representative \u2013 London, UK",
            LONDON,
            day=17,
            where="hybrid",
            salary=(50000.0, 60000.0, GBP, None),
        ),
        job(
            "91",
            "Inside Sales Representative \u2013 Bangalore, India",
            BANGALORE,
            day=17,
            where="remote",
            salary=(35000.0, 45000.0, USD, None),
        ),
        job(
            "92",
            "Forward Deployed Engineer \u2013 Rio de Janeiro, Brazil",
            RIO,
            day=18,
            where="remote",
            salary=(50000.0, None, USD, None),
        ),
        job(
            "94",
            "GTM Engineer \u2013 London, United Kingdom",
            LONDON,
            day=18,
            where="on-site",
            salary=(75000.0, None, GBP, None),
        ),
        job(
            "95",
            "Product Marketing Manager - London, United Kingdom",
            LONDON,
            day=18,
            where="on-site",
            salary=(75000.0, None, GBP, None),
        ),
        job(
            "96",
            "Pre-Sales Engineer \u2013 East Coast, United States",
            ("United States", None, "US"),
            day=18,
            where="remote",
            salary=(80000.0, None, USD, None),
        ),
        job(
            "97",
            "Pre-Sales Engineer \u2013 London, United Kingdom",
            LONDON,
            day=18,
            where="hybrid",
            salary=(65000.0, None, GBP, None),
        ),
        job(
            "98",
            "Pre-Sales Engineer \u2013 Bangalore India",
            BANGALORE,
            day=18,
            where="remote",
            salary=(50000.0, None, USD, None),
        ),
        job(
            "99",
            "Pre-Sales Engineer \u2013 Rio de Janeiro, Brazil",
            RIO,
            day=18,
            where="remote",
            salary=(50000.0, None, USD, None),
        ),
        job(
            "100",
            "IT and Security Lead \u2013 London, United Kingdom",
            LONDON,
            day=18,
            where="hybrid",
            salary=(None, None, None, None),
        ),
        job(
            "101",
            "Forward Deployed Engineer \u2013 Bangalore, India",
            BANGALORE,
            day=18,
            where="remote",
            salary=(50000.0, None, USD, None),
        ),
    ]
    first = result.jobs[0]
    assert first.categories == ("Product",)
    assert first.description.startswith("We're looking for a Director of Product")


async def test_the_law_firm_list_reads_city_and_state() -> None:
    """Openings located by ``location{city,state}`` (details not recorded: name and date only)."""
    listed = payload("bamboohr", "careerkit-florida-lawfirm-list-2-TRIMMED.json")
    root = "https://lawfirm.bamboohr.com/careers"
    pages: dict[str, Any] = {f"{root}/list": listed}
    for item in listed["result"]:
        detail = {"jobOpeningName": item["jobOpeningName"], "datePosted": "2026-08-01"}
        pages[f"{root}/{item['id']}/detail"] = {"result": {"jobOpening": detail}}
    result = await replay(BambooHR(), pages, "lawfirm")

    assert [
        (j.title, j.location, j.city, j.country, j.work_environment.value) for j in result.jobs
    ] == [
        ("Nurse Paralegal", "Fort Lauderdale, Florida", "Fort Lauderdale", "US", "on-site"),
        (
            "Marketing & Social Media Intern",
            "Fort Lauderdale, Florida",
            "Fort Lauderdale",
            "US",
            "on-site",
        ),
    ]
    assert [j.categories for j in result.jobs] == [("Legal",), ("Marketing",)]
    assert [j.job_url for j in result.jobs] == [f"{root}/86", f"{root}/87"]


async def test_an_opening_closed_since_the_list_is_skipped() -> None:
    """A detail answering 404 skips its opening; the others come out."""
    pages = holistic()
    pages[f"{ROOT}/90/detail"] = Reply({"error": "Not found"}, 404)
    result = await replay(BambooHR(), pages, "holisticai")

    assert len(result.jobs) == 11
    assert result.skipped == [SkippedItem("90", "detail gone since the listing (HTTP 404)")]


async def test_a_run_limit_stops_the_detail_requests() -> None:
    """With ``--limit 2`` only two details are fetched."""
    result = await replay(BambooHR(), holistic(), "holisticai", limit=2, assert_all_requested=False)

    assert result.requests == [f"{ROOT}/list", f"{ROOT}/89/detail", f"{ROOT}/90/detail"]


async def test_an_empty_board_has_no_jobs() -> None:
    """A company without openings: totalCount 0, an empty result, one request."""
    pages = {f"{ROOT}/list": {"meta": {"totalCount": 0}, "result": []}}
    result = await replay(BambooHR(), pages, "holisticai")

    assert (result.jobs, len(result.requests)) == ([], 1)


async def test_malformed_items_are_skipped_with_reasons() -> None:
    """An item without id, a string: skipped; a detail that is not an object: skipped."""
    pages = holistic()
    items = pages[f"{ROOT}/list"]["result"]
    del items[0]["id"]
    items.insert(1, "not an object")
    pages[f"{ROOT}/91/detail"] = ["not", "an", "object"]
    del pages[f"{ROOT}/89/detail"]
    result = await replay(BambooHR(), pages, "holisticai")

    assert len(result.jobs) == 10
    assert result.skipped == [
        SkippedItem("#0", "missing 'id'"),
        SkippedItem("#1", "not a JSON object (str)"),
        SkippedItem("91", "expected a JSON object, got a list"),
    ]


async def test_bad_list_pages_fail_the_target() -> None:
    """HTML (a careers page without the API), an empty body, a string, an object without result."""
    await assert_bad_pages_fail(BambooHR(), f"{ROOT}/list", "holisticai", b'{"meta": {}}')


async def test_a_detail_server_error_fails_the_target() -> None:
    """A 500 on a detail is not a closed opening: the target fails."""
    pages = holistic()
    pages[f"{ROOT}/89/detail"] = Reply(HTML_PAGE, 500)
    with pytest.raises(HTTPStatusError):
        await replay(BambooHR(), pages, "holisticai", assert_all_requested=False)
