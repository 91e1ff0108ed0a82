"""``jobping discover``: the ATS and board token of careers pages and job URLs (#15)."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import anyio
import pytest
from aiohttp import web

from jobping.services._ats_urls import Board, board_of, boards_in
from tests.helpers import opened_store, run_cli

#: Each ATS's public embed snippet or link, as a company's careers page carries it.
PAGES = {
    "/greenhouse": '<div id="grnhse_app"></div>\n<script src="https://boards.greenhouse.io/'
    'embed/job_board/js?for=gitlab"></script>',
    "/lever": '<ul><li><a href="https://jobs.lever.co/spotify/7f3c0c7e-1a2b">Backend</a>'
    '</li><li><a class="lever" href="https://jobs.lever.co/spotify">All jobs</a></li></ul>',
    "/ashby": '<script src="https://jobs.ashbyhq.com/notion/embed?version=2" defer></script>',
    "/workable": "<script>fetch('https://apply.workable.com/api/v1/widget/accounts/huggingface'"
    ").then(r => r.json())</script>",
    "/iframe": '<iframe src="https://job-boards.greenhouse.io/embed/job_board?for=airbnb&amp;'
    'b=https%3A%2F%2Fcareers.airbnb.com" width="100%"></iframe>',
    "/none": "<html><body><h1>We are hiring!</h1><a href='/jobs'>Jobs</a></body></html>",
}


@pytest.mark.parametrize(
    ("url", "board"),
    [
        ("https://boards.greenhouse.io/stripe", Board("greenhouse", "stripe")),
        ("https://job-boards.greenhouse.io/gitlab/jobs/8062010002", Board("greenhouse", "gitlab")),
        (
            "https://boards.greenhouse.io/embed/job_board/js?for=airbnb",
            Board("greenhouse", "airbnb"),
        ),
        ("https://jobs.lever.co/spotify/1a2b-3c", Board("lever", "spotify")),
        ("https://jobs.ashbyhq.com/notion/embed", Board("ashby", "notion")),
        ("https://apply.workable.com/huggingface/j/6D5A3A1A2B/", Board("workable", "huggingface")),
        ("https://apply.workable.com/api/v1/widget/accounts/vasion", Board("workable", "vasion")),
        ("https://bunq.recruitee.com/o/backend-engineer", Board("recruitee", "bunq")),
        (
            "https://nvidia.wd5.myworkdayjobs.com/en-US/NVIDIAExternalCareerSite/job/US-CA/X_JR1",
            Board("workday", "nvidia.wd5/nvidia/NVIDIAExternalCareerSite"),
        ),
        (
            "https://fidelity.wd1.myworkdaysite.com/en-US/FidelityCareers/job/Boston/X_2135674",
            Board("workday", "fidelity.wd1.myworkdaysite.com/fidelity/FidelityCareers"),
        ),
        ("https://personio.jobs.personio.de/job/1834171", Board("personio", "personio")),
        ("https://holisticai.bamboohr.com/careers/12", Board("bamboohr", "holisticai")),
        ("https://breezy.breezy.hr/p/98323abf2296-employee-12", Board("breezy", "breezy")),
        ("https://ats.rippling.com/rippling/jobs", Board("rippling", "rippling")),
        ("https://workwithus.pinpointhq.com/postings/1", Board("pinpoint", "workwithus")),
        ("https://upcloud.teamtailor.com/jobs", Board("teamtailor", "upcloud")),
        ("https://jobs.smartrecruiters.com/Ubisoft2/744000", Board("smartrecruiters", "Ubisoft2")),
        ("https://example.com/careers", None),
        ("https://www.recruitee.com/", None),
    ],
)
def test_each_ats_url_form_names_its_board(url: str, board: Board | None) -> None:
    """The URL's shape alone names the scraper and its target."""
    assert board_of(url) == board


def test_a_page_gives_each_board_once_in_page_order() -> None:
    """Links, scripts and iframes of one page; a board linked twice is listed once."""
    page = PAGES["/lever"] + PAGES["/greenhouse"] + PAGES["/lever"]
    assert boards_in(page) == [Board("lever", "spotify"), Board("greenhouse", "gitlab")]


@pytest.fixture
def careers_site() -> Iterator[str]:
    """A local site serving the careers pages of ``PAGES`` (in a thread: the CLI runs its loop)."""
    app = web.Application()
    for path, body in PAGES.items():
        app.router.add_get(path, _page(body))
    runner = web.AppRunner(app, access_log=None)
    loop = asyncio.new_event_loop()
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", 0).start())
    port = runner.addresses[0][1]
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
        loop.run_until_complete(runner.cleanup())
        loop.close()


def _page(body: str) -> Callable[[web.Request], Awaitable[web.Response]]:
    """A handler answering ``body`` as an HTML page."""

    async def handle(_request: web.Request) -> web.Response:
        return web.Response(text=body, content_type="text/html")

    return handle


def test_pages_are_fetched_and_their_embeds_read(
    careers_site: str, database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each ATS's embed is found on a fetched page; the config lines name every board."""
    urls = [f"{careers_site}{path}" for path in ("/greenhouse", "/lever", "/ashby", "/workable")]
    code, out, err = run_cli(["discover", *urls, "https://jobs.lever.co/palantir"], capsys)

    assert code == 0, err
    assert out == (
        '[scrapers.greenhouse]\ntargets = ["gitlab"]\n\n'
        '[scrapers.lever]\ntargets = ["spotify", "palantir"]\n\n'
        '[scrapers.ashby]\ntargets = ["notion"]\n\n'
        '[scrapers.workable]\ntargets = ["huggingface"]\n'
    )
    assert f"{careers_site}/ashby: ashby notion (by page)" in err
    assert "https://jobs.lever.co/palantir: lever palantir (by url)" in err


def test_json_names_how_each_board_was_found_and_what_failed(
    careers_site: str, database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--json: each URL's boards and how, or its problem; a URL without a board exits 1."""
    urls = [f"{careers_site}/iframe", f"{careers_site}/none", f"{careers_site}/missing"]
    code, out, _err = run_cli(["discover", "--json", *urls], capsys)

    report = json.loads(out)
    assert code == 1
    assert report["urls"][0] == {
        "url": urls[0],
        "boards": [{"scraper": "greenhouse", "target": "airbnb"}],
        "found_by": "page",
        "problem": None,
    }
    assert report["urls"][1]["problem"] == "no ATS embed, iframe, script or link on the page"
    assert report["urls"][2]["problem"].startswith("could not fetch the page")
    assert "404" in report["urls"][2]["problem"]
    assert report["config"] == '[scrapers.greenhouse]\ntargets = ["airbnb"]'


def test_fetched_pages_count_in_the_site_quota(
    careers_site: str,
    database: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The page GETs go through the ScrapeClient: the site's daily quota counts and stops them."""
    monkeypatch.setenv("HTTP_DOMAINS", json.dumps({"127.0.0.1": {"daily_quota": 2}}))
    urls = [f"{careers_site}/lever", f"{careers_site}/ashby", f"{careers_site}/greenhouse"]
    code, out, err = run_cli(["discover", "--json", *urls], capsys)

    problems = [found["problem"] for found in json.loads(out)["urls"]]
    assert code == 1, err
    assert problems[:2] == [None, None]
    assert "quota" in problems[2]

    async def used() -> dict[str, int]:
        async with opened_store(f"sqlite:///{database}") as store:
            return await store.quota_usage("day:")

    assert anyio.run(used) == {careers_site.removeprefix("http://"): 2}
