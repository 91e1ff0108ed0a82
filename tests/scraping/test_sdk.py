"""The scraper SDK: targets, checked reads, the context, the job builder, ``scrape``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from jobping import (
    Item,
    ItemError,
    Job,
    MissingCredential,
    PayloadError,
    ScrapeContext,
    Settings,
    SkippedItem,
    Target,
    WorkEnvironment,
)
from tests.scrapers.helpers import RecordingClient
from tests.scraping.helpers import Board


def make_job(**overrides: Any) -> Job:
    """A job from ``Board.job`` with a title, company and URL unless overridden."""
    fields: dict[str, Any] = {"source_id": "1", "title": "Dev", "company": "Co"}
    fields["url"] = "https://jobs.example/1"
    return Board().job(**(fields | overrides))


def context(client: RecordingClient, max_pages: int = 20) -> ScrapeContext:
    """A context of ``Board`` over ``client``."""
    return ScrapeContext(
        scraper="board", client=client, base_url=Board.base_url, max_pages=max_pages
    )


def test_target_text_splits_into_value_and_params() -> None:
    """``gb?what=python developer&where=london`` is a value and API options."""
    target = Target(" gb ?what=python%20developer&where=london&empty=")

    assert target.value == "gb"
    assert target.params == {"what": "python developer", "where": "london", "empty": ""}
    assert str(target) == " gb ?what=python%20developer&where=london&empty="
    with pytest.raises(ValueError, match="must not be empty"):
        Target("  ")


@pytest.mark.parametrize(
    ("read", "data", "expected"),
    [
        ("text", {"k": "  a "}, "a"),
        ("text", {"k": " "}, None),
        ("text", {}, None),
        ("number", {"k": "12.5"}, 12.5),
        ("number", {"k": 3}, 3.0),
        ("number", {"k": ""}, None),
        ("integer", {"k": 4.0}, 4),
        ("flag", {"k": "1"}, True),
        ("flag", {"k": 0}, False),
        ("flag", {"k": "False"}, False),
        ("ident", {"k": 77}, "77"),
    ],
)
def test_item_reads_accept_the_spellings_sources_use(read: str, data: Any, expected: Any) -> None:
    """Strings are stripped, numbers may be strings, flags may be 0/1 or text."""
    assert getattr(Item(data), read)("k") == expected


@pytest.mark.parametrize(
    ("read", "value", "reason"),
    [
        ("text", 5, "'k' is a number, expected text"),
        ("req_text", None, "missing 'k'"),
        ("number", True, "'k' is a boolean, expected a number"),
        ("number", "1e999", "'k' is not a finite number"),
        ("number", "ten", "'k' is not a number: 'ten'"),
        ("integer", 2.5, "'k' is not a whole number"),
        ("flag", "yes", "'k' is text, expected true or false"),
        ("ident", True, "'k' is a boolean, expected text"),
        ("obj", [], "'k' is a list, expected an object"),
        ("array", {}, "'k' is an object, expected a list"),
    ],
)
def test_item_reads_name_the_key_when_the_type_is_wrong(read: str, value: Any, reason: str) -> None:
    """A wrong type raises ``ItemError`` with a reason naming the key."""
    with pytest.raises(ItemError) as caught:
        getattr(Item({"k": value}), read)("k")
    assert str(caught.value) == reason


def test_nested_reads_tolerate_absence_and_drop_odd_elements() -> None:
    """Absent objects read as empty; ``objects`` and ``texts`` keep only usable elements."""
    item = Item({"locs": [{"name": " Berlin "}, "x", {"name": 3}, {"name": "Paris"}]})

    assert item.obj("missing").text("anything") is None
    assert item.texts("locs", "name") == ["Berlin", "Paris"]
    assert len(item.objects("locs")) == 3
    with pytest.raises(ItemError, match="expected a JSON list, got an object"):
        Item.list_of({})


def test_context_from_settings_takes_the_override_and_the_secrets() -> None:
    """The config's base URL wins; secrets are readable but never in the repr."""
    settings = Settings.model_validate(
        {
            "reed_api_key": "s3cret-value",
            "scrapers": {"board": {"base_url": "http://127.0.0.1:8123/board"}},
        }
    )
    ctx = ScrapeContext.for_scraper(Board(), RecordingClient({}), settings)

    assert ctx.url("/jobs") == "http://127.0.0.1:8123/board/jobs"
    assert ctx.secret("reed_api_key") == "s3cret-value"
    assert ctx.optional_secret("themuse_api_key") is None
    assert "s3cret" not in repr(ctx)
    with pytest.raises(MissingCredential, match="THEMUSE_API_KEY is not set"):
        ctx.secret("themuse_api_key")


def test_context_is_refused_without_a_required_credential() -> None:
    """A missing required key raises ``MissingCredential`` before any request."""
    client = RecordingClient({})
    with pytest.raises(MissingCredential, match="REED_API_KEY is not set"):
        ScrapeContext.for_scraper(Board(), client, Settings())
    assert client.calls == []


def test_targets_and_tier_come_from_config_else_the_scraper() -> None:
    """Blank default targets are dropped; a configured tier wins over the scraper's."""
    board = Board()
    configured = Settings.model_validate(
        {"scrapers": {"board": {"targets": ["x"], "tier": "primary"}}}
    )

    assert [str(t) for t in board.configured_targets(Settings())] == ["alpha", "beta?lang=de"]
    assert [str(t) for t in board.configured_targets(configured)] == ["x"]
    assert (board.configured_tier(Settings()), board.configured_tier(configured)) == (
        "individual",
        "primary",
    )


