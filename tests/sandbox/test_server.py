"""The sandbox: every built-in scraper runs against it unchanged; pages and faults are real."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from jobping.cli import main
from jobping.errors import (
    ConfigError,
    HTTPStatusError,
    PayloadError,
    RequestTimeout,
    TransportError,
    UnknownScraper,
)
from jobping.http import ScrapeClient
from jobping.models import Job
from jobping.sandbox import (
    SOURCES,
    ChatCompletions,
    Faults,
    Sandbox,
    Scale,
    _server,
    serve_sandbox,
)
from jobping.sandbox._server import PLACEHOLDER_KEY
from jobping.scraping import ScrapeContext, find_scraper
from jobping.settings import ScraperConfig, Settings
from jobping.testing import FakeClock
from tests.sandbox.conftest import ClientFactory

SENTINEL = "real-key-SENTINEL-5e6f7a8b"


class Scraped:
    """What scraping some targets of one scraper gave."""

    def __init__(self) -> None:
        self.jobs: list[Job] = []
        self.requests = 0
        self.skipped = 0
        self.page_cap_reached = False


async def scrape(
    sandbox: Sandbox, name: str, client: ScrapeClient, targets: list[str] | None = None
) -> Scraped:
    """Run the built-in scraper ``name`` on the sandbox (all its sandbox targets by default)."""
    settings = sandbox.apply(Settings())
    scraper_class = find_scraper(name, settings).scraper
    assert scraper_class is not None
    scraper = scraper_class()
    scraped = Scraped()
    for target in scraper.configured_targets(settings):
        if targets is not None and str(target) not in targets:
            continue
        context = ScrapeContext.for_scraper(scraper, client, settings)
        scraped.jobs += [job async for job in scraper.scrape(context, target)]
        scraped.requests += context.requests
        scraped.skipped += len(context.skipped)
        scraped.page_cap_reached |= context.page_cap_reached
    return scraped


RECORDED = {  # scraper: (jobs, requests) over the sandbox's recorded targets
    "adzuna": (13, 2),
    "arbeitnow": (10, 1),
    "ashby": (3, 2),
    "bamboohr": (12, 13),  # the list, then each opening's detail
    "breezy": (2, 1),
    "greenhouse": (19, 2),
    "hackernews": (5, 1),
    "himalayas": (3, 1),
    "jobicy": (5, 1),
    "jsearch": (10, 2),
    "lever": (2, 1),
    "personio": (1, 1),
    "pinpoint": (2, 1),
    "recruitee": (4, 2),
    "reed": (46, 1),
    "remotive": (5, 1),
    "rippling": (1, 1),  # one job recorded as one item per location
    "smartrecruiters": (2, 1),
    "teamtailor": (5, 2),
    "themuse": (10, 1),
    "weworkremotely": (3, 1),
    "workable": (4, 2),
    "workday": (24, 26),  # two sites: a search each, then each posting's detail
}


def test_the_table_covers_every_served_scraper() -> None:
    """The sandbox serves exactly the built-in scrapers of the table."""
    assert sorted(RECORDED) == list(SOURCES)


@pytest.mark.anyio
@pytest.mark.parametrize("name", sorted(RECORDED))
async def test_each_builtin_scraper_gets_the_recorded_jobs(
    name: str, make_client: ClientFactory
) -> None:
    """Pointed at the sandbox (placeholder keys), each scraper parses every recorded job."""
    async with serve_sandbox() as sandbox, make_client() as client:
        scraped = await scrape(sandbox, name, client)
        assert (len(scraped.jobs), scraped.requests) == RECORDED[name]
        assert scraped.skipped == 0
        assert {job.source for job in scraped.jobs} == {name}
        assert sandbox.requests[name] == scraped.requests


PAGED = {  # scraper: (jobs, requests) for one synthesized target of 120 jobs
    "adzuna": (120, 3),  # 50 a page, page number in the path
    "arbeitnow": (120, 2),  # 100 a page, links.next
    "himalayas": (120, 6),  # offset/limit of 20, totalCount
    "jsearch": (50, 5),  # 10 a page, stopped by its 5-page cap
    "lever": (120, 2),  # skip/limit of 100
    "reed": (120, 2),  # resultsToSkip/resultsToTake of 100
    "rippling": (120, 3),  # page/pageSize of 50, totalPages
    "smartrecruiters": (120, 2),  # offset/limit of 100, totalFound
    "themuse": (120, 6),  # 20 a page, page_count
    "workday": (120, 126),  # a POSTed offset/limit of 20, total; a detail per job
}


@pytest.mark.anyio
@pytest.mark.parametrize("name", sorted(PAGED))
async def test_a_scaled_target_spans_pages_as_the_real_api_pages(
    name: str, make_client: ClientFactory
) -> None:
    """120 synthesized jobs come over several pages, each job once, each with its own id."""
    async with serve_sandbox(scale=Scale(targets=2, jobs=120)) as sandbox, make_client() as client:
        target = sandbox.targets[name][-1]
        scraped = await scrape(sandbox, name, client, [target])
    assert (len(scraped.jobs), scraped.requests) == PAGED[name]
    assert len({job.job_hash for job in scraped.jobs}) == len(scraped.jobs)
    assert scraped.page_cap_reached is (name == "jsearch")


@pytest.mark.anyio
async def test_a_scaled_page_is_rendered_once_and_served_again_as_it_was(
    make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ``render_once``, a synthesized page's JSON is rendered on its first GET only.

    Each page of the paged lever board is its own URL (its own skip): the second pass
    renders nothing and brings the same jobs. Without it, every GET renders.
    """
    rendered: list[int] = []

    def counting(value: object) -> str:
        text = dumps(value)
        rendered.append(len(text))
        return text

    dumps = _server._dumps
    monkeypatch.setattr(_server, "_dumps", counting)
    scale = Scale(targets=1, jobs=120)
    async with serve_sandbox(scale=scale, render_once=True) as sandbox, make_client() as client:
        first = await scrape(sandbox, "lever", client)
        pages = len(rendered)
        again = await scrape(sandbox, "lever", client)
    assert pages == first.requests > 1
    assert len(rendered) == pages
    assert again.jobs == first.jobs
    async with serve_sandbox(scale=scale) as sandbox, make_client() as client:
        await scrape(sandbox, "lever", client)
        await scrape(sandbox, "lever", client)
    assert len(rendered) == 3 * pages


