"""Hacker News "Ask HN: Who is hiring?" threads, read through the Algolia HN Search API.

Postings are free text: a top-level comment is a posting when its first line has the
common ``Company | Role | Location | REMOTE | Full-time | $150k | https://...`` shape or a
variant (``_hackernews_line`` says how each part is read). Replies and comments without
such a line are not postings.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

from jobping import Item, ItemError, Job, ScrapeContext, Scraper, Target, TargetShape
from jobping.normalize import parse_date, split_location
from scrapers._hackernews_line import first_line

_THREAD_TITLE = "Ask HN: Who is hiring?"


class HackerNews(Scraper):
    """``GET /search_by_date?tags=comment,story_{id}``; a target is a thread's story id.

    ``latest`` (the default) is the newest thread ``whoishiring`` posted whose title starts
    "Ask HN: Who is hiring?", looked up first. Pages go back in time with
    ``numericFilters=created_at_i<=T`` (Algolia serves at most 1,000 hits per query, fewer
    than a busy thread's comments), until a page is short. ``job_url`` is the comment on
    Hacker News (the posting itself); a URL the first line states is the
    ``company_profile_url``.

    Measured on the recorded payloads (10 comments: 9 top-level, 1 reply): 8 of the 9
    top-level comments are postings (the 9th states its company alone on its first line).
    Of the 8: company 8, role 8, work mode (remote, hybrid, onsite) 8, location text 8 (a
    city or country in 2; the others name a remote region only), salary 4, URL 2.
    """

    name = "hackernews"
    source = "hackernews"
    base_url = "https://hn.algolia.com/api/v1"
    domains = ("hn.algolia.com",)
    tier = "primary"  # keyless, no quota: like Remotive, Arbeitnow, The Muse
    page_size = 1000  # Algolia's maximum hitsPerPage
    default_targets = ("latest",)
    target_shape = TargetShape(r"latest|[0-9]{1,12}", "'latest' or a story id (digits)")

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Page back in time through the thread's comments; yield its postings."""
        story = await _latest_story(ctx) if target.value == "latest" else target.value
        if not story.isdigit():
            raise ItemError(f"a hackernews target is a story id or 'latest', got {story!r}")
        params: dict[str, str | int] = {
            **target.params,
            "tags": f"comment,story_{story}",
            "hitsPerPage": self.page_size,
        }
        seen: set[str] = set()
        for _page in ctx.pages():
            hits = Item.of(await ctx.get_json("/search_by_date", params=params)).req_array("hits")
            fresh = [hit for hit in hits if _new(hit, seen)]
            postings = [hit for hit in fresh if _top_level(hit, story)]
            for job in ctx.jobs(postings, self._job, id_key="objectID"):
                yield job
            oldest = _oldest(fresh)
            if len(hits) < self.page_size or oldest is None:
                return
            params = {**params, "numericFilters": f"created_at_i<={oldest}"}

    def _job(self, item: Item) -> Job:
        comment_id = item.ident("objectID")
        text = item.text("comment_text")
        if text is None:
            raise ItemError("no comment text (deleted)")
        line = first_line(text)
        low, high, currency, period = line.pay()
        place = split_location("; ".join(line.places))
        job = self.job(
            source_id=comment_id,
            title=" / ".join(line.roles or line.others[:1]),
            company=line.company,
            url=f"https://news.ycombinator.com/item?id={comment_id}",
            location="; ".join(line.places + line.modes) or None,
            remote=line.remote,
            hybrid=line.hybrid,
            description=text,
            posted=item.text("created_at"),
            salary_min=low,
            salary_max=high,
            salary_currency=currency,
            salary_period=period,
            employment=line.terms,
        )
        return replace(job, city=place.city, country=place.country, company_profile_url=line.url)


async def _latest_story(ctx: ScrapeContext) -> str:
    """The id of the newest "Ask HN: Who is hiring?" story of ``whoishiring``."""
    params: dict[str, str | int] = {"tags": "story,author_whoishiring", "hitsPerPage": 20}
    page = Item.of(await ctx.get_json("/search_by_date", params=params))
    for hit in page.objects("hits"):
        if (hit.text("title") or "").startswith(_THREAD_TITLE):
            return hit.ident("objectID")
    raise ItemError(f"no {_THREAD_TITLE!r} story among whoishiring's latest")


def _top_level(hit: Any, story: str) -> bool:
    """Whether ``hit`` answers the story itself (a non-object is kept, to be skipped)."""
    return not isinstance(hit, dict) or str(hit.get("parent_id")) == story


def _new(hit: Any, seen: set[str]) -> bool:
    """Whether ``hit`` was not met on an earlier page (pages overlap by one second)."""
    key = str(hit.get("objectID")) if isinstance(hit, dict) else repr(hit)
    if key in seen:
        return False
    seen.add(key)
    return True


def _oldest(hits: list[Any]) -> int | None:
    """The oldest ``created_at_i`` (else ``created_at``) of ``hits``, in epoch seconds."""
    stamps = [stamp for hit in hits if isinstance(hit, dict) and (stamp := _stamp(hit))]
    return min(stamps) if stamps else None


def _stamp(hit: dict[str, Any]) -> int | None:
    """A hit's time in epoch seconds."""
    if isinstance(stamp := hit.get("created_at_i"), int):
        return stamp
    moment = parse_date(hit["created_at"]) if isinstance(hit.get("created_at"), str) else None
    return int(moment.timestamp()) if moment else None
