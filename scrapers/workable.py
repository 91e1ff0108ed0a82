"""Workable accounts (the public widget API): the whole account in one response."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import quote

from jobping import Item, Job, ScrapeContext, Scraper, Target, TargetShape


class Workable(Scraper):
    """``GET /api/v1/widget/accounts/{account}?details=true``; a target is an account name."""

    name = "workable"
    source = "workable"
    base_url = "https://apply.workable.com/api/v1/widget/accounts"
    domains = ("apply.workable.com",)
    target_shape = TargetShape.SLUG
    tier = "primary"

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Yield every published job of the account."""
        params = {"details": "true", **target.params}
        page = Item.of(await ctx.get_json(f"/{quote(target.value, safe='')}", params=params))
        company, items = page.text("name") or target.value, page.req_array("jobs")
        for job in ctx.jobs(items, lambda item: self._job(item, company), id_key="shortcode"):
            yield job

    def _job(self, item: Item, company: str) -> Job:
        place = ", ".join(
            p for p in (item.text("city"), item.text("state"), item.text("country")) if p
        )
        return self.job(
            source_id=item.ident("shortcode"),
            title=item.text("title"),
            company=company,
            url=item.text("url") or item.text("shortlink"),
            location=place,
            city=item.text("city"),
            country=item.text("country"),
            remote=item.flag("telecommuting"),
            description=item.text("description"),
            posted=item.text("published_on") or item.text("created_at"),
            categories=(item.text("department"), item.text("function")),
        )
