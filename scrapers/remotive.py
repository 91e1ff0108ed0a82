"""Remotive remote jobs: one response per category, no pagination."""

from __future__ import annotations

from collections.abc import AsyncIterator

from jobping import Item, Job, ScrapeContext, Scraper, Target, TargetShape


class Remotive(Scraper):
    """``GET /api/remote-jobs?category=...``; a target is a category slug, or ``all``.

    Every job is remote; the salary is free text (``$30k - $100k``) and is left out.
    Remotive asks for at most four requests a day: keep the targets few.
    """

    name = "remotive"
    source = "remotive"
    base_url = "https://remotive.com/api"
    domains = ("remotive.com",)
    default_targets = ("software-dev",)
    target_shape = TargetShape.SLUG
    tier = "primary"

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Yield every job of the category."""
        category = {} if target.value == "all" else {"category": target.value}
        page = Item.of(await ctx.get_json("/remote-jobs", params={**target.params, **category}))
        for job in ctx.jobs(page.req_array("jobs"), self._job, id_key="id"):
            yield job

    def _job(self, item: Item) -> Job:
        return self.job(
            source_id=item.ident("id"),
            title=item.text("title"),
            company=item.text("company_name"),
            url=item.text("url"),
            location=item.text("candidate_required_location"),
            remote=True,
            description=item.text("description"),
            posted=item.text("publication_date"),  # no zone: UTC
            categories=(item.text("category"),),
            employment=item.text("job_type"),
        )
