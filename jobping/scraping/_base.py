"""The scraper SDK: the class a scraper author implements and the context it runs in.

A scraper turns API pages into ``Job`` objects and does nothing else: the client it gets
through its context does the retries, quotas and breakers; the orchestrator does the
database. One ``ScrapeContext`` serves one target of one scraper.
"""

from __future__ import annotations

import abc
import re
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol, runtime_checkable
from urllib.parse import parse_qsl, urlsplit

from pydantic import SecretStr

from jobping.errors import HTTPStatusError, MissingCredential, PayloadError, ScrapeError
from jobping.models import Job, WorkEnvironment
from jobping.normalize import (
    Location,
    canonical_url,
    clean_text,
    clean_title,
    country_code,
    employment_type,
    html_to_text,
    job_hash,
    parse_date,
    split_location,
)
from jobping.redact import preview, redact_url
from jobping.scraping._item import Item, ItemError
from jobping.scraping._revalidation import Revalidation
from jobping.scraping._shapes import TargetShape
from jobping.settings import ScraperConfig, Settings

if TYPE_CHECKING:
    from jobping.http._conditional import BodyAs

__all__ = [
    "JsonClient",
    "RawJsonClient",
    "ScrapeContext",
    "Scraper",
    "ScraperTier",
    "SkippedItem",
    "Target",
]

ScraperTier = Literal["primary", "individual"]
_GONE = (404, 410)
_UNSAFE_PATH = re.compile(r"/(?:\.|%2e){1,2}(?=/|$)|//", re.IGNORECASE)
_PERIODS = (
    ("hour", "hour"),
    ("day", "day"),
    ("daily", "day"),
    ("week", "week"),
    ("month", "month"),
    ("year", "year"),
    ("annual", "year"),
)


