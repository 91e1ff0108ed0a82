"""Hostile targets and payloads on the command line (#12).

A hostile target is refused with exit 2 before any request; a page with invalid UTF-8 is
kept, and the report says how many bytes were replaced.

``..`` would climb out of the API path (``/v1/boards/../jobs`` is ``/v1/jobs``), ``?evil=1#``
would send an empty token with an injected parameter, ``a/b`` would be two segments.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from rich.console import Console

from jobping.cli._exit import ExitCode
from jobping.cli._views.run import render_report
from jobping.orchestrator import RunReport, ScraperReport
from tests.helpers import run_cli

FREE_TEXT = ("jsearch", "reed", "themuse")
BUILT_IN = (
    "adzuna", "arbeitnow", "ashby", "greenhouse", "jsearch", "lever",
    "recruitee", "reed", "remotive", "smartrecruiters", "themuse", "workable",
)  # fmt: skip
KEYS = {
    "ADZUNA_APP_ID": "app-id-placeholder",
    "ADZUNA_APP_KEY": "app-key-placeholder",
    "JSEARCH_API_KEY": "jsearch-placeholder",
    "REED_API_KEY": "reed-placeholder",
}
# The default targets of scrapers being written elsewhere: the default shape must fit them.
OTHER_DEFAULTS = (
    "holisticai",
    "breezy",
    "workwithus",
    "nvidia.wd5/nvidia/NVIDIAExternalCareerSite",
)


class Recorder(BaseHTTPRequestHandler):
    """Keeps every request target it is sent, and answers 404."""

    seen: list[str]

    def do_GET(self) -> None:
        """Record the request, answer 404."""
        self.seen.append(self.path)
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet."""


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch, database: Path) -> Iterator[list[str]]:
    """Every scraper pointed at a local server; the list of request targets it received."""
    seen: list[str] = []
    handler = type("Recording", (Recorder,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    root = f"http://127.0.0.1:{server.server_address[1]}"
    for name in BUILT_IN:
        base = f"{root}/{name}/{{company}}" if name == "recruitee" else f"{root}/{name}"
        monkeypatch.setenv(f"SCRAPERS__{name.upper()}__BASE_URL", base)
    for key, value in KEYS.items():
        monkeypatch.setenv(key, value)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def hostile_targets(name: str) -> list[str]:
    """The hostile targets ``name`` must refuse (free text takes ``..`` and ``/`` as words)."""
    return ["?evil=1#", "stripe#x"] + ([] if name in FREE_TEXT else ["..", "a/b", "."])


@pytest.mark.parametrize(
    ("name", "target"),
    [(name, target) for name in BUILT_IN for target in hostile_targets(name)],
)
def test_a_hostile_target_exits_2_naming_the_scraper_before_any_request(
    recorder: list[str], capsys: pytest.CaptureFixture[str], name: str, target: str
) -> None:
    """``jobping scrape NAME --target T`` refuses T with exit 2 and sends nothing."""
    code, _, err = run_cli(["scrape", name, "--target", target], capsys)

    assert code == ExitCode.CONFIG, err
    assert f"--target: {name} target {target!r}: " in err
    assert recorder == []


@pytest.mark.parametrize("name", FREE_TEXT)
def test_free_text_goes_encoded_into_the_query_never_the_path(
    recorder: list[str], capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """A search scraper sends ``../admin/x`` as an encoded query value, its path unchanged."""
    code, _, err = run_cli(["scrape", name, "--target", "../admin/x"], capsys)

    assert code == ExitCode.FAILED, err  # the recorder answers 404
    (sent,) = recorder
    parts = urlsplit(sent)
    assert parts.path in (f"/{name}/search", f"/{name}/jobs")
    assert "../admin/x" in [v for values in parse_qs(parts.query).values() for v in values]


def test_a_configured_hostile_target_stops_the_run_before_any_request(
    recorder: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``jobping run`` with ``targets = [".."]`` exits 2 naming the setting and the target."""
    monkeypatch.setenv("SCRAPERS__GREENHOUSE__TARGETS", '["gitlab", ".."]')

    code, _, err = run_cli(["run"], capsys)

    assert code == ExitCode.CONFIG, err
    assert (
        "SCRAPERS__GREENHOUSE__TARGETS (scrapers.greenhouse.targets): greenhouse target '..'" in err
    )
    assert "'gitlab'" not in err
    assert recorder == []


def test_the_text_report_notes_replaced_utf8_bytes() -> None:
    """A scraper whose pages had invalid UTF-8 gets a note with the count (#12)."""
    report = RunReport("r1", datetime(2026, 12, 2, tzinfo=UTC))
    report.scrapers.append(ScraperReport("latin", "latin", 1, targets=1, replaced_bytes=3))
    console = Console(record=True, width=200)

    render_report(report, console)

    assert "latin: 3 invalid UTF-8 bytes replaced" in console.export_text()
