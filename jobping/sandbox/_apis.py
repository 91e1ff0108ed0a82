"""The twelve APIs the sandbox imitates: paths, parameters, pagination, envelopes, keys.

Each API answers under the path its real counterpart uses, reads the same query parameters,
pages the way it pages (offset and limit, page numbers, ``links.next``) and refuses a
request without the credentials it needs (any non-empty value passes). Shapes follow the
recorded payloads and ``API-NOTES.md``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from jobping.sandbox._data import Dataset

__all__ = ["APIS", "Api", "BadRequest", "NotFound", "Query"]

Body = Any
_ARBEITNOW_PAGE = 100
_THEMUSE_PAGE = 20
_JSEARCH_PAGE = 10


class BadRequest(Exception):
    """A parameter the real API would refuse; answered with HTTP 400 and this message."""


class NotFound(Exception):
    """A job the target does not have (a detail request); answered with HTTP 404."""


class Query:
    """The path variables, query parameters and JSON body keys of one request, checked."""

    def __init__(self, request: web.Request, body: Mapping[str, Any] | None = None) -> None:
        self._request = request
        self._body = body or {}

    def text(self, name: str) -> str | None:
        """A path variable, query parameter or body key; None when absent or blank."""
        value = self._request.match_info.get(name) or self._request.query.get(name, "")
        if not value and isinstance(found := self._body.get(name), str | int):
            value = str(found)
        return value.strip() or None

    def number(self, name: str, default: int, *, least: int = 0, most: int | None = None) -> int:
        """A whole-number parameter within ``least``..``most``, else ``BadRequest``."""
        text = self.text(name)
        if text is None:
            return default
        if not text.isdigit() or int(text) < least or (most is not None and int(text) > most):
            upper = f" and {most}" if most is not None else ""
            raise BadRequest(f"{name} must be a whole number between {least}{upper}")
        return int(text)

    def page_url(self, page: int) -> str:
        """This request's URL with ``page`` set (a ``links.next`` value)."""
        return str(self._request.url.update_query(page=page))


@dataclass(frozen=True, slots=True, kw_only=True)
class Api:
    """One imitated API: where it answers, what it serves, how it pages and checks keys."""

    name: str
    """The scraper name it serves."""
    root: str
    """Path of the scraper's base URL (``/v1/boards``)."""
    path: str
    """The route, ``{target}`` where the target is a path segment."""
    files: Mapping[str, str]
    """Recorded payload file by target."""
    items_key: str | None
    """The list of jobs in a payload file (None: the file is the list)."""
    id_key: str
    """The id of a job (made unique in synthesized jobs)."""
    respond: Callable[[Query, Dataset], Body]
    """Build the response body of one request for the target's dataset (JSON data, or a
    ready ``web.Response`` for a body that is not JSON)."""
    target_param: str | None = None
    """The query parameter holding the target, when it is not in the path."""
    any_target: bool = False
    """A search API: an unknown target (query) is answered with the first dataset."""
    refuse: Callable[[web.Request], Body | None] = lambda _request: None
    """The 401 body when the request lacks the API's credentials, else None."""
    method: str = "GET"
    """The listing's method; a POST's JSON body keys are read as parameters."""
    detail: tuple[str, Callable[[Query, Dataset], Body]] | None = None
    """A second route answering one job (``NotFound`` for a job the target lacks)."""
    decode: Callable[[bytes], Any] | None = None
    """How a payload file is read (JSON by default)."""
    target_text: Callable[[str], str] = str
    """The scraper's target for a served dataset (its name by default)."""


def _drop(item: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: value for key, value in item.items() if key not in keys}


def _all(data: Dataset) -> list[dict[str, Any]]:
    return data.page(0, len(data))


def _greenhouse(query: Query, data: Dataset) -> Body:
    jobs = _all(data)
    if query.text("content") != "true":
        jobs = [_drop(job, "content", "departments", "offices") for job in jobs]
    return {"jobs": jobs, "meta": {"total": len(data)}}


def _lever(query: Query, data: Dataset) -> Body:
    skip = query.number("skip", 0)
    return data.page(skip, skip + query.number("limit", len(data), least=1))


