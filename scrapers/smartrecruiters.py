"""SmartRecruiters postings: paged with ``offset`` and ``limit``, ends at ``totalFound``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import quote

from jobping import Item, Job, ScrapeContext, Scraper, Target, TargetShape

JOB_URL = "https://jobs.smartrecruiters.com/{company}/{id}"


class SmartRecruiters(Scraper):
    """``GET /v1/companies/{company}/postings``; a target is a company id (``Ubisoft2``)."""

    name = "smartrecruiters"
    source = "smartrecruiters"
    base_url = "https://api.smartrecruiters.com/v1/companies"
    domains = ("api.smartrecruiters.com",)
    page_size = 100  # the API's maximum
    default_targets = ("Ubisoft2",)
    target_shape = TargetShape.SLUG
    tier = "primary"

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Page until ``offset + limit`` reaches ``totalFound`` (or a page is empty)."""
        company = quote(target.value, safe="")
        for offset in ctx.pages(start=0, step=self.page_size):
            params: dict[str, str | int] = {
                **target.params,
                "offset": offset,
                "limit": self.page_size,
            }
            page = Item.of(await ctx.get_json(f"/{company}/postings", params=params))
            postings = page.req_array("content")
            for job in ctx.jobs(postings, lambda item: self._job(item, target.value), id_key="id"):
                yield job
            if not postings or offset + self.page_size >= (page.integer("totalFound") or 0):
                return

    def _job(self, item: Item, company_id: str) -> Job:
        location = item.obj("location")
        company = item.obj("company")
        source_id = item.ident("id")
        url = JOB_URL.format(company=quote(company.text("identifier") or company_id), id=source_id)
        return self.job(
            source_id=source_id,
            title=item.text("name"),
            company=company.text("name"),
            url=url,
            location=location.text("fullLocation"),
            city=location.text("city"),
            country=location.text("country"),  # lower-case ISO-2
            remote=location.flag("remote"),
            hybrid=location.flag("hybrid"),
            posted=item.text("releasedDate"),
            categories=(item.obj("function").text("label"), item.obj("department").text("label")),
            employment=item.obj("typeOfEmployment").text("label"),
        )
