"""Breezy HR career sites: every published position in one JSON array, no pagination."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import quote

from jobping import Item, Job, ScrapeContext, Scraper, Target, TargetShape
from jobping.normalize import NO_SALARY, believable_salary


class Breezy(Scraper):
    """``GET https://{company}.breezy.hr/json``; a target is the company's subdomain.

    The salary is free text: its first amount or range is read, and dropped when it is a
    placeholder (the trial board's "$0.05 \u2013 $0.06 / hour").
    A position lists its places in ``locations`` (empty when it has one): all are kept in
    ``location``, the primary one gives the city, country and remote flag. The feed has no
    description (a ``description`` key is read when present). A base-URL override may
    place ``{company}`` anywhere.
    """

    name = "breezy"
    source = "breezy"
    base_url = "https://{company}.breezy.hr"
    domains = ("breezy.hr",)
    default_targets = ("breezy",)
    target_shape = TargetShape.SUBDOMAIN

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Yield every position of the array."""
        root = ctx.base_url.replace("{company}", quote(target.value, safe=""))
        positions = Item.list_of(await ctx.get_json(f"{root}/json", params=target.params))
        for job in ctx.jobs(positions, lambda item: self._job(item, target.value), id_key="id"):
            yield job

    def _job(self, item: Item, company: str) -> Job:
        primary = item.obj("location")
        names = item.texts("locations", "name") or [primary.text("name") or ""]
        salary = believable_salary(item.text("salary")) or NO_SALARY
        return self.job(
            source_id=item.ident("id"),
            title=item.text("name"),
            company=item.obj("company").text("name") or company,
            url=item.text("url"),
            location="; ".join(names) or None,
            city=primary.text("city"),
            country=primary.obj("country").text("id") or primary.obj("country").text("name"),
            remote=primary.flag("is_remote"),
            description=item.text("description"),
            posted=item.text("published_date"),
            salary_min=salary.min,
            salary_max=salary.max,
            salary_currency=salary.currency,
            salary_period=salary.period,
            categories=(item.text("department"),),
            employment=item.obj("type").text("name"),
        )
