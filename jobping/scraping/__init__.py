"""The scraper SDK and scraper discovery.

A scraper author subclasses :class:`Scraper` (name, source, base URL, domains, credentials,
default targets) and implements ``async def iter_jobs(ctx, target)``, reading pages with
:class:`Item` (an XML feed, read with ``ctx.get_text``, with :func:`parse_xml`) and building
jobs with ``Scraper.job``. :func:`discover_scrapers` lists the
built-in scrapers and those of the ``jobping.scrapers`` entry-point group
(:data:`ENTRY_POINT_GROUP`). A scraper's
:class:`TargetShape` says what its targets look like; :func:`check_targets` and
:func:`check_configured_targets` refuse the others before any request. A runner may
revalidate a target's first request (:class:`Revalidation`): :class:`TargetUnchanged` then
ends the target before anything is parsed.
"""

from jobping.scraping._base import (
    JsonClient,
    ScrapeContext,
    Scraper,
    ScraperTier,
    SkippedItem,
    Target,
)
from jobping.scraping._discovery import (
    ENTRY_POINT_GROUP,
    ScraperInfo,
    check_configured_scrapers,
    discover_scrapers,
    find_scraper,
)
from jobping.scraping._item import Item, ItemError
from jobping.scraping._revalidation import ConditionalClient, Revalidation, TargetUnchanged
from jobping.scraping._shapes import TargetShape
from jobping.scraping._targets import check_configured_targets, check_targets
from jobping.scraping._xml import parse_xml

__all__ = [
    "ENTRY_POINT_GROUP",
    "ConditionalClient",
    "Item",
    "ItemError",
    "JsonClient",
    "Revalidation",
    "ScrapeContext",
    "Scraper",
    "ScraperInfo",
    "ScraperTier",
    "SkippedItem",
    "Target",
    "TargetShape",
    "TargetUnchanged",
    "check_configured_scrapers",
    "check_configured_targets",
    "check_targets",
    "discover_scrapers",
    "find_scraper",
    "parse_xml",
]
