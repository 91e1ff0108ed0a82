"""Greenhouse job boards: the whole board in one response, no pagination."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

from jobping import Item, Job, ScrapeContext, Scraper, Target, TargetShape
from scrapers._greenhouse_pay import metadata_pay


class Greenhouse(Scraper):
    """``GET /v1/boards/{token}/jobs?content=true``; a target is a board token (``gitlab``).

    The salary is the pay range the job's ``metadata`` states (``_greenhouse_pay`` says how
    several ranges, periods and junk values are read).
    """

    name = "greenhouse"
    source = "greenhouse"
    base_url = "https://boards-api.greenhouse.io/v1/boards"
    domains = ("boards-api.greenhouse.io",)
    default_targets = ("gitlab", "airbnb", "databricks")
    target_shape = TargetShape.SLUG
    tier = "primary"

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Yield every job of the board (descriptions included unless ``?content=false``)."""
        path = f"/{quote(target.value, safe='')}/jobs"
        page = Item.of(await ctx.get_json(path, params={"content": "true", **target.params}))
        items = page.req_array("jobs")
        for job in ctx.jobs(items, lambda item: self._job(item, target.value), id_key="id"):
            yield job

    def _job(self, item: Item, board: str) -> Job:
        job_id = item.ident("id")
        pay = metadata_pay(item.array("metadata"), job_id)
        return self.job(
            source_id=job_id,
            title=item.text("title"),
            company=item.text("company_name") or board,  # 2013-era boards lack it
            url=item.text("absolute_url"),
            location=item.obj("location").text("name"),
            description=item.text("content"),  # entity-escaped HTML
            posted=item.text("first_published") or item.text("updated_at"),
            categories=item.texts("departments", "name"),
            employment=_employment(item.array("metadata")),
            salary_min=pay.min if pay else None,
            salary_max=pay.max if pay else None,
            salary_currency=pay.currency if pay else None,
            salary_period=pay.period if pay else None,
        )


_TERMS_NAME = re.compile(r"employment|time type|job type|commitment|contract|schedule", re.I)


def _employment(metadata: list[Any]) -> list[str]:
    """What the metadata fields named for the terms say (``Time Type``: ``Full-time``)."""
    said: list[str] = []
    for entry in metadata:
        if not isinstance(entry, dict) or not _TERMS_NAME.search(str(entry.get("name") or "")):
            continue
        value = entry.get("value")
        values = value if isinstance(value, list) else [value]
        said.extend(text for text in values if isinstance(text, str))
    return said
