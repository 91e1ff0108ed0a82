"""JSearch (RapidAPI) search: one page per request, ends on a short page."""

from __future__ import annotations

from collections.abc import AsyncIterator

from jobping import Item, Job, ScrapeContext, Scraper, Target, TargetShape

HOST = "jsearch.p.rapidapi.com"


class JSearch(Scraper):
    """``GET /search?query=...&page=N&num_pages=1``; a target is the query.

    Written as JSearch reads it: ``python developer in Berlin``; options go to the API
    (``?country=de&date_posted=week``).
    """

    name = "jsearch"
    source = "jsearch"
    base_url = f"https://{HOST}"
    domains = (HOST,)
    page_size = 10  # JSearch's page, with num_pages=1
    credentials = ("jsearch_api_key",)
    default_targets = ("software developer in London",)
    target_shape = TargetShape.FREE_TEXT
    max_pages = 5

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Page until a page holds fewer than ``page_size`` jobs."""
        headers = {"X-RapidAPI-Key": ctx.secret("jsearch_api_key"), "X-RapidAPI-Host": HOST}
        for number in ctx.pages():
            params: dict[str, str | int] = {
                **target.params,
                "query": target.value,
                "page": number,
                "num_pages": 1,
            }
            page = Item.of(await ctx.get_json("/search", params=params, headers=headers))
            data = page.req_array("data")
            for job in ctx.jobs(data, self._job, id_key="job_id"):
                yield job
            if len(data) < self.page_size:
                return

    def _job(self, item: Item) -> Job:
        place = [item.text("job_city"), item.text("job_state"), item.text("job_country")]
        return self.job(
            source_id=item.ident("job_id"),
            title=item.text("job_title"),
            company=item.text("employer_name"),
            url=item.text("job_apply_link") or item.text("job_google_link"),
            location=", ".join(p for p in place if p),
            city=item.text("job_city"),
            country=item.text("job_country"),
            remote=item.flag("job_is_remote") or None,  # false only means "not said"
            description=item.text("job_description"),
            posted=item.integer("job_posted_at_timestamp")
            or item.text("job_posted_at_datetime_utc"),
            salary_min=item.number("job_min_salary"),
            employment=item.text("job_employment_type"),
            salary_max=item.number("job_max_salary"),
            salary_currency=item.text("job_salary_currency"),
            salary_period=item.text("job_salary_period"),
        )