def _ashby(query: Query, data: Dataset) -> Body:
    jobs = _all(data)
    if query.text("includeCompensation") != "true":
        hidden = ("compensation", "shouldDisplayCompensationOnJobPostings")
        jobs = [_drop(job, *hidden) for job in jobs]
    return {"jobs": jobs, "apiVersion": "1"}


def _smartrecruiters(query: Query, data: Dataset) -> Body:
    offset = query.number("offset", 0)
    limit = query.number("limit", 10, least=1, most=100)
    content = data.page(offset, offset + limit)
    return {"offset": offset, "limit": limit, "totalFound": len(data), "content": content}


def _workable(query: Query, data: Dataset) -> Body:
    jobs = _all(data)
    if query.text("details") != "true":
        jobs = [_drop(job, "description") for job in jobs]
    return {**data.meta, "jobs": jobs}


def _recruitee(_query: Query, data: Dataset) -> Body:
    return {"offers": _all(data)}


def _adzuna(query: Query, data: Dataset) -> Body:
    size = query.number("results_per_page", 10, least=1, most=50)
    start = (query.number("page", 1, least=1) - 1) * size
    return {**data.meta, "count": len(data), "results": data.page(start, start + size)}


def _reed(query: Query, data: Dataset) -> Body:
    skip = query.number("resultsToSkip", 0)
    take = query.number("resultsToTake", 100, least=1, most=100)
    results = data.page(skip, skip + take)
    return {"results": results, "ambiguousLocations": [], "totalResults": len(data)}


def _jsearch(query: Query, data: Dataset) -> Body:
    page = query.number("page", 1, least=1)
    pages = query.number("num_pages", 1, least=1, most=20)
    start = (page - 1) * _JSEARCH_PAGE
    parameters = {"query": query.text("query"), "page": page, "num_pages": pages}
    jobs = data.page(start, start + pages * _JSEARCH_PAGE)
    return {"status": "OK", "request_id": "sandbox", "parameters": parameters, "data": jobs}


def _remotive(query: Query, data: Dataset) -> Body:
    jobs = data.page(0, query.number("limit", len(data), least=1))
    return {**data.meta, "job-count": len(jobs), "total-job-count": len(data), "jobs": jobs}


def _arbeitnow(query: Query, data: Dataset) -> Body:
    page = query.number("page", 1, least=1)
    start = (page - 1) * _ARBEITNOW_PAGE
    jobs = data.page(start, start + _ARBEITNOW_PAGE)
    last = max(1, math.ceil(len(data) / _ARBEITNOW_PAGE))
    links = {
        "first": query.page_url(1),
        "last": None,
        "prev": query.page_url(page - 1) if page > 1 else None,
        "next": query.page_url(page + 1) if page < last else None,
    }
    meta = {
        "current_page": page,
        "from": start + 1 if jobs else None,
        "per_page": _ARBEITNOW_PAGE,
        "to": start + len(jobs) if jobs else None,
    }
    return {"data": jobs, "links": links, "meta": meta}


def _themuse(query: Query, data: Dataset) -> Body:
    page = query.number("page", 0)
    start = page * _THEMUSE_PAGE
    return {
        "page": page,
        "page_count": math.ceil(len(data) / _THEMUSE_PAGE),
        "items_per_page": _THEMUSE_PAGE,
        "took": 1,
        "timed_out": False,
        "total": len(data),
        "results": data.page(start, start + _THEMUSE_PAGE),
        "aggregations": {},
    }


def _adzuna_keys(request: web.Request) -> Body | None:
    if request.query.get("app_id") and request.query.get("app_key"):
        return None
    return {  # quoted verbatim from a live 401 (API-NOTES.md)
        "doc": "https://api.adzuna.com/v1/doc",
        "display": "Authorisation failed",
        "__CLASS__": "Adzuna::API::Response::Exception",
        "exception": "AUTH_FAIL",
    }


def _reed_keys(request: web.Request) -> Body | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme == "Basic" and token.strip():
        return None
    return {"message": "Authorization has been denied for this request."}


def _jsearch_keys(request: web.Request) -> Body | None:
    if request.headers.get("X-RapidAPI-Key"):
        return None
    return {"message": "Invalid API key. Go to https://docs.rapidapi.com/docs/keys for more info."}


