"""A small scraper for the SDK and replay tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

from jobping import Item, Job, ScrapeContext, Scraper, Target


class Board(Scraper):
    """A small scraper over ``{"jobs": [...], "more": bool}`` pages."""

    name = "board"
    source = "board"
    base_url = "https://api.board.example/v1/"
    domains = ("api.board.example",)
    credentials = ("reed_api_key",)
    optional_credentials = ("themuse_api_key",)
    default_targets = ("alpha", " ", "beta?lang=de")
    closed = False

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Yield jobs while pages say ``more``."""
        try:
            for number in ctx.pages():
                page = Item.of(await ctx.get_json("/jobs", params={"page": number}))
                for job in ctx.jobs(page.req_array("jobs"), self._job, id_key="id"):
                    yield job
                if not page.flag("more"):
                    return
        finally:
            type(self).closed = True

    def _job(self, item: Item) -> Job:
        return self.job(
            source_id=item.ident("id"),
            title=item.text("title"),
            company="Board",
            url=item.text("url"),
            location=item.text("where"),
        )