@pytest.mark.anyio
async def test_pages_end_on_the_signal_or_at_the_cap() -> None:
    """``more: false`` ends after one page; ``more: true`` forever stops at the page cap."""
    done = context(RecordingClient({"jobs": [], "more": False}))
    assert [job async for job in Board().scrape(done, Target("a"))] == []
    assert (done.requests, done.page_cap_reached) == (1, False)

    endless = context(RecordingClient({"jobs": [], "more": True}), max_pages=3)
    assert [job async for job in Board().scrape(endless, Target("a"))] == []
    assert (endless.requests, endless.page_cap_reached) == (3, True)


@pytest.mark.anyio
async def test_bad_items_are_skipped_and_a_bad_page_fails() -> None:
    """Item problems become ``SkippedItem`` rows; a page problem is a ``PayloadError``."""
    page = {"jobs": [{"id": 1, "title": "A", "url": "/relative"}, {"id": 2, "url": "https://x.io"}]}
    ctx = context(RecordingClient(page))
    assert [job async for job in Board().scrape(ctx, Target("a"))] == []
    assert ctx.skipped == [
        SkippedItem("1", "no absolute job URL (got '/relative')"),
        SkippedItem("2", "no title"),
    ]

    with pytest.raises(PayloadError, match=r"^board: unexpected page: missing 'jobs'$"):
        async for _job in Board().scrape(context(RecordingClient({"items": []})), Target("a")):
            pass


@pytest.mark.anyio
async def test_stopping_early_closes_the_scraper_at_once() -> None:
    """A consumer that stops after one job (``--limit``) closes ``iter_jobs`` immediately."""
    page = {"jobs": [{"id": n, "title": "T", "url": f"https://x.io/{n}"} for n in range(3)]}
    Board.closed = False
    jobs = Board().scrape(context(RecordingClient(page | {"more": True})), Target("a"))
    async for _job in jobs:
        break
    await jobs.aclose()

    assert Board.closed


@pytest.mark.parametrize(
    ("remote", "hybrid", "location", "expected"),
    [
        (None, None, "Remote - US", WorkEnvironment.REMOTE),
        (None, None, "Hybrid - Amsterdam", WorkEnvironment.HYBRID),
        (True, True, None, WorkEnvironment.HYBRID),
        (False, None, "Remote - US", WorkEnvironment.ON_SITE),
        (False, None, None, WorkEnvironment.ON_SITE),
        (None, None, "Berlin", WorkEnvironment.UNKNOWN),
    ],
)
def test_work_environment_prefers_flags_over_the_location_text(
    remote: bool | None, hybrid: bool | None, location: str | None, expected: WorkEnvironment
) -> None:
    """Explicit remote/hybrid flags decide; otherwise the location text does."""
    job = make_job(remote=remote, hybrid=hybrid, location=location)
    assert job.work_environment is expected


def test_job_builder_normalizes_what_every_source_shares() -> None:
    """Clean title, canonical URL, country code, parsed date, salary period, unique categories."""
    job = make_job(
        title=" <strong>Senior</strong>  Dev ",
        url="https://Jobs.Example/1/?utm_source=feed&b=2",
        location="Paris",
        country="France",
        posted="27/04/2023",
        salary_min=50000,
        salary_currency="eur",
        salary_period="1 YEAR",
        categories=["Eng", None, "Eng", " Data "],
    )

    assert (job.title, job.job_url) == ("Senior Dev", "https://jobs.example/1?b=2")
    assert (job.city, job.country, job.original_posted_date) == ("Paris", "FR", "27/04/2023")
    assert job.posted_at is not None and job.posted_at.isoformat() == "2023-04-27T00:00:00+00:00"
    assert (job.salary_min, job.salary_max, job.salary_currency, job.salary_period) == (
        50000,
        None,
        "EUR",
        "year",
    )
    assert job.categories == ("Eng", "Data")
    assert job.job_hash == make_job(title="Other").job_hash  # source + id decide


def test_salary_without_an_amount_is_left_out() -> None:
    """A currency or period alone (Adzuna's country currency) sets no salary field."""
    job = make_job(salary_currency="GBP", salary_period="year")
    assert (job.salary_min, job.salary_currency, job.salary_period) == (None, None, None)


@pytest.mark.anyio
async def test_posts_and_text_gets_are_counted_under_the_base_url() -> None:
    """post_json and get_text go through the client under the base URL, each counted."""
    client = RecordingClient({"jobs": []})
    ctx = context(client)
    assert await ctx.post_json("search", {"offset": 0}) == {"jobs": []}
    assert await ctx.get_text("feed.xml", params={"language": "de"}) == '{"jobs": []}'

    assert ctx.requests == 2
    assert [call[:2] for call in client.calls] == [
        ("https://api.board.example/v1/search", {}),
        ("https://api.board.example/v1/feed.xml", {"language": "de"}),
    ]


def test_now_is_the_run_clock() -> None:
    """``ctx.now()`` is the injected clock, else the aware UTC wall time."""
    fixed = datetime(2026, 7, 26, 8, 0, tzinfo=UTC)
    injected = ScrapeContext(
        scraper="b", client=RecordingClient({}), base_url="https://a.b", now=lambda: fixed
    )
    before = datetime.now(UTC)
    wall = context(RecordingClient({})).now()

    assert injected.now() == fixed
    assert wall.tzinfo is UTC
    assert before <= wall <= datetime.now(UTC)
