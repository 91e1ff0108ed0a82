"""Lever postings: a top-level JSON array, paged with ``skip`` and ``limit``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import quote

from jobping import Item, Job, ScrapeContext, Scraper, Target, TargetShape
from jobping.normalize import parse_salary

_ON_SITE = (False, False)
_WORKPLACE = {
    "remote": (True, False),
    "hybrid": (False, True),
    "on-site": _ON_SITE,
    "onsite": _ON_SITE,
}


class Lever(Scraper):
    """``GET /v0/postings/{site}?mode=json``; a target is a site name (``spotify``).

    The payload has no company name: the site name stands for it. ``allLocations`` are
    the location (the first one's city); ``workplaceType`` is on-site or onsite, remote or
    hybrid. Without a ``salaryRange``, the pay ``salaryDescriptionPlain`` states is read.
    """

    name = "lever"
    source = "lever"
    base_url = "https://api.lever.co/v0/postings"
    domains = ("api.lever.co",)
    page_size = 100
    default_targets = ("spotify",)
    target_shape = TargetShape.SLUG
    tier = "primary"

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Page until a page holds fewer than ``page_size`` postings."""
        path = f"/{quote(target.value, safe='')}"
        for skip in ctx.pages(start=0, step=self.page_size):
            params: dict[str, str | int] = {
                **target.params,
                "mode": "json",
                "skip": skip,
                "limit": self.page_size,
            }
            postings = Item.list_of(await ctx.get_json(path, params=params))
            for job in ctx.jobs(postings, lambda item: self._job(item, target.value), id_key="id"):
                yield job
            if len(postings) < self.page_size:
                return

    def _job(self, item: Item, site: str) -> Job:
        categories = item.obj("categories")
        remote, hybrid = _WORKPLACE.get(item.text("workplaceType") or "", (None, None))
        salary = item.obj("salaryRange")
        stated = (
            None if item.get("salaryRange") else parse_salary(item.text("salaryDescriptionPlain"))
        )
        places = categories.texts("allLocations")
        sections = [
            f"<h3>{part.text('text') or ''}</h3>{part.text('content') or ''}"
            for part in item.objects("lists")
        ]
        return self.job(
            source_id=item.ident("id"),
            title=item.text("text"),
            company=site,
            url=item.text("hostedUrl"),
            location="; ".join(places) or categories.text("location"),
            country=item.text("country"),
            remote=remote,
            hybrid=hybrid,
            description="".join([item.text("description") or "", *sections]),
            posted=item.integer("createdAt"),  # epoch milliseconds
            salary_min=stated.min if stated else salary.number("min"),
            salary_max=stated.max if stated else salary.number("max"),
            salary_currency=stated.currency if stated else salary.text("currency"),
            salary_period=stated.period if stated else salary.text("interval"),
            categories=(categories.text("team"), categories.text("department")),
            employment=categories.text("commitment"),
        )
