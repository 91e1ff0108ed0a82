"""Arbeitnow job board: paged with ``page``, ends when ``links.next`` is null."""

from __future__ import annotations

from collections.abc import AsyncIterator

from jobping import Item, Job, ScrapeContext, Scraper, Target, TargetShape
from jobping.normalize import employment_type


class Arbeitnow(Scraper):
    """``GET /api/job-board-api?page=N``; the one target is ``all`` (options go to the API)."""

    name = "arbeitnow"
    source = "arbeitnow"
    base_url = "https://www.arbeitnow.com/api"
    domains = ("www.arbeitnow.com",)
    default_targets = ("all",)
    target_shape = TargetShape.one_of("all")
    tier = "primary"

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Page while the page links a next one."""
        for number in ctx.pages():
            params: dict[str, str | int] = {**target.params, "page": number}
            page = Item.of(await ctx.get_json("/job-board-api", params=params))
            data = page.req_array("data")
            for job in ctx.jobs(data, self._job, id_key="slug"):
                yield job
            if not data or not page.obj("links").text("next"):
                return

    def _job(self, item: Item) -> Job:
        return self.job(
            source_id=item.ident("slug"),
            title=item.text("title"),
            company=item.text("company_name"),
            url=item.text("url"),
            location=item.text("location"),
            remote=item.flag("remote") or None,  # false only means "not said"
            description=item.text("description"),
            posted=item.integer("created_at"),  # epoch seconds
            categories=item.texts("job_types"),
            employment=[kind for kind in item.texts("job_types") if _is_term(kind)],
        )


def _is_term(job_type: str) -> bool:
    """Whether a job type names terms of employment (others are levels: ``berufserfahren``)."""
    return employment_type(job_type) not in (None, "other")
