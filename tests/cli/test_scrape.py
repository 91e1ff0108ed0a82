from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import anyio
import pytest

from jobping.cli._exit import ExitCode
from jobping.cli.scrape import trace_event
from jobping.http import RequestEvent
from jobping.sandbox._server import PLACEHOLDER_KEY
from tests.helpers import opened_store, run_cli

SENTINEL = "sk-scrape-SENTINEL-1a2b3c4d"
TRACE_LINE = re.compile(r"^trace: GET http://127\.0\.0\.1:\d+/\S+ \| 200 \| \d+ B \| \d+ ms \| ")


def count_jobs(path: Path) -> int:
    """The number of jobs stored in the SQLite file at ``path``."""

    async def count() -> int:
        async with opened_store(f"sqlite:///{path}") as store:
            return await store.count_jobs()

    return anyio.run(count)


def test_sandbox_scrape_shows_five_jobs_and_the_trace_and_stores_nothing(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's example: five jobs in a table, every request traced, the store untouched."""
    argv = ["scrape", "greenhouse", "--target", "airtable", "--sandbox", "--limit", "5"]
    code, out, err = run_cli([*argv, "--trace"], capsys)

    assert code == ExitCode.OK, err
    rows = re.findall(r"^│ +(\d+) │", out, flags=re.MULTILINE)
    assert rows == ["1", "2", "3", "4", "5"]
    assert "Account Executive" in out
    traces = [line for line in err.splitlines() if line.startswith("trace: ")]
    assert len(traces) == 1
    assert TRACE_LINE.match(traces[0])
    assert "/v1/boards/airtable/jobs?content=true" in traces[0]
    assert "attempt 1 | breaker closed" in traces[0]
    assert "airtable: jobs 5, requests 1, items skipped 0" in err
    assert "5 jobs (stopped at --limit 5); nothing stored" in err
    assert not database.exists()


def test_store_writes_the_jobs_only_when_asked(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--store writes the scraped jobs; a second run finds them unchanged."""
    argv = ["scrape", "greenhouse", "--target", "gitlab", "--sandbox", "--store"]
    code, _, err = run_cli(argv, capsys)
    assert code == ExitCode.OK, err
    assert "stored: 3 new, 0 updated, 0 same" in err
    assert count_jobs(database) == 3

    code, _, err = run_cli(argv, capsys)
    assert code == ExitCode.OK, err
    assert "stored: 0 new, 0 updated, 3 same" in err


def test_json_prints_one_job_a_line(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--json prints JSON lines only on stdout: every job with its fields, dates in ISO form."""
    code, out, err = run_cli(["scrape", "lever", "--sandbox", "--json"], capsys)

    assert code == ExitCode.OK, err
    jobs = [json.loads(line) for line in out.splitlines()]
    assert [job["title"] for job in jobs] == [
        "Android Engineer - Experience",
        "Artist & Label Partnerships Contractor, Vietnam",
    ]
    assert {job["source"] for job in jobs} == {"lever"}
    assert jobs[0]["posted_at"] == "2026-06-23T11:29:45.805000+00:00"
    assert jobs[0]["work_environment"] == "hybrid"
    assert "spotify: jobs 2, requests 1" in err


def test_an_unknown_scraper_exits_2_listing_the_installed_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A name no scraper has is a usage error that names the installed scrapers."""
    code, out, err = run_cli(["scrape", "nope", "--sandbox"], capsys)

    assert code == ExitCode.CONFIG
    assert out == ""
    assert "unknown scraper 'nope'" in err
    assert "greenhouse" in err
    assert "reed" in err


def test_a_missing_key_is_skipped_with_its_name(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without REED_API_KEY nothing is attempted: a clear skip message and exit 2."""
    code, out, err = run_cli(["scrape", "reed", "--trace"], capsys)

    assert code == ExitCode.CONFIG
    assert code != ExitCode.FAILED
    assert (out, err) == ("", "reed: skipped: REED_API_KEY is not set\n")
    assert not database.exists()


def test_a_failed_target_exits_non_zero(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A board the site does not have (HTTP 404) fails the command with exit code 1."""
    argv = ["scrape", "greenhouse", "--sandbox", "--target", "no-such-board", "--json"]
    code, out, err = run_cli(argv, capsys)

    assert code == ExitCode.FAILED
    assert out == ""
    assert "no-such-board: jobs 0, requests 1, items skipped 0; failed: HTTPStatusError" in err
    assert "HTTP 404" in err


def test_no_key_is_ever_printed_in_the_trace(
    monkeypatch: pytest.MonkeyPatch, database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Under --sandbox a real key is replaced, and the placeholder is redacted from the trace."""
    monkeypatch.setenv("ADZUNA_APP_ID", SENTINEL)
    monkeypatch.setenv("ADZUNA_APP_KEY", SENTINEL)
    argv = ["scrape", "adzuna", "--sandbox", "--trace", "--limit", "3", "--json"]
    code, out, err = run_cli(argv, capsys)

    assert code == ExitCode.OK, err
    assert len(out.splitlines()) == 3
    assert "app_id=[REDACTED]&app_key=[REDACTED]" in err
    assert PLACEHOLDER_KEY not in out + err
    assert SENTINEL not in out + err


class SpoiledBoard(BaseHTTPRequestHandler):
    """A Greenhouse board whose second job has no title and whose third is not an object."""

    def do_GET(self) -> None:
        """Answer every GET with the board."""
        job = {"id": 1, "title": "Engineer", "absolute_url": "https://example.com/jobs/1"}
        body = json.dumps({"jobs": [job, {**job, "id": 2, "title": ""}, "junk"]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet."""


@pytest.fixture
def spoiled_board() -> Iterator[str]:
    """The base URL of a local server answering a spoiled board for any token."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), SpoiledBoard)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1/boards"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_skipped_items_are_summarized_with_reasons(
    monkeypatch: pytest.MonkeyPatch,
    database: Path,
    spoiled_board: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A base-URL override in config is followed; malformed items are listed with reasons."""
    monkeypatch.setenv("SCRAPERS__GREENHOUSE__BASE_URL", spoiled_board)
    code, out, err = run_cli(["scrape", "greenhouse", "--target", "acme"], capsys)

    assert code == ExitCode.OK, err
    assert "Engineer" in out
    assert "acme: jobs 1, requests 1, items skipped 2" in err
    assert "  skipped 2: no title" in err
    assert "  skipped #2: not a JSON object (str)" in err


def test_the_trace_shows_retries_and_the_breaker(capsys: pytest.CaptureFixture[str]) -> None:
    """A failed attempt's trace line says what failed, when the retry comes, and the breaker."""
    trace_event(
        RequestEvent(
            method="GET",
            url="https://api.adzuna.com/v1/api/jobs/gb/search/1?app_key=[REDACTED]",
            domain="api.adzuna.com",
            attempt=2,
            outcome="http_status",
            status=503,
            bytes=17,
            elapsed_seconds=0.0123,
            error="HTTPStatusError",
            retry_in=1.5,
            breaker="open",
        )
    )
    _, err = capsys.readouterr()
    assert err == (
        "trace: GET https://api.adzuna.com/v1/api/jobs/gb/search/1?app_key=[REDACTED] | 503"
        " | 17 B | 12 ms | attempt 2 | http_status (HTTPStatusError) | retry in 1.50s"
        " | breaker open\n"
    )


def test_the_trace_counts_replaced_utf8_bytes(capsys: pytest.CaptureFixture[str]) -> None:
    """An attempt whose body had invalid UTF-8 says how many bytes were replaced (#12)."""
    trace_event(
        RequestEvent(
            method="GET",
            url="https://boards-api.greenhouse.io/v1/boards/acme/jobs",
            domain="boards-api.greenhouse.io",
            attempt=1,
            outcome="ok",
            status=200,
            bytes=70,
            replaced_bytes=3,
        )
    )
    _, err = capsys.readouterr()
    assert " | 3 invalid UTF-8 bytes replaced | breaker closed\n" in err