APIS: dict[str, Api] = {
    api.name: api
    for api in (
        Api(
            name="adzuna",
            root="/v1/api/jobs",
            path="/v1/api/jobs/{target}/search/{page}",
            files={
                "gb": "taxly-gb-search-10results-2025-07.json",
                "es": "isthatmynewjob-es-search-p1-EDITED.json",
            },
            items_key="results",
            id_key="id",
            respond=_adzuna,
            refuse=_adzuna_keys,
        ),
        Api(
            name="arbeitnow",
            root="/api",
            path="/api/job-board-api",
            files={"all": "job-board-api-page1-10-shortest.json"},
            items_key="data",
            id_key="slug",
            respond=_arbeitnow,
        ),
        Api(
            name="ashby",
            root="/posting-api/job-board",
            path="/posting-api/job-board/{target}",
            files={
                "prelim": "stapply-prelim-job-board-comp.json",
                "kraken": "stapply-kraken-job-board-comp.json",
            },
            items_key="jobs",
            id_key="id",
            respond=_ashby,
        ),
        Api(
            name="greenhouse",
            root="/v1/boards",
            path="/v1/boards/{target}/jobs",
            files={
                "gitlab": "gitlab-jobs-content-true-trimmed.json",
                "airtable": "techjobshub-airtable-jobs-wrapped.json",
            },
            items_key="jobs",
            id_key="id",
            respond=_greenhouse,
        ),
        Api(
            name="jsearch",
            root="",
            path="/search",
            files={"python developer in texas, usa": "jsearchapp-search-data-array-2023.json"},
            items_key=None,
            id_key="job_id",
            respond=_jsearch,
            target_param="query",
            any_target=True,
            refuse=_jsearch_keys,
        ),
        Api(
            name="lever",
            root="/v0/postings",
            path="/v0/postings/{target}",
            files={"spotify": "hunt-spotify-postings-trimmed.json"},
            items_key=None,
            id_key="id",
            respond=_lever,
        ),
        Api(
            name="recruitee",
            root="/{company}",
            path="/{target}/api/offers/",
            files={
                "acme": "careerkit-berlin-company-offers-2-SANITIZED.json",
                "bunq": "atsjobsscraper-bunq-offers-2-TRIMMED.json",
            },
            items_key="offers",
            id_key="id",
            respond=_recruitee,
        ),
        Api(
            name="reed",
            root="/api/1.0",
            path="/api/1.0/search",
            files={"UI/UX": "search-uiux-newcastle-2023-05.json"},
            items_key="results",
            id_key="jobId",
            respond=_reed,
            target_param="keywords",
            any_target=True,
            refuse=_reed_keys,
        ),
        Api(
            name="remotive",
            root="/api",
            path="/api/remote-jobs",
            files={"all": "workverse-remote-jobs-5-shortest.json"},
            items_key="jobs",
            id_key="id",
            respond=_remotive,
            target_param="category",
            any_target=True,
        ),
        Api(
            name="smartrecruiters",
            root="/v1/companies",
            path="/v1/companies/{target}/postings",
            files={"Ubisoft2": "hunt-ubisoft2-postings-limit2.json"},
            items_key="content",
            id_key="id",
            respond=_smartrecruiters,
        ),
        Api(
            name="themuse",
            root="/api/public",
            path="/api/public/jobs",
            files={"all": "taxly-public-jobs-page1-10-shortest.json"},
            items_key="results",
            id_key="id",
            respond=_themuse,
            target_param="category",
            any_target=True,
        ),
        Api(
            name="workable",
            root="/api/v1/widget/accounts",
            path="/api/v1/widget/accounts/{target}",
            files={
                "vasion": "jobagent-vasion-widget-details-2jobs-TRIMMED.json",
                "huggingface": "atsjobsscraper-huggingface-widget-details-2jobs-TRIMMED.json",
            },
            items_key="jobs",
            id_key="shortcode",
            respond=_workable,
        ),
    )
}

from jobping.sandbox._apis_ats import ATS_APIS  # noqa: E402 - they are built on Api above
from jobping.sandbox._apis_feeds import FEED_APIS  # noqa: E402

APIS = dict(sorted({**APIS, **ATS_APIS, **{api.name: api for api in FEED_APIS}}.items()))
"""Every imitated API by scraper name, in name order (the ATS and feed sources of #15)."""
