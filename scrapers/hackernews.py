"""Hacker News "Ask HN: Who is hiring?" threads, read through the Algolia HN Search API.

Postings are free text. A top-level comment is a posting when its first line (up to the
first ``<p>`` or line break) is split by ``|`` into at least two parts, the common
``Company | Role | Location | REMOTE | Full-time | $150k | https://...`` and its variants:
the first part is the company; each other part is read as a URL, a salary (read by
``parse_salary``), a work mode (remote, hybrid, onsite), an employment type, a place (one
``split_location`` finds a city or country in), or else a role. Roles are the parts
naming a job (engineer, designer, ...), else the first unread part; several are joined
with `` / ``. Replies and comments without such a line are not postings.

Measured on the recorded payloads (10 comments: 9 top-level, 1 reply): 8 of the 9
top-level comments are postings (the 9th states its company alone on its first line).
Of the 8: company 8, role 8, work mode (remote, hybrid, onsite) 8, location text 8 (a
city or country in 2; the others name a remote region only), salary 4, URL 2.
``job_url`` is the comment on Hacker News (the posting
itself); the URL the first line states is the ``company_profile_url``.
"""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from typing import Any

from jobping import Item, ItemError, Job, ScrapeContext, Scraper, Target
from jobping.normalize import parse_date, parse_salary, salary_problem, split_location

_FIRST_LINE = re.compile(r"<p>|\n", re.IGNORECASE)
_LINK = re.compile(r"<a\s[^>]*href=\"([^\"]+)\"[^>]*>.*?</a>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_URL = re.compile(r"\bhttps?://\S+|\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/\S*", re.IGNORECASE)
_REMOTE = re.compile(r"\bremote(?:ly)?\b|\bwfh\b|\banywhere\b", re.IGNORECASE)
_HYBRID = re.compile(r"\bhybrid\b", re.IGNORECASE)
_ONSITE = re.compile(r"\bon-?\s?site\b|\bin[- ]office\b|\bin[- ]person\b", re.IGNORECASE)
_EMPLOYMENT = re.compile(
    r"\b(?:full|part)[- ]?time\b|\bcontract(?:or)?\b|\bpermanent\b|\bintern(?:ship)?s?\b"
    r"|\bfreelance\b|\btemporary\b|\bvisa\b|\bequity\b|\brequired\b",
    re.IGNORECASE,
)
_ROLE = re.compile(
    r"engineer|developer|designer|scientist|specialist|advocate|analyst|manager|architect"
    r"|\blead\b|\bhead\b|director|\bsre\b|\bswe\b|devops|researcher|recruiter|consultant"
    r"|administrator|writer|officer|\bvp\b|\bcto\b|founding|programmer|technician|support"
    r"|marketer|\bsales\b|account executive|product|operations|coordinator|associate",
    re.IGNORECASE,
)
_SALARY_HINT = re.compile(r"[$€£¥₹]\s?\d|\d\s?[kK]\b|\b(?:USD|EUR|GBP|CAD|CHF)\b")


@dataclass(slots=True)
class _FirstLine:
    """What a posting's first line states."""

    company: str
    roles: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    modes: list[str] = field(default_factory=list)
    salary: str | None = None
    url: str | None = None


class HackerNews(Scraper):
    """``GET /search_by_date?tags=comment,story_{id}``; a target is a thread's story id.

    Pages go back in time with ``numericFilters=created_at_i<=T`` (Algolia serves at most
    1,000 hits per query, fewer than a thread's comments), until a page is short. Each
    month has a new thread: set its id as the target (``49522897`` is September 2026).
    """

    name = "hackernews"
    source = "hackernews"
    base_url = "https://hn.algolia.com/api/v1"
    domains = ("hn.algolia.com",)
    page_size = 1000  # Algolia's maximum hitsPerPage

    async def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Page back in time through the thread's comments; yield its postings."""
        story = target.value
        if not story.isdigit():
            raise ItemError(f"a hackernews target is a story id (digits), got {story!r}")
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
        line = _first_line(text)
        low, high, currency, period = _salary(line.salary)
        place = split_location("; ".join(line.places))
        job = self.job(
            source_id=comment_id,
            title=" / ".join(line.roles or line.others[:1]),
            company=line.company,
            url=f"https://news.ycombinator.com/item?id={comment_id}",
            location="; ".join(line.places + line.modes) or None,
            remote=_mode(line.modes, _REMOTE),
            hybrid=_mode(line.modes, _HYBRID),
            description=text,
            posted=item.text("created_at"),
            salary_min=low,
            salary_max=high,
            salary_currency=currency,
            salary_period=period,
        )
        return replace(job, city=place.city, country=place.country, company_profile_url=line.url)


def _first_line(comment: str) -> _FirstLine:
    """Read the ``|``-separated first line of a comment, or raise ``ItemError``."""
    raw = _FIRST_LINE.split(comment, maxsplit=1)[0]
    links = _LINK.findall(raw)
    text = html.unescape(_TAG.sub(" ", _LINK.sub(" ", raw)))
    parts = [" ".join(part.split()) for part in text.split("|")]
    parts = [part for part in parts if part]
    if len(parts) < 2 and not links:
        raise ItemError(f"not a posting (no 'Company | Role' first line): {text[:60]!r}")
    line = _FirstLine(company=parts[0], url=html.unescape(links[0]) if links else None)
    for part in parts[1:]:
        _read_part(line, part)
    if not (line.roles or line.others):
        raise ItemError(f"not a posting (no role on the first line): {text[:60]!r}")
    return line


def _read_part(line: _FirstLine, part: str) -> None:
    """File one ``|`` part of the first line under what it states."""
    if _URL.fullmatch(part) or _URL.match(part):
        line.url = line.url or part
    elif _SALARY_HINT.search(part) and parse_salary(part) and line.salary is None:
        line.salary = part
    elif _REMOTE.search(part) or _HYBRID.search(part) or _ONSITE.search(part):
        line.modes.append(part)
    elif _ROLE.search(part):
        line.roles.append(part)
    elif _EMPLOYMENT.search(part):
        return
    elif (found := split_location(part)).city or found.country:
        line.places.append(part)
    else:
        line.others.append(part)


def _mode(modes: list[str], word: re.Pattern[str]) -> bool | None:
    """True when a work-mode part says ``word``; False when modes are stated but not it."""
    if not modes:
        return None
    return any(word.search(mode) for mode in modes)


def _salary(text: str | None) -> tuple[float | None, float | None, str | None, str | None]:
    """The salary a first-line part states, when it is a believable one."""
    salary = parse_salary(text)
    if salary is None or salary_problem(salary.min, salary.max, salary.period):
        return None, None, None, None
    return salary.min, salary.max, salary.currency, salary.period


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
