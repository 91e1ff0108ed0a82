"""Recruitee careers sites: every offer of a company in one response."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import quote

from jobping import Item, Job, ScrapeContext, Scraper, Target, TargetShape

_THOUSANDS_BELOW = 1000.0  # a yearly salary under this is written in thousands


class Recruitee(Scraper):
    """``GET https://{company}.recruitee.com/api/offers/``; a target is the company's subdomain.

    ``careers_url`` may be on the company's own domain (``careers.bunq.com``). Salary
    amounts are strings; a yearly amount under 1,000 is in thousands (``"75.00"`` a year
    is 75,000, API-NOTES.md). Dates are ``2026-09-25 15:46:07 UTC``. A base-URL override
    may place ``{company}`` anywhere (``http://127.0.0.1:8000/r/{company}``).
    """

    name = "recruitee"
    source = "recruitee"
    base_url = "https://{company}.recruitee.com"
    domains = ("recruitee.com",)
    target_shape = TargetShape.SUBDOMAIN
    tier = "primary"

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Yield every published offer of the company."""
        root = ctx.base_url.replace("{company}", quote(target.value, safe=""))
        page = Item.of(await ctx.get_json(f"{root}/api/offers/", params=target.params))
        for job in ctx.jobs(page.req_array("offers"), self._job, id_key="id"):
            yield job

    def _job(self, item: Item) -> Job:
        salary = item.obj("salary")
        low, high = _thousands(salary.number("min"), salary.number("max"), salary.text("period"))
        description = (item.text("description") or "") + (item.text("requirements") or "")
        return self.job(
            source_id=item.ident("id"),
            title=item.text("title"),
            company=item.text("company_name"),
            url=item.text("careers_url"),
            location=item.text("location"),
            city=item.text("city"),
            country=item.text("country_code"),
            remote=item.flag("remote"),
            hybrid=item.flag("hybrid"),
            description=description,
            posted=item.text("published_at") or item.text("created_at"),
            salary_min=low,
            salary_max=high,
            salary_currency=salary.text("currency"),
            salary_period=salary.text("period"),
            categories=(item.text("department"),),
            employment=item.text("employment_type_code"),
        )


def _thousands(
    low: float | None, high: float | None, period: str | None
) -> tuple[float | None, float | None]:
    """Yearly amounts written in thousands (``75.00``) as whole amounts."""
    amounts = [amount for amount in (low, high) if amount is not None]
    if period != "year" or not amounts or max(amounts) >= _THOUSANDS_BELOW:
        return low, high
    return (None if low is None else low * 1000, None if high is None else high * 1000)
