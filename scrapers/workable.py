"""Workable accounts (the public widget API): the whole account in one response."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from jobping import Item, Job, ScrapeContext, Scraper, Target, TargetShape


class Workable(Scraper):
    """``GET /api/v1/widget/accounts/{account}?details=true``; a target is an account name.

    The account's ``name`` is the company; ``telecommuting`` is the remote flag. A job in
    several places comes once per place (same ``shortcode``): they become one job whose
    location lists every place and whose city and country are the first's. Places marked
    ``hidden`` (not shown on the job's page) are left out; without ``locations`` the job's
    own ``city``/``state``/``country`` are its place. No salary is published.
    """

    name = "workable"
    source = "workable"
    base_url = "https://apply.workable.com/api/v1/widget/accounts"
    domains = ("apply.workable.com",)
    target_shape = TargetShape.SLUG
    tier = "primary"

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Yield every published job of the account, one per ``shortcode``."""
        params = {"details": "true", **target.params}
        page = Item.of(await ctx.get_json(f"/{quote(target.value, safe='')}", params=params))
        company, items = page.text("name") or target.value, page.req_array("jobs")
        build = functools.partial(self._job, company=company)
        for job in ctx.jobs(_merge_places(items), build, id_key="shortcode"):
            yield job

    def _job(self, item: Item, *, company: str) -> Job:
        places = _shown_places(item)
        first = places[0] if places else Item({})
        job = self.job(
            source_id=item.ident("shortcode"),
            title=item.text("title"),
            company=company,
            url=item.text("url") or item.text("shortlink"),
            location="; ".join(dict.fromkeys(map(_words, places))) or None,
            country=first.text("countryCode") or first.text("country"),
            remote=item.flag("telecommuting"),
            description=item.text("description"),
            posted=item.text("published_on") or item.text("created_at"),
            categories=(item.text("department"), item.text("function")),
            employment=item.text("employment_type"),
        )
        return replace(job, city=first.text("city"))  # not a region the location text names


def _merge_places(items: list[Any]) -> list[Any]:
    """One item per ``shortcode``, with the ``locations`` of its repeats appended."""
    merged: dict[str, dict[str, Any]] = {}
    out: list[Any] = []
    for raw in items:
        code = raw.get("shortcode") if isinstance(raw, dict) else None
        if not isinstance(code, str) or not isinstance(raw.get("locations"), list):
            out.append(raw)
        elif code in merged:
            merged[code]["locations"] += raw["locations"]
        else:
            merged[code] = {**raw, "locations": list(raw["locations"])}
            out.append(merged[code])
    return out


def _shown_places(item: Item) -> list[Item]:
    """The job's places that its page shows (the job itself when it has no ``locations``)."""
    if item.get("locations") is None:
        return [
            Item(
                {
                    "city": item.get("city"),
                    "region": item.get("state"),
                    "country": item.get("country"),
                }
            )
        ]
    return [place for place in item.objects("locations") if not place.flag("hidden")]


def _words(place: Item) -> str:
    """``City, Region, Country`` of one place, blank parts left out."""
    return ", ".join(filter(None, (place.text(key) for key in ("city", "region", "country"))))
