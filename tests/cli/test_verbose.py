"""``-v`` and ``-vv`` explain the HTTP and tier decisions (#10).

The greenhouse scraper is pointed at a local server that answers every request 503 with
``Retry-After: 0``: retries, a breaker that opens, a quota reserved then refused, a breaker
that refuses, each explained by a debug line only with ``-vv``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.helpers import run_cli


class Unavailable(BaseHTTPRequestHandler):
    """Answers every GET 503 with ``Retry-After: 0``."""

    def do_GET(self) -> None:
        """503, no body."""
        self.send_response(503)
        self.send_header("Retry-After", "0")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet."""


@pytest.fixture
def down_board(monkeypatch: pytest.MonkeyPatch, database: Path) -> Iterator[str]:
    """Greenhouse's base URL is a local server that is always 503; its domain is yielded."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Unavailable)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    domain = f"127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("SCRAPERS__GREENHOUSE__BASE_URL", f"http://{domain}")
    try:
        yield domain
    finally:
        server.shutdown()
        server.server_close()


def policy(monkeypatch: pytest.MonkeyPatch, **values: object) -> None:
    """HTTP_DEFAULTS: three attempts, 10 ms backoff, a breaker that opens after two failures."""
    defaults = {"retry_attempts": 3, "retry_backoff_seconds": 0.01, "breaker_failure_threshold": 2}
    monkeypatch.setenv("HTTP_DEFAULTS", json.dumps(defaults | values))


SCRAPE = ["scrape", "greenhouse", "--target", "acme"]


def test_issue_10_vv_explains_retries_quota_and_breaker(
    down_board: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """-vv: the quota block, each retry and its wait, the breaker opening, then refusals."""
    policy(monkeypatch, daily_quota=100)
    code, _, err = run_cli(["-vv", *SCRAPE], capsys)
    assert code != 0
    assert f"quota of {down_board}: reserved a block of" in err
    assert f"retrying GET http://{down_board}/acme/jobs?content=true" in err
    assert "attempt 1 failed (HTTP 503, Retry-After 0.0s), next in" in err
    assert f"breaker of {down_board}: closed -> open" in err

    policy(monkeypatch, daily_quota=2)  # both units were used by the two attempts
    _, _, err = run_cli(["-vv", *SCRAPE], capsys)
    assert f"quota of {down_board}: refused, {down_board}: day request quota exhausted" in err

    policy(monkeypatch, daily_quota=100)
    _, _, err = run_cli(["-vv", *SCRAPE], capsys)
    assert f"breaker of {down_board} refuses the request: {down_board}: circuit open" in err


def test_verbosity_changes_what_is_printed(
    down_board: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """LOG_LEVEL=WARNING: no decision lines; -v: the breaker transition; -vv: the retries."""
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    policy(monkeypatch, breaker_failure_threshold=3)
    printed = []
    for level, flags in enumerate(([], ["-v"], ["-vv"])):  # a new store each: no open breaker
        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / f'v{level}.db'}")
        printed.append(run_cli([*flags, *SCRAPE], capsys)[2])
    quiet, info, debug = printed

    assert "retrying GET" not in quiet + info
    assert "breaker of" not in quiet
    assert f"breaker of {down_board}: closed -> open" in info
    assert "retrying GET" in debug


def test_issue_10_vv_explains_the_tier_decisions(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """-vv run: each tier's decision names the jobs seen and run_min_jobs."""
    code, _, err = run_cli(["-vv", "run", "--sandbox", "--json"], capsys)

    assert code == 0, err
    assert "tier 1 (primary) decision: 0 jobs seen so far, run_min_jobs=50" in err
    assert "tier 2 (individual) decision: 80 jobs seen so far, run_min_jobs=50" in err
