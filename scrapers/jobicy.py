"""Jobicy remote jobs: one response per query, no pagination."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from dataclasses import replace

from jobping import Item, ItemError, Job, ScrapeContext, Scraper, Target


class Jobicy(Scraper):
    """``GET /v2/remote-jobs?count=100``; a target is ``all`` or a tag (``python``).

    Options pass on (``all?geo=usa&industry=dev``). Every job is remote; ``jobGeo`` lists
    where candidates may be (``"LATAM,  Brazil"``): the location, and the country when it
    names one place. ``jobIndustry`` is HTML-escaped (``Product &amp; Operations``). Salary
    fields are optional, ``salaryMax`` may be absent alone. Jobicy asks for attribution and
    a link back to the job's URL, and for few requests (it refreshes hourly).
    """

    name = "jobicy"
    source = "jobicy"
    base_url = "https://jobicy.com/api"
    domains = ("jobicy.com",)
    tier = "primary"  # keyless, no quota: like Remotive, Arbeitnow, The Muse
    default_targets = ("all",)
    page_size = 100  # the API's maximum ``count``

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Yield every job of the query (an unsuccessful answer fails the target)."""
        tag = {} if target.value == "all" else {"tag": target.value}
        params: dict[str, str | int] = {"count": self.page_size, **target.params, **tag}
        page = Item.of(await ctx.get_json("/v2/remote-jobs", params=params))
        if page.flag("success") is False:
            message = page.text("message") or page.text("error") or "no reason given"
            raise ItemError(f"Jobicy refused the query: {message[:200]}")
        if page.integer("jobCount") == 0:  # no match: the answer may have no "jobs" at all
            return
        for job in ctx.jobs(page.req_array("jobs"), self._job, id_key="id"):
            yield job

    def _job(self, item: Item) -> Job:
        places = [place.strip() for place in (item.text("jobGeo") or "").split(",")]
        places = [place for place in places if place]
        job = self.job(
            source_id=item.ident("id"),
            title=item.text("jobTitle"),
            company=item.text("companyName"),
            url=item.text("url"),
            location=", ".join(places) or None,
            remote=True,
            description=item.text("jobDescription"),
            posted=item.text("pubDate"),
            salary_min=item.number("salaryMin"),
            salary_max=item.number("salaryMax"),
            salary_currency=item.text("salaryCurrency"),
            salary_period=item.text("salaryPeriod"),
            categories=[html.unescape(name) for name in item.texts("jobIndustry")],
            employment=item.texts("jobType"),
        )
        return job if len(places) == 1 else replace(job, country=None)