@pytest.mark.anyio
async def test_an_error_answer_is_never_kept_by_render_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A bad query (400) and an unknown target (404) are rendered afresh each time they come."""
    rendered: list[object] = []

    def counting(value: object) -> str:
        rendered.append(value)
        return dumps(value)

    dumps = _server._dumps
    monkeypatch.setattr(_server, "_dumps", counting)
    scale = Scale(targets=1, jobs=3)
    async with serve_sandbox(scale=scale, render_once=True) as sandbox, httpx.AsyncClient() as http:
        lever = sandbox.base_urls["lever"]
        board = f"{lever}/{sandbox.targets['lever'][0]}"
        asked = [(board, {"mode": "json", "skip": "x"}), (f"{lever}/nobody", {"mode": "json"})]
        answers = [await http.get(url, params=params) for url, params in asked * 2]

    assert [answer.status_code for answer in answers] == [400, 404, 400, 404]
    assert "skip must be a whole number" in answers[2].json()["error"]
    assert len(rendered) == 4


def test_rendered_answers_stop_being_kept_past_their_budget() -> None:
    """Past ``max_bytes`` in all, an answer is not kept (it is rendered again next time)."""
    kept = _server._Rendered(max_bytes=10)
    kept.keep("/a", b"123456")
    kept.keep("/b", b"123456")
    kept.keep("/c", b"1234")
    assert (kept.get("/a"), kept.get("/b"), kept.get("/c")) == (b"123456", None, b"1234")


@pytest.mark.anyio
async def test_scaled_targets_have_distinct_jobs(make_client: ClientFactory) -> None:
    """Scale names the targets board-0001... and no job repeats across them."""
    async with serve_sandbox(scale=Scale(targets=3, jobs=7)) as sandbox, make_client() as client:
        assert sandbox.targets["greenhouse"] == ("board-0001", "board-0002", "board-0003")
        scraped = await scrape(sandbox, "greenhouse", client)
    assert len(scraped.jobs) == 21
    assert len({job.source_id for job in scraped.jobs}) == 21


@pytest.mark.anyio
async def test_a_down_source_refuses_connections(make_client: ClientFactory) -> None:
    """A down source refuses every connection; the other sources still answer."""
    faults = {"greenhouse": Faults(down=True)}
    async with serve_sandbox(faults) as sandbox, make_client(retry_attempts=1) as client:
        with pytest.raises(TransportError, match="connection failed"):
            await scrape(sandbox, "greenhouse", client)
        assert len((await scrape(sandbox, "lever", client)).jobs) == 2
        assert sandbox.requests["greenhouse"] == 0


async def statuses(sandbox: Sandbox, client: ScrapeClient, count: int) -> list[int]:
    """The status of ``count`` requests to the lever board (200 or the error's)."""
    url = f"{sandbox.base_urls['lever']}/spotify"
    seen = []
    for _ in range(count):
        try:
            await client.get_json(url, params={"mode": "json"})
            seen.append(200)
        except HTTPStatusError as exc:
            seen.append(exc.status)
    return seen


@pytest.mark.anyio
async def test_the_error_rate_is_deterministic_for_a_seed(make_client: ClientFactory) -> None:
    """The same seed gives the same 5xx answers; another seed gives others."""
    runs = []
    for seed in (7, 7, 8):
        faults = {"lever": Faults(error_rate=0.5, seed=seed)}
        policy = {"retry_attempts": 1, "breaker_failure_threshold": 100}
        async with serve_sandbox(faults) as sandbox, make_client(**policy) as client:
            runs.append(await statuses(sandbox, client, 30))
    assert runs[0] == runs[1] != runs[2]
    assert {200, 500, 502, 503} >= set(runs[0]) > {200}
    assert 5 < runs[0].count(200) < 25


@pytest.mark.anyio
async def test_a_failing_source_is_retried_then_fails(
    make_client: ClientFactory, sleeps: FakeClock
) -> None:
    """With every answer a 5xx, the client tries four times, waiting between, then fails."""
    faults = {"lever": Faults(error_rate=1.0)}
    async with serve_sandbox(faults) as sandbox, make_client(retry_attempts=4) as client:
        with pytest.raises(HTTPStatusError) as failed:
            await scrape(sandbox, "lever", client)
        assert failed.value.status in (500, 502, 503)
        assert sandbox.requests["lever"] == 4
    assert len(sleeps.sleeps) == 3


@pytest.mark.anyio
async def test_a_rate_limited_source_is_waited_for(
    make_client: ClientFactory, sleeps: FakeClock
) -> None:
    """Every other request is a 429 with Retry-After; the client waits that long and goes on."""
    faults = {"smartrecruiters": Faults(rate_limited=True, retry_after_seconds=7)}
    async with serve_sandbox(faults) as sandbox, make_client() as client:
        scraped = await scrape(sandbox, "smartrecruiters", client)
        assert len(scraped.jobs) == 2
        assert sandbox.requests["smartrecruiters"] == 2
    assert 7.0 in sleeps.sleeps


@pytest.mark.anyio
async def test_a_slow_source_drips_past_the_read_timeout(make_client: ClientFactory) -> None:
    """A body dripped over a minute trips a short read timeout."""
    faults = {"ashby": Faults(slow_seconds=60.0)}
    client = make_client(read_timeout_seconds=0.2, retry_attempts=1)
    async with serve_sandbox(faults) as sandbox, client:
        with pytest.raises(RequestTimeout):
            await scrape(sandbox, "ashby", client)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("kind", "message"), [("html", "expected JSON, got HTML"), ("truncated", "invalid JSON")]
)
async def test_a_malformed_source_fails_with_a_payload_error(
    make_client: ClientFactory, kind: str, message: str
) -> None:
    """An HTML page or JSON cut in half where JSON was expected is a PayloadError."""
    faults = {"reed": Faults(malformed="html" if kind == "html" else "truncated")}
    async with serve_sandbox(faults) as sandbox, make_client() as client:
        with pytest.raises(PayloadError, match=message):
            await scrape(sandbox, "reed", client)


