"""Workday career sites (the CXS API): a POSTed search paged by offset, then one GET per job."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator
from contextlib import aclosing
from datetime import date, datetime, timedelta
from typing import NamedTuple
from urllib.parse import quote

from jobping import Item, Job, ScrapeContext, ScrapeError, Scraper, Target
from jobping.normalize import (
    NO_SALARY,
    Salary,
    believable_salary,
    html_to_text,
    parse_date,
    split_location,
)

_HOSTS = (".myworkdayjobs.com", ".myworkdaysite.com")
_SHORT_HOST = re.compile(r"[a-z0-9-]+\.wd\d+")  # "nvidia.wd5"
_RELATIVE = re.compile(r"posted\s+(today|yesterday|(\d+)(\+)?\s+days?\s+ago)", re.IGNORECASE)
_PAY = re.compile(r"pay range[^:\n]{0,40}:", re.IGNORECASE)  # "Base Pay Range: $1 - $2"
_DOTTED = re.compile(r"[^\s,.]+(?:\.[^\s,.]+)+")  # "USA.VA.Reston"
_WORKPLACE = {
    "remote": (True, False),
    "fullyremote": (True, False),
    "hybrid": (False, True),
    "flex": (False, True),  # Workday's own "Flex": part in the office
    "onsite": (False, False),
}


class Workday(Scraper):
    """``POST /wday/cxs/{tenant}/{site}/jobs``, then ``GET /wday/cxs/{tenant}/{site}{path}``.

    A target is ``host/tenant/site``, as in the career site's address
    ``https://nvidia.wd5.myworkdayjobs.com/NVIDIAExternalCareerSite``: ``host`` is
    ``nvidia.wd5`` (``.myworkdayjobs.com`` is added) or a whole Workday host
    (``wd1.myworkdaysite.com/fmr/FidelityCareers``). Options: ``q`` is the search text;
    any other option is a facet (``?locationCountry=bc33aa31...``, comma-separated ids).

    The listing has only relative dates ("Posted 3 Days Ago"), so each job's detail is
    fetched (in its domain's quota) for the description and the ``startDate`` of the
    posting; without a usable ``startDate`` the relative text is read against the run's
    clock, and "Posted 30+ Days Ago" becomes 30 days ago: the latest date it allows.
    ``original_posted_date`` keeps the text. There is no salary field: the first "Pay
    Range: $X - $Y" of the description is read. The company is the posting's hiring
    organization (a legal entity), else the tenant.
    """

    name = "workday"
    source = "workday"
    base_url = "https://{host}"
    domains = ("myworkdayjobs.com", "myworkdaysite.com")
    page_size = 20  # the CXS API's maximum
    max_pages = 100  # Workday counts at most 2,000 postings
    default_targets = ("nvidia.wd5/nvidia/NVIDIAExternalCareerSite",)

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Page the search until a short or empty page, or the first page's ``total``.

        Each job is yielded once its detail is read, so a consumer that stops (``--limit``)
        stops the details and the paging too.
        """
        site = _Site.parse(target.value, real_host=ctx.base_url == self.base_url)
        root = site.api_root(ctx.base_url)
        params = dict(target.params)
        search = {
            "appliedFacets": {key: value.split(",") for key, value in params.items() if key != "q"},
            "searchText": params.get("q", ""),
        }
        total = 0
        for offset in ctx.pages(start=0, step=self.page_size):
            body = {**search, "limit": self.page_size, "offset": offset}
            page = Item.of(await ctx.post_json(f"{root}/jobs", body))
            total = max(total, page.integer("total") or 0)  # later pages may say 0
            postings = page.req_array("jobPostings")
            jobs = ctx.detailed_jobs(
                postings,
                lambda item: f"{root}{quote(item.req_text('externalPath'), safe='/')}",
                lambda item, detail: self._job(item, detail, site, ctx.now()),
                id_key="externalPath",
            )
            async with aclosing(jobs):
                async for job in jobs:
                    yield job
            if len(postings) < self.page_size or offset + self.page_size >= total:
                return

    def _job(self, listed: Item, detail: Item, site: _Site, now: datetime) -> Job:
        info = detail.obj("jobPostingInfo")
        location = info.text("location") or listed.text("locationsText")
        places = [location, *info.texts("additionalLocations")]
        workplace = _key(info.text("remoteType") or listed.text("remoteType"))
        remote, hybrid = _WORKPLACE.get(workplace, (None, None))
        country = info.obj("jobRequisitionLocation").obj("country")
        relative = info.text("postedOn") or listed.text("postedOn")
        posted = _posted(info.text("startDate"), relative, now)
        salary = _pay_range(info.text("jobDescription"))
        job = self.job(
            source_id=info.ident("id"),
            title=info.text("title") or listed.text("title"),
            company=detail.obj("hiringOrganization").text("name") or site.tenant,
            url=info.text("externalUrl") or site.page_url(listed.req_text("externalPath")),
            location="; ".join(place for place in places if place) or None,
            city=split_location(_readable(location)).city,
            country=country.text("alpha2Code") or info.obj("country").text("descriptor"),
            remote=remote,
            hybrid=hybrid,
            description=info.text("jobDescription"),
            posted=posted.isoformat() if posted else None,
            salary_min=salary.min,
            salary_max=salary.max,
            salary_currency=salary.currency,
            salary_period=salary.period,
            employment=info.text("timeType"),
        )
        if posted is None or info.text("startDate") == posted.isoformat():
            return job
        return dataclasses.replace(job, original_posted_date=relative)


class _Site(NamedTuple):
    """One Workday career site: its host, tenant and site name."""

    host: str
    tenant: str
    site: str

    @classmethod
    def parse(cls, value: str, *, real_host: bool) -> _Site:
        """``host/tenant/site``, the short host completed; ``ScrapeError`` when malformed."""
        parts = [part.strip() for part in value.strip("/").split("/")]
        if len(parts) != 3 or not all(parts):
            raise ScrapeError(
                f"workday target {value!r} is not host/tenant/site "
                "(nvidia.wd5/nvidia/NVIDIAExternalCareerSite)"
            )
        host = parts[0].lower()
        if _SHORT_HOST.fullmatch(host):
            host += _HOSTS[0]
        elif real_host and not host.endswith(_HOSTS):
            raise ScrapeError(f"workday target {value!r}: {host!r} is not a Workday host")
        return cls(host, parts[1], parts[2])

    def api_root(self, base_url: str) -> str:
        """The site's CXS API root under ``base_url`` (``{host}`` filled in)."""
        root = base_url.replace("{host}", self.host)
        return f"{root}/wday/cxs/{_seg(self.tenant)}/{_seg(self.site)}"

    def page_url(self, path: str) -> str:
        """The public page of a posting (when its detail has no ``externalUrl``)."""
        prefix = f"recruiting/{_seg(self.tenant)}/" if self.host.endswith(_HOSTS[1]) else ""
        return f"https://{self.host}/{prefix}{_seg(self.site)}{quote(path, safe='/')}"


def _posted(start: str | None, relative: str | None, now: datetime) -> date | None:
    """The posting's day: ``startDate`` unless it is after today, else the relative text."""
    started = parse_date(start) if start else None
    if started is not None and started.date() <= now.date():
        return started.date()
    match = _RELATIVE.search(relative or "")
    if match is None:
        return None
    word, days = match.group(1).lower(), match.group(2)
    ago = int(days) if days else (0 if word == "today" else 1)
    return (now - timedelta(days=ago)).date()


def _pay_range(description: str | None) -> Salary:
    """The first "... Pay Range: $X - $Y" of the description (Workday has no salary field)."""
    text = html_to_text(description)
    match = _PAY.search(text)
    salary = believable_salary(text[match.end() : match.end() + 80]) if match else None
    return salary or NO_SALARY


def _readable(location: str | None) -> str | None:
    """A dotted site code (``USA.VA.Reston``) as ``Reston, VA, USA``; other text as is."""
    if location and _DOTTED.fullmatch(location):
        return ", ".join(reversed(location.split(".")))
    return location


def _key(text: str | None) -> str:
    return re.sub(r"[^a-z]", "", (text or "").lower())


def _seg(text: str) -> str:
    return quote(text, safe="")
