"""Reed (UK) job search: paged with ``resultsToSkip``, ends at ``totalResults``."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator

from jobping import Item, Job, ScrapeContext, Scraper, Target, TargetShape


class Reed(Scraper):
    """``GET /api/1.0/search?keywords=...``; a target is the keywords.

    Options go to the API: ``python developer?locationName=London``. The key is the HTTP
    Basic user name. Salaries carry no period (contract rows hold day rates): none is set.
    """

    name = "reed"
    source = "reed"
    base_url = "https://www.reed.co.uk/api/1.0"
    domains = ("www.reed.co.uk",)
    page_size = 100  # the API's maximum
    credentials = ("reed_api_key",)
    default_targets = ("software developer",)
    target_shape = TargetShape.FREE_TEXT
    max_pages = 10

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Page until ``resultsToSkip + page_size`` reaches ``totalResults``."""
        token = base64.b64encode(f"{ctx.secret('reed_api_key')}:".encode()).decode()
        headers = {"Authorization": f"Basic {token}"}
        for skip in ctx.pages(start=0, step=self.page_size):
            params = {**target.params, "keywords": target.value}
            params |= {"resultsToTake": str(self.page_size), "resultsToSkip": str(skip)}
            page = Item.of(await ctx.get_json("/search", params=params, headers=headers))
            results = page.req_array("results")
            for job in ctx.jobs(results, self._job, id_key="jobId"):
                yield job
            if not results or skip + self.page_size >= (page.integer("totalResults") or 0):
                return

    def _job(self, item: Item) -> Job:
        return self.job(
            source_id=item.ident("jobId"),
            title=item.text("jobTitle"),
            company=item.text("employerName"),
            url=item.text("jobUrl"),
            location=item.text("locationName"),
            country="GB",
            description=item.text("jobDescription"),
            posted=item.text("date"),  # dd/mm/yyyy
            salary_min=item.number("minimumSalary"),
            salary_max=item.number("maximumSalary"),
            salary_currency=item.text("currency"),
        )