class JsonClient(Protocol):
    """What a scraper needs from the HTTP client (``ScrapeClient`` is one).

    A JSON GET, a JSON POST (a search API that reads through a POST) and a text GET (XML
    feeds). Each raises the ``ScrapeError`` and ``SkipError`` families of ``jobping.errors``.
    """

    async def get_json(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """GET ``url`` and return its decoded JSON body."""
        ...

    async def post_json(
        self,
        url: str,
        *,
        json: Any,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """POST ``json`` to ``url`` and return the decoded JSON answer."""
        ...

    async def get_text(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> str:
        """GET ``url`` and return its body as text."""
        ...


@runtime_checkable
class RawJsonClient(Protocol):
    """A client that can leave a JSON body undecoded (``ScrapeClient.get_json_body``)."""

    async def get_json_body(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """GET ``url``: its body checked as JSON but undecoded (a ``JsonBody``), or decoded."""
        ...


async def fetch_json_body(
    client: JsonClient,
    url: str,
    *,
    params: Mapping[str, str | int] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Any:
    """GET ``url`` through ``client``: its JSON body, undecoded when the client can.

    A ``RawJsonClient`` leaves it undecoded (a ``JsonBody``); any other client decodes it
    as ``get_json`` does.
    """
    if isinstance(client, RawJsonClient):
        return await client.get_json_body(url, params=params, headers=headers)
    return await client.get_json(url, params=params, headers=headers)


@dataclass(frozen=True, slots=True)
class Target:
    """One thing a scraper scrapes, written ``value?option=x&other=y``.

    ``value`` is what the scraper understands (a board token ``stripe``, a country ``gb``,
    a query ``python developer``); the options after ``?`` are extra query parameters it
    passes to the API (``gb?what=python&where=london`` for Adzuna).
    """

    text: str

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise ValueError("a target must not be empty")

    @property
    def value(self) -> str:
        """The part before ``?``, stripped."""
        return self.text.partition("?")[0].strip()

    @property
    def params(self) -> dict[str, str]:
        """The options after ``?`` as query parameters."""
        return dict(parse_qsl(self.text.partition("?")[2], keep_blank_values=True))

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class SkippedItem:
    """An item of a page that was skipped: its id (or ``#index``) and why."""

    item: str
    reason: str


class ScrapeContext:
    """What one target of one scraper runs with: the client, the base URL, its secrets.

    It also keeps what the run reports: the items skipped with their reasons, the number
    of requests, whether the page cap stopped the pagination, and the invalid UTF-8 bytes
    replaced in pages a parse worker decoded. ``now`` is the run's
    clock (aware UTC), for sources that date their jobs relative to today. With a
    ``revalidation``, the first request (a GET) is a conditional one (see ``Revalidation``).
    """

    def __init__(
        self,
        *,
        scraper: str,
        client: JsonClient,
        base_url: str,
        secrets: Mapping[str, str] | None = None,
        max_pages: int = 20,
        now: Callable[[], datetime] | None = None,
        revalidation: Revalidation | None = None,
    ) -> None:
        self.scraper = scraper
        self.client = client
        self.base_url = base_url.rstrip("/")
        self._secrets = dict(secrets or {})
        self.max_pages = max_pages
        self.skipped: list[SkippedItem] = []
        self.requests = 0
        self.page_cap_reached = False
        self.replaced_bytes = 0
        """Invalid UTF-8 bytes replaced in pages decoded away from the client (a parse worker's;
        the client counts the others in its request events)."""
        self._now = now or _utcnow
        self._revalidation = revalidation

    @classmethod
    def for_scraper(
        cls,
        scraper: Scraper,
        client: JsonClient,
        settings: Settings,
        *,
        revalidation: Revalidation | None = None,
    ) -> ScrapeContext:
        """Build the context of ``scraper`` from the settings (``revalidation``: see above).

        Raises:
            MissingCredential: a setting the scraper needs is not set.
        """
        if missing := scraper.missing_credentials(settings):
            raise MissingCredential(missing[0])
        names = (*scraper.credentials, *scraper.optional_credentials)
        secrets = {name: value for name in names if (value := _secret(settings, name))}
        return cls(
            scraper=scraper.name,
            client=client,
            base_url=scraper.config(settings).base_url or scraper.base_url,
            secrets=secrets,
            max_pages=scraper.max_pages,
            revalidation=revalidation,
        )

    def on_client(self, client: JsonClient) -> ScrapeContext:
        """A fresh context of the same scraper, base URL, secrets and page cap on ``client``.

        The orchestrator's parse workers run a scraper on one whose requests go back to
        the run's own client.
        """
        return ScrapeContext(
            scraper=self.scraper,
            client=client,
            base_url=self.base_url,
            secrets=self._secrets,
            max_pages=self.max_pages,
            now=self._now,
        )

    def __repr__(self) -> str:
        return (
            f"<ScrapeContext {self.scraper} {self.base_url} requests={self.requests} "
            f"skipped={len(self.skipped)}>"
        )

    def url(self, path: str) -> str:
        """``path`` under the base URL (an absolute URL is returned as it is).

        Raises:
            ScrapeError: the path has an empty, ``.`` or ``..`` segment (an empty or hostile
                target slipped in): it would reach another resource than the one meant.
        """
        absolute = path.startswith(("http://", "https://"))
        if _UNSAFE_PATH.search(urlsplit(path).path if absolute else path.partition("?")[0]):
            raise ScrapeError(
                f"{self.scraper}: refusing a path with an empty, '.' or '..' segment",
                url=redact_url(path),
            )
        return path if absolute else f"{self.base_url}/{path.lstrip('/')}"

    async def get_json(
        self,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """GET ``path`` under the base URL through the client; counts the request."""
        return await self._get_json(path, params, headers, raw=False)

    async def get_json_body(
        self,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """``get_json``, the body left undecoded (a ``JsonBody``) when the client can.

        Not for scrapers: the run's process fetches a parse worker's pages so, and the
        worker decodes them.
        """
        return await self._get_json(path, params, headers, raw=True)

    async def _get_json(
        self,
        path: str,
        params: Mapping[str, str | int] | None,
        headers: Mapping[str, str] | None,
        *,
        raw: bool,
    ) -> Any:
        self.requests += 1
        url = self.url(path)
        if self._revalidation is not None and self.requests == 1:
            body_as: BodyAs = "raw" if raw else "json"
            return await self._revalidation.fetch(url, params, headers, body_as=body_as)
        if raw:
            return await fetch_json_body(self.client, url, params=params, headers=headers)
        return await self.client.get_json(url, params=params, headers=headers)

    async def post_json(
        self,
        path: str,
        body: Any,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """POST the JSON ``body`` to ``path`` under the base URL; counts the request.

        For APIs that search through a POST that only reads (Workday): the client retries
        it like a GET.
        """
        self.requests += 1
        url = self.url(path)
        return await self.client.post_json(url, json=body, params=params, headers=headers)

    async def get_text(
        self,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> str:
        """GET ``path`` under the base URL as decoded text (XML, RSS); counts the request."""
        self.requests += 1
        if self._revalidation is not None and self.requests == 1:
            text: str = await self._revalidation.fetch(
                self.url(path), params, headers, body_as="text"
            )
            return text
        return await self.client.get_text(self.url(path), params=params, headers=headers)

    def now(self) -> datetime:
        """The run's current time (aware UTC)."""
        return self._now()

    def secret(self, name: str) -> str:
        """The value of the credential setting ``name`` (``reed_api_key``).

        Raises:
            MissingCredential: it is not set.
        """
        if value := self._secrets.get(name):
            return value
        raise MissingCredential(name.upper())

    def optional_secret(self, name: str) -> str | None:
        """The value of an optional credential setting, or None when it is not set."""
        return self._secrets.get(name)

    def pages(self, start: int = 1, step: int = 1) -> Iterator[int]:
        """Page numbers (or offsets: ``step`` = page size) up to the hard page cap.

        Loop over them and ``return`` on the source's end signal; when the loop runs out
        instead, ``page_cap_reached`` is set.
        """
        yield from range(start, start + self.max_pages * step, step)
        self.page_cap_reached = True

    def skip(self, item: str, reason: str) -> None:
        """Record that ``item`` was skipped and why."""
        self.skipped.append(SkippedItem(item, reason))

    def jobs(
        self,
        array: Iterable[Any],
        build: Callable[[Item], Job],
        *,
        id_key: str | None = None,
    ) -> Iterator[Job]:
        """Build a job from each object of ``array``; a malformed one is skipped and recorded.

        ``build`` raises ``ItemError`` (or ``ValueError``) for an item it cannot use;
        ``id_key`` names the item's id, to say which item was skipped.
        """
        for index, raw in enumerate(array):
            label = _label(raw, id_key, index)
            if not isinstance(raw, dict):
                self.skip(label, f"not a JSON object ({type(raw).__name__})")
                continue
            try:
                yield build(Item(raw))
            except ValueError as exc:  # ItemError, or a value Job or a helper refused
                self.skip(label, str(exc))

    async def detailed_jobs(
        self,
        array: Iterable[Any],
        detail_path: Callable[[Item], str],
        build: Callable[[Item, Item], Job],
        *,
        id_key: str | None = None,
    ) -> AsyncGenerator[Job, None]:
        """Like ``jobs``, with a GET of each item's detail: ``build(item, detail)``.

        For sources whose listing lacks the description or the date. The jobs come one at
        a time, so a consumer that stops (``--limit``) stops the detail requests too. An
        item whose detail is gone since the listing (HTTP 404 or 410) or is malformed is
        skipped and recorded; any other error of a detail request fails the target.
        """
        for index, raw in enumerate(array):
            label = _label(raw, id_key, index)
            if not isinstance(raw, dict):
                self.skip(label, f"not a JSON object ({type(raw).__name__})")
                continue
            item = Item(raw)
            try:
                job = build(item, Item.of(await self.get_json(detail_path(item))))
            except HTTPStatusError as exc:
                if exc.status not in _GONE:
                    raise
                self.skip(label, f"detail gone since the listing (HTTP {exc.status})")
                continue
            except ValueError as exc:  # ItemError, or a value Job or a helper refused
                self.skip(label, str(exc))
                continue
            yield job


class Scraper(abc.ABC):
    """Base of every scraper: say what it calls and needs, and page through one target.

    Subclasses set the class attributes and implement ``iter_jobs``; they import only
    ``jobping``, ``jobping.normalize`` and ``jobping.testing``, and do no retries, sleeps
    or database work.
    """

    name: ClassVar[str]
    """Unique name: the CLI argument and the key of ``[scrapers.<name>]`` in the config."""
    source: ClassVar[str]
    """The ``Job.source`` of its jobs."""
    base_url: ClassVar[str]
    """The API's base URL; ``ScraperConfig.base_url`` replaces it (a sandbox)."""
    domains: ClassVar[tuple[str, ...]]
    """The domains it calls (a domain covers its subdomains)."""
    credentials: ClassVar[tuple[str, ...]] = ()
    """Settings it cannot run without (``"reed_api_key"``)."""
    optional_credentials: ClassVar[tuple[str, ...]] = ()
    """Settings it uses when they are set."""
    default_targets: ClassVar[tuple[str, ...]] = ()
    """Targets when the config names none."""
    target_shape: ClassVar[TargetShape] = TargetShape.SLUG_PATH
    """What a target's value looks like; another is a config error before any request.

    The default fits board tokens (and ``a/b/c`` paths of them); a search API sets
    ``TargetShape.FREE_TEXT`` and sends the value as a query parameter.
    """
    tier: ClassVar[ScraperTier] = "individual"
    """Its tier when the config does not say."""
    max_pages: ClassVar[int] = 20
    """Hard cap of pages per target."""
    page_size: ClassVar[int] = 100
    """Items it asks for per page, where the source pages by size."""

    @abc.abstractmethod
    def iter_jobs(self, ctx: ScrapeContext, target: Target) -> AsyncIterator[Job]:
        """Page through ``target`` and yield its jobs (implemented as ``async def``).

        Raise ``ItemError`` (or let a reader raise it) when a page is not the expected
        shape; build each job with ``ctx.jobs(..., self.job)`` readers.
        """

    async def scrape(self, ctx: ScrapeContext, target: Target) -> AsyncGenerator[Job, None]:
        """Run ``iter_jobs``: what the orchestrator calls (``aclose()`` it to stop early).

        Raises:
            PayloadError: a page is not the expected shape (this target fails).
        """
        jobs = self.iter_jobs(ctx, target)
        try:
            async for job in jobs:
                yield job
        except ItemError as exc:
            raise PayloadError(f"{self.name}: unexpected page: {exc}") from None
        finally:
            if isinstance(jobs, AsyncGenerator):  # close it now, not when collected
                await jobs.aclose()

    def config(self, settings: Settings) -> ScraperConfig:
        """Its ``[scrapers.<name>]`` section (the defaults when there is none)."""
        return settings.scrapers.get(self.name) or ScraperConfig()

    def configured_targets(self, settings: Settings) -> list[Target]:
        """The targets of the config, else the default targets."""
        texts = self.config(settings).targets or list(self.default_targets)
        return [Target(text) for text in texts if text.strip()]

    def configured_tier(self, settings: Settings) -> ScraperTier:
        """The tier of the config when it sets one, else the scraper's own."""
        config = self.config(settings)
        return config.tier if "tier" in config.model_fields_set else self.tier

    def missing_credentials(self, settings: Settings) -> list[str]:
        """The env var names of the required credentials that are not set."""
        return [name.upper() for name in self.credentials if not _secret(settings, name)]

    def job(
        self,
        *,
        source_id: str,
        title: str | None,
        company: str | None,
        url: str | None,
        location: str | None = None,
        city: str | None = None,
        country: str | None = None,
        remote: bool | None = None,
        hybrid: bool | None = None,
        description: str | None = None,
        posted: str | float | None = None,
        salary_min: float | None = None,
        salary_max: float | None = None,
        salary_currency: str | None = None,
        salary_period: str | None = None,
        categories: Iterable[str | None] = (),
        employment: str | Iterable[str | None] | None = None,
    ) -> Job:
        """Build a ``Job`` of this source with the shared normalization helpers.

        Titles lose their markup, ``description`` is HTML or text, ``location`` is free text
        (``city``, ``country`` name or code, ``remote``, ``hybrid`` override what it says),
        ``posted`` is any date ``parse_date`` reads, the URL is made canonical, and
        ``salary_period`` becomes ``hour``, ``day``, ``week``, ``month`` or ``year`` (or None),
        and ``employment`` (the source's words for the terms, or several of them, joined
        by ``, ``) is kept raw and mapped by ``employment_type``.

        Raises:
            ItemError: the title, company or an absolute http(s) URL is missing.
        """
        if not (title_text := clean_title(title)):
            raise ItemError("no title")
        if not (company_text := clean_text(company)):
            raise ItemError("no company")
        job_url = canonical_url(clean_text(url))
        if not job_url.startswith(("http://", "https://")):
            raise ItemError(f"no absolute job URL (got {preview(clean_text(url), 80)!r})")
        place = split_location(location)
        return Job(
            job_hash=job_hash(source=self.source, source_id=source_id, url=job_url),
            title=title_text,
            company=company_text,
            job_url=job_url,
            source=self.source,
            source_id=source_id,
            location=clean_text(location) or None,
            city=clean_text(city) or place.city,
            country=country_code(country) or place.country,
            description=html_to_text(description),
            work_environment=_work_environment(remote, hybrid, place),
            categories=tuple(dict.fromkeys(c for c in map(clean_text, categories) if c)),
            posted_at=parse_date(posted),
            original_posted_date=None if posted is None else str(posted),
            **_salary(salary_min, salary_max, salary_currency, salary_period),
            **_employment(employment),
        )


def _employment(words: str | Iterable[str | None] | None) -> dict[str, Any]:
    """``employment_type`` and ``employment_type_raw`` for the source's words."""
    if words is None or isinstance(words, str):  # one text: the usual case
        raw = clean_text(words) or None
    else:
        raw = ", ".join(dict.fromkeys(c for c in map(clean_text, words) if c)) or None
    return {"employment_type": employment_type(raw), "employment_type_raw": raw}


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _secret(settings: Settings, name: str) -> str | None:
    """The value of the secret setting ``name``, or None when unset or unknown."""
    value = getattr(settings, name, None)
    text = value.get_secret_value() if isinstance(value, SecretStr) else value
    return text if isinstance(text, str) and text else None


def _label(raw: Any, id_key: str | None, index: int) -> str:
    """The item's id when it has a usable one, else ``#index``."""
    value = raw.get(id_key) if id_key and isinstance(raw, dict) else None
    if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
        return str(value).strip()[:100]
    return f"#{index}"


def _salary(
    low: float | None, high: float | None, currency: str | None, period: str | None
) -> dict[str, Any]:
    """The salary fields of a job: none at all without an amount."""
    if low is None and high is None:
        return {}
    lowered = clean_text(period).lower()
    return {
        "salary_min": low,
        "salary_max": high,
        "salary_currency": clean_text(currency).upper() or None,
        "salary_period": next((name for word, name in _PERIODS if word in lowered), None),
    }


def _work_environment(remote: bool | None, hybrid: bool | None, place: Location) -> WorkEnvironment:
    """Explicit flags first, then what the location text says."""
    if hybrid or (hybrid is None and place.hybrid):
        return WorkEnvironment.HYBRID
    if remote or (remote is None and place.remote):
        return WorkEnvironment.REMOTE
    if remote is False:
        return WorkEnvironment.ON_SITE
    return WorkEnvironment.UNKNOWN
