"""The feed and remote-board APIs the sandbox imitates (Teamtailor, Himalayas, Jobicy, WWR, HN).

Each answers under its real path with its real envelope and paging: Himalayas by
``offset``/``limit`` with ``totalCount``, Hacker News by ``hitsPerPage`` going back in
time with ``numericFilters=created_at_i<=T``, the others whole. We Work Remotely's items are
stored as JSON and served as the RSS 2.0 document they came from.
"""

from __future__ import annotations

import re
from typing import Any
from xml.sax.saxutils import escape

from aiohttp import web

from jobping.normalize import parse_date
from jobping.sandbox._apis import Api, BadRequest, Query
from jobping.sandbox._data import Dataset

__all__ = ["FEED_APIS"]

Body = Any
_HIMALAYAS_MAX = 20
_HITS_MAX = 1000
_BEFORE = re.compile(r"created_at_i<=(\d+)")


def _all(data: Dataset) -> list[dict[str, Any]]:
    return data.page(0, len(data))


def _teamtailor(_query: Query, data: Dataset) -> Body:
    return {**data.meta, "items": _all(data)}


def _himalayas(query: Query, data: Dataset) -> Body:
    offset = query.number("offset", 0)
    limit = query.number("limit", _HIMALAYAS_MAX, least=1, most=_HIMALAYAS_MAX)
    jobs = data.page(offset, offset + limit)
    return {"offset": offset, "limit": limit, "totalCount": len(data), "jobs": jobs}


def _jobicy(query: Query, data: Dataset) -> Body:
    jobs = data.page(0, query.number("count", 100, least=1, most=100))
    return {"apiVersion": "2", "jobCount": len(jobs), "jobs": jobs, "success": True}


def _weworkremotely(_query: Query, data: Dataset) -> web.Response:
    items = "".join(f"<item>{_elements(item)}</item>" for item in _all(data))
    channel = f"<channel>{_elements(data.meta)}{items}</channel>"
    body = f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0">{channel}</rss>'
    return web.Response(text=body, content_type="application/rss+xml")


def _elements(fields: dict[str, Any]) -> str:
    """``<key>value</key>`` for each field, the value escaped (descriptions hold HTML)."""
    return "".join(f"<{key}>{escape(str(value))}</{key}>" for key, value in fields.items())


def _hackernews(query: Query, data: Dataset) -> Body:
    size = query.number("hitsPerPage", 20, least=1, most=_HITS_MAX)
    hits = sorted(
        ({**hit, "created_at_i": _epoch(hit)} for hit in _all(data)),
        key=lambda hit: -hit["created_at_i"],
    )
    if numeric := query.text("numericFilters"):
        if not (before := _BEFORE.fullmatch(numeric)):
            raise BadRequest(f"numericFilters: unsupported filter {numeric!r}")
        hits = [hit for hit in hits if hit["created_at_i"] <= int(before.group(1))]
    shown = hits[:size]
    pages = max(1, -(-len(hits) // size))
    return {"hits": shown, "nbHits": len(hits), "page": 0, "nbPages": pages, "hitsPerPage": size}


def _epoch(hit: dict[str, Any]) -> int:
    moment = parse_date(hit.get("created_at"))
    return int(moment.timestamp()) if moment else 0


FEED_APIS: tuple[Api, ...] = (
    Api(
        name="hackernews",
        root="/api/v1",
        path="/api/v1/search_by_date",
        files={"48747976": "remotejobscollector-algolia-search-whoishiring-2026-07-6hits.json"},
        items_key="hits",
        id_key="objectID",
        respond=_hackernews,
        any_target=True,
    ),
    Api(
        name="himalayas",
        root="/jobs",
        path="/jobs/api",
        files={"all": "jobagent-jobs-api-3jobs-TRIMMED.json"},
        items_key="jobs",
        id_key="guid",
        respond=_himalayas,
    ),
    Api(
        name="jobicy",
        root="/api",
        path="/api/v2/remote-jobs",
        files={"all": "jobsearchaggregator-remote-jobs-5jobs-jobsonly.json"},
        items_key="jobs",
        id_key="id",
        respond=_jobicy,
        target_param="tag",
        any_target=True,
    ),
    Api(
        name="teamtailor",
        root="/{company}",
        path="/{target}/jobs.json",
        files={
            "upcloud": "jobscraper-upcloud-jobs-json-3items.json",
            "career": "careerkit-teamtailor-own-jobs-json-2-TRIMMED.json",
        },
        items_key="items",
        id_key="id",
        respond=_teamtailor,
    ),
    Api(
        name="weworkremotely",
        root="",
        path="/categories/{target}.rss",
        files={"remote-sales-and-marketing-jobs": "jobagent-sales-marketing-rss-3items-ITEMS.json"},
        items_key="items",
        id_key="guid",
        respond=_weworkremotely,
    ),
)
"""The APIs of this module, for ``APIS``."""
