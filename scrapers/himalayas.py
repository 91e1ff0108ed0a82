"""Himalayas remote jobs: the public jobs API, paged with ``offset`` and ``limit``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

from jobping import Item, Job, ScrapeContext, Scraper, Target

_PLACEHOLDER_NAMES = frozenset({"name"})  # answered instead of the name (API-NOTES.md)


class Himalayas(Scraper):
    """``GET /jobs/api?offset=&limit=``; a target is ``all`` (options such as ``?q=`` pass on).

    Every job is remote; ``locationRestrictions`` are the countries a candidate may live
    in: they are the location, and the country when there is exactly one. ``minSalary`` and
    ``maxSalary`` are in ``currency`` per ``salaryPeriod`` (annual, hourly); dates are epoch
    seconds. The API sometimes answers the placeholder ``"name"`` for ``companyName``: the
    company is then read from ``companySlug`` (``alignment-health`` → ``Alignment Health``).
    Pages end with a short or empty page, or at ``totalCount``.
    """

    name = "himalayas"
    source = "himalayas"
    base_url = "https://himalayas.app/jobs"
    domains = ("himalayas.app",)
    tier = "primary"  # keyless, no quota: like Remotive, Arbeitnow, The Muse
    default_targets = ("all",)
    page_size = 20  # the API's maximum per request
    max_pages = 50

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Page by ``offset`` until a page is short, empty, or reaches ``totalCount``."""
        for offset in ctx.pages(start=0, step=self.page_size):
            params: dict[str, str | int] = {
                **target.params,
                "offset": offset,
                "limit": self.page_size,
            }
            page = Item.of(await ctx.get_json("/api", params=params))
            items = page.req_array("jobs")
            for job in ctx.jobs(items, self._job, id_key="guid"):
                yield job
            total = page.integer("totalCount")
            if len(items) < self.page_size or (total is not None and offset + len(items) >= total):
                return

    def _job(self, item: Item) -> Job:
        countries = item.texts("locationRestrictions")
        job = self.job(
            source_id=item.req_text("guid"),
            title=item.text("title"),
            company=_company(item),
            url=item.text("applicationLink") or item.text("guid"),
            location=", ".join(countries) or None,
            country=countries[0] if len(countries) == 1 else None,
            remote=True,
            description=item.text("description"),
            posted=item.integer("pubDate"),  # epoch seconds
            salary_min=item.number("minSalary"),
            salary_max=item.number("maxSalary"),
            salary_currency=item.text("currency"),
            salary_period=item.text("salaryPeriod"),
            employment=item.text("employmentType"),
            categories=[
                *item.texts("parentCategories"),
                *(name.replace("-", " ") for name in item.texts("categories")),
            ],
        )
        return job if len(countries) == 1 else replace(job, country=None)


def _company(item: Item) -> str | None:
    """``companyName``, or the slug in words when the name is the API's placeholder."""
    name = item.text("companyName")
    if name and name not in _PLACEHOLDER_NAMES:
        return name
    slug = item.text("companySlug")
    return slug.replace("-", " ").title() if slug else None
