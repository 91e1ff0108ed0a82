"""Teamtailor career sites: the public JSON Feed (``jobs.json``) of a company."""

from __future__ import annotations

import functools
import re
from collections.abc import AsyncIterator

from jobping import Item, ItemError, Job, ScrapeContext, Scraper, Target

_SUBDOMAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_UNITS = {"HOUR": "hour", "DAY": "day", "WEEK": "week", "MONTH": "month", "YEAR": "year"}


class Teamtailor(Scraper):
    """``GET https://{company}.teamtailor.com/jobs.json``; a target is the company's subdomain.

    A JSON Feed 1.1 whose items carry a schema.org ``JobPosting`` (``_jobposting``): the
    hiring organization (else the feed's title) is the company, its first ``jobLocation``
    the city and country (all of them in ``location``), ``jobLocationType``
    ``TELECOMMUTE`` means remote, and ``baseSalary`` the pay. Pages follow the feed's
    ``next_url`` when it has one. A base-URL override may place ``{company}`` anywhere.
    """

    name = "teamtailor"
    source = "teamtailor"
    base_url = "https://{company}.teamtailor.com"
    domains = ("teamtailor.com",)
    tier = "primary"

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Yield every item of the feed, following ``next_url`` until a feed has none."""
        if not _SUBDOMAIN.fullmatch(target.value):
            raise ItemError(
                f"a teamtailor target is a subdomain (a-z, 0-9, -), got {target.value!r}"
            )
        url = ctx.base_url.replace("{company}", target.value) + "/jobs.json"
        params: dict[str, str] | None = target.params
        for _page in ctx.pages():
            feed = Item.of(await ctx.get_json(url, params=params))
            items = feed.req_array("items")
            for job in ctx.jobs(items, functools.partial(self._job, feed=feed), id_key="id"):
                yield job
            if not (next_url := feed.text("next_url")) or not items:
                return
            url, params = next_url, None  # the next URL carries its own query

    def _job(self, item: Item, *, feed: Item) -> Job:
        posting = item.obj("_jobposting")
        places = [place.obj("address") for place in posting.objects("jobLocation")]
        first = places[0] if places else Item({})
        low, high, period = _pay(posting.obj("baseSalary"))
        return self.job(
            source_id=item.ident("id"),
            title=item.text("title"),
            company=posting.obj("hiringOrganization").text("name") or feed.text("title"),
            url=item.text("url"),
            location="; ".join(dict.fromkeys(filter(None, map(_place, places)))) or None,
            city=first.text("addressLocality"),
            country=first.text("addressCountry"),
            remote=True if posting.text("jobLocationType") == "TELECOMMUTE" else None,
            description=item.text("content_html") or posting.text("description"),
            posted=item.text("date_published") or posting.text("datePosted"),
            salary_min=low,
            salary_max=high,
            salary_currency=posting.obj("baseSalary").text("currency"),
            salary_period=period,
            categories=(posting.text("industry"),),
            employment=_terms(posting.get("employmentType")),
        )


def _terms(value: object) -> list[str]:
    """schema.org ``employmentType``: one text (``FULL_TIME``) or a list of them."""
    values = value if isinstance(value, list) else [value]
    return [text for text in values if isinstance(text, str)]


def _place(address: Item) -> str:
    """``City, CC`` of a PostalAddress (its street and region are often filler: "Europe")."""
    return ", ".join(
        filter(None, (address.text("addressLocality"), address.text("addressCountry")))
    )


def _pay(salary: Item) -> tuple[float | None, float | None, str | None]:
    """Minimum, maximum and period of a schema.org ``MonetaryAmount`` (value: a number or range)."""
    if not isinstance(salary.get("value"), dict):
        return salary.number("value"), None, None
    amount = salary.obj("value")
    low = amount.number("minValue")
    low = amount.number("value") if low is None else low
    return low, amount.number("maxValue"), _UNITS.get((amount.text("unitText") or "").upper())
