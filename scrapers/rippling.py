"""Rippling ATS job boards (API v2): pages of items, one item per job and location."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

from jobping import Item, Job, ScrapeContext, Scraper, Target, TargetShape

_WORKPLACES = (("REMOTE", (True, False)), ("HYBRID", (False, True)), ("ON_SITE", (False, False)))


class Rippling(Scraper):
    """``GET /api/v2/board/{board}/jobs?page=N&pageSize=M``; a target is a board slug.

    The API lists a job once per location, under the same id: consecutive items of one id
    become one job with all their locations (a later repeat of an id is dropped), the
    first giving the city; the country is set when all places share it. A job is remote
    if one of its places is, else hybrid if one is. Skipped items are numbered after
    merging. The payload names no company
    (the slug stands for it), no date and no description.
    """

    name = "rippling"
    source = "rippling"
    base_url = "https://ats.rippling.com/api/v2/board"
    domains = ("ats.rippling.com",)
    page_size = 50
    default_targets = ("rippling",)
    target_shape = TargetShape.SLUG

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Page from 0 until ``totalPages`` (or an empty page)."""
        path = f"/{quote(target.value, safe='')}/jobs"
        merger = _Merger()
        build = functools.partial(self._job, board=target.value)
        for number in ctx.pages(start=0):
            params: dict[str, str | int] = {
                **target.params,
                "page": number,
                "pageSize": self.page_size,
            }
            page = Item.of(await ctx.get_json(path, params=params))
            items = page.req_array("items")
            done = [group for raw in items for group in merger.add(raw)]
            for job in ctx.jobs(done, build, id_key="id"):
                yield job
            if not items or number + 1 >= (page.integer("totalPages") or 0):
                break
        for job in ctx.jobs(merger.flush(), build, id_key="id"):
            yield job

    def _job(self, item: Item, board: str) -> Job:
        places = item.objects("locations")
        kinds = {place.text("workplaceType") for place in places}
        remote, hybrid = next((flags for kind, flags in _WORKPLACES if kind in kinds), (None, None))
        first = places[0] if places else Item({})
        countries = {place.text("countryCode") for place in places}
        return self.job(
            source_id=item.ident("id"),
            title=item.text("name"),
            company=board,
            url=item.text("url"),
            location="; ".join(dict.fromkeys(item.texts("locations", "name"))) or None,
            city=first.text("city"),
            country=countries.pop() if len(countries) == 1 else None,
            remote=remote,
            hybrid=hybrid,
            categories=(item.obj("department").text("name"),),
        )


class _Merger:
    """Merges consecutive items of one id into one item holding all their locations."""

    def __init__(self) -> None:
        self._current: dict[str, Any] | None = None
        self._seen: set[str] = set()

    def add(self, raw: Any) -> list[Any]:
        """Take the next item; return the items now complete."""
        key = raw.get("id") if isinstance(raw, dict) else None
        if self._current is not None and key is not None and key == self._current.get("id"):
            self._current["locations"] = _list(self._current, "locations") + _list(raw, "locations")
            return []
        done = self.flush()
        if not isinstance(key, str):
            return [*done, raw]  # no usable id: ``ctx.jobs`` skips it with its reason
        if key not in self._seen:
            self._seen.add(key)
            self._current = dict(raw)
        return done

    def flush(self) -> list[Any]:
        """The item in progress, if any."""
        current, self._current = self._current, None
        return [current] if current is not None else []


def _list(item: dict[str, Any], key: str) -> list[Any]:
    value = item.get(key)
    return value if isinstance(value, list) else []
