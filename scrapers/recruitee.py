"""Recruitee careers sites: every offer of a company in one response."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import quote

from jobping import Item, Job, ScrapeContext, Scraper, Target, TargetShape


class Recruitee(Scraper):
    """``GET https://{company}.recruitee.com/api/offers/``; a target is the company's subdomain.

    A base-URL override may place ``{company}`` anywhere (``http://127.0.0.1:8000/r/{company}``).
    """

    name = "recruitee"
    source = "recruitee"
    base_url = "https://{company}.recruitee.com"
    domains = ("recruitee.com",)
    target_shape = TargetShape.SUBDOMAIN
    tier = "primary"

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Yield every published offer of the company."""
        root = ctx.base_url.replace("{company}", quote(target.value, safe=""))
        page = Item.of(await ctx.get_json(f"{root}/api/offers/", params=target.params))
        for job in ctx.jobs(page.req_array("offers"), self._job, id_key="id"):
            yield job

    def _job(self, item: Item) -> Job:
        salary = item.obj("salary")
        description = (item.text("description") or "") + (item.text("requirements") or "")
        return self.job(
            source_id=item.ident("id"),
            title=item.text("title"),
            company=item.text("company_name"),
            url=item.text("careers_url"),
            location=item.text("location"),
            city=item.text("city"),
            country=item.text("country_code"),
            remote=item.flag("remote"),
            hybrid=item.flag("hybrid"),
            description=description,
            posted=item.text("published_at") or item.text("created_at"),
            salary_min=salary.number("min"),
            salary_max=salary.number("max"),
            salary_currency=salary.text("currency"),
            salary_period=salary.text("period"),
            categories=(item.text("department"),),
        )
