"""Personio career sites: the whole board as one XML feed, no pagination."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote
from xml.etree.ElementTree import Element

from jobping import Item, ItemError, Job, ScrapeContext, Scraper, Target, TargetShape, parse_xml
from jobping.normalize import split_location


class Personio(Scraper):
    """``GET https://{company}.jobs.personio.de/xml``; a target is the company's subdomain.

    Options go to the feed (``acme?language=de``). The feed names no job URL: it is the
    career site's ``/job/{id}``. Its company is the position's ``subcompany`` (the hiring
    entity), else the subdomain. There is no salary and no remote flag: an office named
    "Remote" says it. A base-URL override may place ``{company}`` anywhere
    (``https://{company}.jobs.personio.com``).
    """

    name = "personio"
    source = "personio"
    base_url = "https://{company}.jobs.personio.de"
    domains = ("jobs.personio.de", "jobs.personio.com")
    default_targets = ("personio",)
    target_shape = TargetShape.SUBDOMAIN

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Yield every position of the feed."""
        root = ctx.base_url.replace("{company}", quote(target.value, safe=""))
        feed = parse_xml(await ctx.get_text(f"{root}/xml", params=target.params))
        if feed.tag != "workzag-jobs":
            raise ItemError(f"expected a <workzag-jobs> feed, got <{feed.tag}>")
        positions = [_position(element) for element in feed.iter("position")]
        for job in ctx.jobs(
            positions, lambda item: self._job(item, root, target.value), id_key="id"
        ):
            yield job

    def _job(self, item: Item, root: str, company: str) -> Job:
        source_id = item.ident("id")
        offices = [item.text("office"), *item.texts("additionalOffices")]
        sections = [
            f"<h3>{part.text('name') or ''}</h3>{part.text('value') or ''}"
            for part in item.objects("jobDescriptions")
        ]
        return self.job(
            source_id=source_id,
            title=item.text("name"),
            company=item.text("subcompany") or company,
            url=f"{root}/job/{quote(source_id, safe='')}",
            location="; ".join(office for office in offices if office) or None,
            city=split_location(item.text("office")).city,
            description="".join(sections),
            posted=item.text("createdAt"),
            categories=(item.text("department"), item.text("recruitingCategory")),
            employment=(item.text("employmentType"), item.text("schedule")),
        )


def _position(element: Element) -> dict[str, Any]:
    """A ``<position>`` as a JSON-like object: its children's text, lists for the groups."""
    fields: dict[str, Any] = {child.tag: child.text for child in element if len(child) == 0}
    fields["additionalOffices"] = [
        office.text for office in element.iterfind("additionalOffices/office")
    ]
    fields["jobDescriptions"] = [
        {"name": part.findtext("name"), "value": part.findtext("value")}
        for part in element.iterfind("jobDescriptions/jobDescription")
    ]
    return fields
