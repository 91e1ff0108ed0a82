"""We Work Remotely: the public RSS feeds, all jobs or one category's."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from urllib.parse import quote
from xml.etree.ElementTree import Element

from jobping import Item, ItemError, Job, ScrapeContext, Scraper, Target, parse_xml

_COMPANY_ROLE = re.compile(r"^(?P<company>[^:]+?)\s*:\s*(?P<role>.+)$", re.DOTALL)
_FIELDS = (
    "title",
    "region",
    "country",
    "category",
    "type",
    "description",
    "pubDate",
    "guid",
    "link",
)


class WeWorkRemotely(Scraper):
    """``GET /remote-jobs.rss`` (target ``all``) or ``/categories/{slug}.rss`` (a category slug).

    RSS 2.0, no pagination. An item's title is ``Company: Role``; ``region`` (and
    ``country`` when set) say where candidates may be, so they are the location, while
    ``state`` is the company's headquarters and is left out. Every job is remote. The
    description is entity-escaped HTML; ``pubDate`` is RFC 822.
    """

    name = "weworkremotely"
    source = "weworkremotely"
    base_url = "https://weworkremotely.com"
    domains = ("weworkremotely.com",)
    tier = "primary"  # keyless, no quota: like Remotive, Arbeitnow, The Muse
    default_targets = ("all",)

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Yield every item of the feed (a body that is not an RSS feed fails the target)."""
        slug = quote(target.value, safe="")
        path = "/remote-jobs.rss" if target.value == "all" else f"/categories/{slug}.rss"
        root = parse_xml(await ctx.get_text(path, params=target.params))
        channel = root.find("channel")
        if root.tag != "rss" or channel is None:
            raise ItemError(f"expected an RSS feed, got <{root.tag}>")
        items = [_fields(element) for element in channel.iter("item")]
        for job in ctx.jobs(items, self._job, id_key="guid"):
            yield job

    def _job(self, item: Item) -> Job:
        match = _COMPANY_ROLE.match(item.text("title") or "")
        if match is None:
            raise ItemError("no 'Company: Role' title")
        places = [item.text("region"), item.text("country")]
        return self.job(
            source_id=item.text("guid") or item.req_text("link"),
            title=match["role"],
            company=match["company"],
            url=item.text("link") or item.text("guid"),
            location=", ".join(place for place in places if place) or None,
            remote=True,
            description=item.text("description"),
            posted=item.text("pubDate"),
            categories=(item.text("category"),),
            employment=item.text("type"),
        )


def _fields(element: Element) -> dict[str, str]:
    """The text of an item's known child elements, by tag."""
    return {tag: child.text or "" for tag in _FIELDS if (child := element.find(tag)) is not None}
