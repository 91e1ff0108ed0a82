"""Adzuna search: the page number in the path, ends when ``count`` is reached."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import quote

from jobping import Item, Job, ScrapeContext, Scraper, Target, TargetShape

CURRENCIES = {
    "gb": "GBP", "us": "USD", "ca": "CAD", "au": "AUD", "nz": "NZD", "in": "INR", "sg": "SGD",
    "za": "ZAR", "br": "BRL", "mx": "MXN", "pl": "PLN", "ch": "CHF", "de": "EUR", "fr": "EUR",
    "es": "EUR", "it": "EUR", "nl": "EUR", "at": "EUR", "be": "EUR",
}  # fmt: skip


class Adzuna(Scraper):
    """``GET /v1/api/jobs/{country}/search/{page}``; a target is a country and a query.

    Written ``gb?what=python developer&where=london``. Salaries Adzuna only predicted
    (``salary_is_predicted``) are left out; the others are yearly, in the country's currency.
    """

    name = "adzuna"
    source = "adzuna"
    base_url = "https://api.adzuna.com/v1/api/jobs"
    domains = ("api.adzuna.com",)
    page_size = 50
    credentials = ("adzuna_app_id", "adzuna_app_key")
    default_targets = ("gb?what=software developer",)
    target_shape = TargetShape.COUNTRY_CODE
    max_pages = 10

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Page until ``page * page_size`` reaches ``count`` (or a page is short)."""
        country, size = target.value.lower(), self.page_size
        keys = {"app_id": ctx.secret("adzuna_app_id"), "app_key": ctx.secret("adzuna_app_key")}
        params: dict[str, str | int] = {**target.params, **keys, "results_per_page": size}
        for number in ctx.pages():
            path = f"/{quote(country, safe='')}/search/{number}"
            page = Item.of(await ctx.get_json(path, params=params))
            results = page.req_array("results")
            for job in ctx.jobs(results, lambda item: self._job(item, country), id_key="id"):
                yield job
            if len(results) < size or number * size >= (page.integer("count") or 0):
                return

    def _job(self, item: Item, country: str) -> Job:
        predicted = item.flag("salary_is_predicted")
        return self.job(
            source_id=item.ident("id"),
            title=item.text("title"),  # with <strong> highlights
            company=item.obj("company").text("display_name"),
            url=item.text("redirect_url"),
            location=item.obj("location").text("display_name"),
            country=country,
            description=item.text("description"),
            posted=item.text("created"),
            salary_min=None if predicted else item.number("salary_min"),
            salary_max=None if predicted else item.number("salary_max"),
            salary_currency=None if predicted else CURRENCIES.get(country),
            salary_period=None if predicted else "year",
            categories=(item.obj("category").text("label"),),
            employment=(item.text("contract_time"), item.text("contract_type")),
        )
