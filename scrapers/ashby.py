"""Ashby job boards: the whole board in one response, no pagination."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import quote

from jobping import Item, Job, ScrapeContext, Scraper, Target, TargetShape


class Ashby(Scraper):
    """``GET /posting-api/job-board/{board}?includeCompensation=true``; a target is a board.

    The payload has no company name: the board name stands for it.
    """

    name = "ashby"
    source = "ashby"
    base_url = "https://api.ashbyhq.com/posting-api/job-board"
    domains = ("api.ashbyhq.com",)
    default_targets = ("notion", "cartesia")
    target_shape = TargetShape.SLUG
    tier = "primary"

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Yield every job of the board."""
        params = {"includeCompensation": "true", **target.params}
        page = Item.of(await ctx.get_json(f"/{quote(target.value, safe='')}", params=params))
        items = page.req_array("jobs")
        for job in ctx.jobs(items, lambda item: self._job(item, target.value), id_key="id"):
            yield job

    def _job(self, item: Item, board: str) -> Job:
        address = item.obj("address").obj("postalAddress")
        workplace = (item.text("workplaceType") or "").lower()
        salary = next(
            (
                part
                for part in item.obj("compensation").objects("summaryComponents")
                if part.text("compensationType") == "Salary"
            ),
            Item({}),
        )
        return self.job(
            source_id=item.ident("id"),
            title=item.text("title"),
            company=board,
            url=item.text("jobUrl"),
            location=item.text("location"),
            city=address.text("addressLocality"),
            country=address.text("addressCountry"),
            remote=True if workplace == "remote" else item.flag("isRemote"),
            hybrid=workplace == "hybrid" or None,
            description=item.text("descriptionHtml"),
            posted=item.text("publishedAt"),
            salary_min=salary.number("minValue"),
            salary_max=salary.number("maxValue"),
            salary_currency=salary.text("currencyCode"),
            salary_period=salary.text("interval"),
            categories=(item.text("department"), item.text("team")),
            employment=item.text("employmentType"),
        )