@pytest.mark.anyio
async def test_unknown_targets_bad_parameters_and_missing_keys(
    make_client: ClientFactory,
) -> None:
    """A board the sandbox lacks is a 404, a bad page size a 400, a keyless call a 401."""
    async with serve_sandbox() as sandbox, make_client(retry_attempts=1) as client:
        urls = sandbox.base_urls
        cases = {
            f"{urls['greenhouse']}/no-such-board/jobs": 404,
            f"{urls['lever']}/spotify?skip=minus-one": 400,
            f"{urls['adzuna']}/gb/search/1": 401,
            f"{urls['reed']}/search?keywords=x": 401,
            f"{urls['jsearch']}/search?query=x": 401,
        }
        for url, status in cases.items():
            with pytest.raises(HTTPStatusError) as refused:
                await client.get_json(url)
            assert refused.value.status == status, url
        search = await scrape(sandbox, "remotive", client, None)
        other = await client.get_json(f"{urls['remotive']}/remote-jobs?category=no-such")
        assert len(other["jobs"]) == len(search.jobs) == 5


def test_apply_points_every_scraper_at_the_sandbox() -> None:
    """apply() sets base URLs, sandbox targets and OpenAI's URL; every key becomes a placeholder."""
    sandbox = Sandbox(
        {"greenhouse": "http://127.0.0.1:1/v1/boards", "reed": "http://127.0.0.1:2/api/1.0"},
        {"greenhouse": ("gitlab",), "reed": ("UI/UX",)},
        {},
        openai_base_url="http://127.0.0.1:3/v1",
        chat=ChatCompletions(),
    )
    settings = Settings(
        reed_api_key=SecretStr(SENTINEL),
        openai_api_key=SecretStr(SENTINEL),
        scrapers={"greenhouse": ScraperConfig(tier="individual", targets=["stripe"])},
    )
    applied = sandbox.apply(settings)
    greenhouse = applied.scrapers["greenhouse"]
    assert (greenhouse.base_url, greenhouse.targets, greenhouse.tier) == (
        "http://127.0.0.1:1/v1/boards",
        ["gitlab"],
        "individual",
    )
    assert applied.scrapers["reed"].base_url == "http://127.0.0.1:2/api/1.0"
    assert applied.reed_api_key == SecretStr(PLACEHOLDER_KEY)
    assert applied.openai_api_key == SecretStr(PLACEHOLDER_KEY)
    assert applied.openai_base_url == "http://127.0.0.1:3/v1"
    assert applied.adzuna_app_key is None  # adzuna is not in this sandbox
    assert SENTINEL not in applied.secret_values()
    assert settings.reed_api_key == SecretStr(SENTINEL)  # the original is untouched


