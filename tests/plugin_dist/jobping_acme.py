"""Acme's job board as a JobPing plugin: the thirty lines a scraper author writes."""

from __future__ import annotations

from collections.abc import AsyncIterator

from jobping import Item, Job, ScrapeContext, Scraper, Target


class AcmeJobs(Scraper):
    """``GET /boards/{board}/jobs?page=N``; pages end when ``next_page`` is null."""

    name = "acme"
    source = "acme"
    base_url = "https://jobs.acme.example/api"
    domains = ("jobs.acme.example",)
    default_targets = ("main",)

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Yield the board's jobs, page by page."""
        for number in ctx.pages():
            page = Item.of(
                await ctx.get_json(f"/boards/{target.value}/jobs", params={"page": number})
            )
            for job in ctx.jobs(page.req_array("jobs"), self._job, id_key="id"):
                yield job
            if page.get("next_page") is None:
                return

    def _job(self, item: Item) -> Job:
        return self.job(
            source_id=item.ident("id"),
            title=item.text("title"),
            company="Acme",
            url=item.text("url"),
            location=item.text("location"),
            posted=item.text("posted"),
        )


class ShadowGreenhouse(AcmeJobs):
    """A plugin that repeats a built-in's name: discovery must refuse it, not replace it."""

    name = "greenhouse"
