"""The ATS APIs the sandbox imitates (issue #15), under their real paths and shapes.

Workday, Personio, BambooHR, Breezy, Rippling and Pinpoint, as ``SOURCES-2.md`` notes them.

Workday answers its POSTed search by offset and each posting's detail (the recorded detail
where there is one, else one built from the listing entry); Personio serves its XML feed;
BambooHR its list and each opening's detail; Rippling pages by page number.
"""

from __future__ import annotations

import functools
import json
import math
from importlib import resources
from typing import Any
from xml.etree.ElementTree import Element, tostring

from aiohttp import web

from jobping.sandbox._apis import Api, Body, NotFound, Query
from jobping.sandbox._data import Dataset
from jobping.scraping import parse_xml

__all__ = ["ATS_APIS"]

_PAYLOADS = resources.files("jobping.sandbox") / "payloads"
_WORKDAY_PAGE = 20  # the CXS API's maximum
_WORKDAY_SITES = {  # site -> its public career site, for the built details' externalUrl
    "Bega_Careers": "https://begacheese.wd3.myworkdayjobs.com/Bega_Careers",
    "Workday": "https://workday.wd5.myworkdayjobs.com/Workday",
}
_WORKDAY_DETAILS = (
    "aijobmonitor-begacheese-job-detail-JR-7309.json",
    "candidatezero-workday-inc-job-detail-JR-0105486-TRIMMED.json",
)


def _items(data: Dataset) -> list[dict[str, Any]]:
    return data.page(0, len(data))


def _workday_target(site: str) -> str:
    """The Workday target of a served site (the tenant is ``sandbox``)."""
    return f"sandbox.wd1/sandbox/{site}"


def _workday_jobs(query: Query, data: Dataset) -> Body:
    offset = query.number("offset", 0)
    limit = query.number("limit", _WORKDAY_PAGE, least=1, most=_WORKDAY_PAGE)
    words = (query.text("searchText") or "").lower()
    postings = [job for job in _items(data) if words in str(job.get("title", "")).lower()]
    page = postings[offset : offset + limit]
    return {"total": len(postings), "jobPostings": page, "facets": [], "userAuthenticated": False}


@functools.cache
def _recorded_details() -> dict[str, Any]:
    """The recorded details by posting path (``/job/...``)."""
    details = {}
    for name in _WORKDAY_DETAILS:
        detail = json.loads((_PAYLOADS / "workday" / name).read_bytes())
        url = detail["jobPostingInfo"]["externalUrl"]
        details["/job/" + url.split("/job/", 1)[1]] = detail
    return details


def _workday_detail(query: Query, data: Dataset) -> Body:
    path = f"/job/{query.text('path') or ''}"
    posting = next((job for job in _items(data) if job.get("externalPath") == path), None)
    if posting is None:
        raise NotFound(f"no posting at {path}")
    if (recorded := _recorded_details().get(path)) is not None:
        return recorded
    site = query.text("target") or ""
    public = _WORKDAY_SITES.get(site)
    info = {
        "id": path,
        "title": posting.get("title"),
        "jobDescription": f"<p>{posting.get('title')}</p>",
        "location": posting.get("locationsText"),
        "postedOn": posting.get("postedOn"),
        "jobReqId": (posting.get("bulletFields") or [None])[0],
        "externalUrl": f"{public}{path}" if public else None,
    }
    return {"jobPostingInfo": info, "hiringOrganization": {"name": site, "url": ""}}


def _personio_feed(raw: bytes) -> list[dict[str, Any]]:
    """The positions of a feed, each as its id and its XML (served back as they were)."""
    feed = parse_xml(raw.decode("utf-8"))
    return [
        {"id": position.findtext("id"), "xml": tostring(position, encoding="unicode")}
        for position in feed.iter("position")
    ]


def _personio(_query: Query, data: Dataset) -> Body:
    positions = []
    for item in _items(data):
        position = parse_xml(item["xml"])
        if (ident := position.find("id")) is not None:
            ident.text = str(item["id"])  # a synthesized position's own id
        positions.append(position)
    feed = Element("workzag-jobs")
    feed.extend(positions)
    text = '<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(feed, encoding="unicode")
    return web.Response(text=text, content_type="text/xml", charset="utf-8")


def _bamboohr_list(_query: Query, data: Dataset) -> Body:
    openings = [{k: v for k, v in job.items() if k != "detail"} for job in _items(data)]
    return {"meta": {"totalCount": len(openings)}, "result": openings}


def _bamboohr_detail(query: Query, data: Dataset) -> Body:
    wanted = query.text("id")
    opening = next((job for job in _items(data) if str(job.get("id")) == wanted), None)
    if opening is None:
        raise NotFound(f"no job opening {wanted}")
    return {"meta": {}, "result": {"jobOpening": opening.get("detail") or {}}}


def _rippling(query: Query, data: Dataset) -> Body:
    number = query.number("page", 0)
    size = query.number("pageSize", 20, least=1, most=100)
    items = data.page(number * size, (number + 1) * size)
    pages = math.ceil(len(data) / size)
    return {
        "items": items,
        "page": number,
        "pageSize": size,
        "totalItems": len(data),
        "totalPages": pages,
    }


ATS_APIS: dict[str, Api] = {
    api.name: api
    for api in (
        Api(
            name="bamboohr",
            root="/{company}",
            path="/{target}/careers/list",
            files={"holisticai": "gethired-holisticai-list-plus-detail-12-RESHAPED.json"},
            items_key="result",
            id_key="id",
            respond=_bamboohr_list,
            detail=("/{target}/careers/{id}/detail", _bamboohr_detail),
        ),
        Api(
            name="breezy",
            root="/{company}",
            path="/{target}/json",
            files={"breezy": "jobpoller-breezy-trial-json-2.json"},
            items_key=None,
            id_key="id",
            respond=lambda _query, data: _items(data),
        ),
        Api(
            name="personio",
            root="/{company}",
            path="/{target}/xml",
            files={"personio": "atsjobsscraper-personio-own-feed-1pos.xml"},
            items_key=None,
            id_key="id",
            respond=_personio,
            decode=_personio_feed,
        ),
        Api(
            name="pinpoint",
            root="/{company}",
            path="/{target}/postings.json",
            files={"workwithus": "jobpoller-pinpoint-workwithus-postings-2-TRIMMED.json"},
            items_key=None,  # the capture lost the envelope; it is served in it again
            id_key="id",
            respond=lambda _query, data: {"data": _items(data)},
        ),
        Api(
            name="rippling",
            root="/api/v2/board",
            path="/api/v2/board/{target}/jobs",
            files={"rippling": "hunt-rippling-api-v2-board-page0-size2.json"},
            items_key="items",
            id_key="id",
            respond=_rippling,
        ),
        Api(
            name="workday",
            root="",
            path="/wday/cxs/{tenant}/{target}/jobs",
            files={
                "Bega_Careers": "aijobmonitor-begacheese-jobs-q-quality-p1-20of29.json",
                "Workday": "candidatezero-workday-inc-jobs-4of347-TRIMMED.json",
            },
            items_key="jobPostings",
            id_key="externalPath",
            respond=_workday_jobs,
            method="POST",
            detail=("/wday/cxs/{tenant}/{target}/job/{path:.+}", _workday_detail),
            target_text=_workday_target,
        ),
    )
}
"""The ATS APIs by scraper name."""