@pytest.mark.anyio
async def test_bad_arguments_are_refused_before_serving() -> None:
    """An unknown source, a bad fault, a bad scale or a taken port is refused clearly."""
    with pytest.raises(UnknownScraper, match="nope"):
        async with serve_sandbox({"nope": Faults()}):
            pass
    with pytest.raises(ValueError, match="error_rate"):
        Faults(error_rate=1.5)
    with pytest.raises(ValueError, match="jobs"):
        Scale(targets=1, jobs=0)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ConfigError, match=f"cannot listen on 127.0.0.1:{port}"):
            async with serve_sandbox(port=port):
                pass


def test_the_sandbox_command_serves_until_interrupted(tmp_path: Path) -> None:
    """``jobping sandbox --json --down lever`` prints the URLs (OpenAI too), serves, stops on ^C."""
    command = [sys.executable, "-m", "jobping", "sandbox", "--json", "--down", "lever"]
    with subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    ) as process:
        try:
            assert process.stdout is not None
            lines = []
            while (line := process.stdout.readline()) and line != "}\n":
                lines.append(line)
            served = json.loads("".join([*lines, "}"]))
            greenhouse = httpx.get(f"{served['greenhouse']['base_url']}/gitlab/jobs", timeout=10)
            with pytest.raises(httpx.ConnectError):
                httpx.get(f"{served['lever']['base_url']}/spotify", timeout=10)
        finally:
            process.send_signal(signal.SIGINT)
            _, err = process.communicate(timeout=20)
    assert greenhouse.status_code == 200
    assert len(greenhouse.json()["jobs"]) == 3
    assert served["lever"]["faults"] == "down"
    assert served["openai"]["base_url"].startswith("http://127.0.0.1:")
    assert process.returncode == 0, err
    assert "sandbox stopped" in err


@pytest.mark.parametrize(
    ("option", "named"),
    [
        (["--down", "nope"], "'nope' is not served"),
        (["--malformed", "reed=xml"], "'xml' is not one of html, truncated"),
        (["--scale", "3by4"], "expected TARGETSxJOBS"),
        (["--scale", "0x10"], "scale targets must be 1 to 9999"),
    ],
)
def test_the_sandbox_command_refuses_bad_options(
    option: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad source name, fault kind or scale exits 2 naming it, before serving anything."""
    with pytest.raises(SystemExit) as exited:
        main(["sandbox", *option])
    _, err = capsys.readouterr()
    assert exited.value.code == 2
    assert named in err
