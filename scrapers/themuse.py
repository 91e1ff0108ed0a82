"""The Muse public jobs: paged with ``page`` (from 0), ends at ``page_count``."""

from __future__ import annotations

from collections.abc import AsyncIterator

from jobping import Item, Job, ScrapeContext, Scraper, Target, TargetShape


class TheMuse(Scraper):
    """``GET /api/public/jobs?page=N&category=...``; a target is a category, or ``all``.

    Options go to the API (``Software Engineering?location=Berlin, Germany``). The key
    is optional: it raises the rate limit.
    """

    name = "themuse"
    source = "themuse"
    base_url = "https://www.themuse.com/api/public"
    domains = ("www.themuse.com",)
    optional_credentials = ("themuse_api_key",)
    default_targets = ("Software Engineering",)
    target_shape = TargetShape.FREE_TEXT
    tier = "primary"

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Page until the last of ``page_count`` pages (or an empty page)."""
        params: dict[str, str | int] = {**target.params}
        if target.value != "all":
            params["category"] = target.value
        if key := ctx.optional_secret("themuse_api_key"):
            params["api_key"] = key
        for number in ctx.pages(start=0):
            page = Item.of(await ctx.get_json("/jobs", params={**params, "page": number}))
            results = page.req_array("results")
            for job in ctx.jobs(results, self._job, id_key="id"):
                yield job
            if not results or number + 1 >= (page.integer("page_count") or 0):
                return

    def _job(self, item: Item) -> Job:
        return self.job(
            source_id=item.ident("id"),
            title=item.text("name"),
            company=item.obj("company").text("name"),
            url=item.obj("refs").text("landing_page"),
            location="; ".join(item.texts("locations", "name")),
            description=item.text("contents"),
            posted=item.text("publication_date"),
            categories=item.texts("categories", "name"),
        )
