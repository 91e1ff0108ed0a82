"""Pinpoint career sites: every posting in one JSON response, no pagination."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import quote

from jobping import Item, Job, ScrapeContext, Scraper, Target, TargetShape

_WORKPLACE = {"remote": (True, False), "hybrid": (False, True), "onsite": (False, False)}
_SECTIONS = ("description", "key_responsibilities", "skills_knowledge_expertise", "benefits")


class Pinpoint(Scraper):
    """``GET https://{company}.pinpointhq.com/postings.json``; a target is the subdomain.

    The payload names no company (the subdomain stands for it) and no publication date.
    Its salary counts only when ``compensation_visible`` is true; the description joins
    the four HTML sections under their headers; the location is the place's display name
    ("United Kingdom", "Remote") with its ``city`` beside. A base-URL override may place
    ``{company}`` anywhere.
    """

    name = "pinpoint"
    source = "pinpoint"
    base_url = "https://{company}.pinpointhq.com"
    domains = ("pinpointhq.com",)
    default_targets = ("workwithus",)
    target_shape = TargetShape.SUBDOMAIN

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Yield every posting of ``data``."""
        root = ctx.base_url.replace("{company}", quote(target.value, safe=""))
        page = Item.of(await ctx.get_json(f"{root}/postings.json", params=target.params))
        for job in ctx.jobs(page.req_array("data"), lambda item: self._job(item, target.value)):
            yield job

    def _job(self, item: Item, company: str) -> Job:
        location = item.obj("location")
        workplace = (item.text("workplace_type") or "").replace("_", "").replace("-", "")
        remote, hybrid = _WORKPLACE.get(workplace, (None, None))
        pay = item if item.flag("compensation_visible") else Item({})
        sections = [
            f"<h3>{item.text(f'{key}_header') or ''}</h3>{item.text(key) or ''}"
            for key in _SECTIONS
            if item.text(key)
        ]
        return self.job(
            source_id=item.ident("id"),
            title=item.text("title"),
            company=company,
            url=item.text("url"),
            location=location.text("name"),
            city=location.text("city"),
            remote=remote,
            hybrid=hybrid,
            description="".join(sections),
            salary_min=pay.number("compensation_minimum"),
            salary_max=pay.number("compensation_maximum"),
            salary_currency=pay.text("compensation_currency"),
            salary_period=pay.text("compensation_frequency"),
            categories=(item.obj("job").obj("department").text("name"),),
            employment=item.text("employment_type"),
        )
