"""Live displays on a terminal: logs above them, finished timers stopped, nothing cut (#10)."""

from __future__ import annotations

import io
import logging
from collections import Counter
from pathlib import Path

import pytest
from rich.console import Console

from jobping.cli._views.live import busy
from jobping.cli._views.run import progress
from jobping.log import configure_logging
from jobping.orchestrator import Outcome, ScraperReport
from tests.helpers import run_cli

WARNING = "SIGINT: stopping gracefully; the run ends within 30s (a second signal exits at once)"


def terminal() -> tuple[Console, io.StringIO]:
    """A console that is a terminal, writing to a buffer."""
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=True, width=200), buffer


def test_issue_10_a_warning_prints_whole_above_the_run_display() -> None:
    """A log line during the live display goes through it, whole (it was cut to "SIGINT:")."""
    configure_logging("INFO")
    console, buffer = terminal()

    with progress(console) as observer:
        assert observer is not None
        observer(ScraperReport(name="greenhouse", source="greenhouse", tier=1, targets=2))
        logging.getLogger("jobping.orchestrator").warning(WARNING)

    assert WARNING in buffer.getvalue()


def test_issue_10_a_finished_scrapers_timer_stops() -> None:
    """Once all its targets ended, a scraper's row stops counting time; others keep going."""
    console, _ = terminal()
    done = ScraperReport(name="lever", source="lever", tier=1, targets=1)
    running = ScraperReport(name="ashby", source="ashby", tier=1, targets=3)

    with progress(console) as observer:
        assert observer is not None
        observer(done)
        observer(running)
        done.outcomes = Counter({Outcome.OK: 1})
        observer(done)
        tasks = {task.description: task for task in observer._progress.tasks}  # type: ignore[attr-defined]

    assert tasks["lever"].stop_time is not None
    assert tasks["ashby"].stop_time is None


def test_busy_logs_above_its_spinner_and_is_a_log_line_off_a_terminal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """On a terminal the spinner shows the work and logs print above it; else one log line."""
    configure_logging("INFO")
    console, buffer = terminal()
    with busy(console, "enriching up to 5 jobs"):
        logging.getLogger("jobping.enrich").warning("budget: 80% of the daily cost limit used")
    assert "budget: 80% of the daily cost limit used" in buffer.getvalue()

    plain = Console(file=io.StringIO(), force_terminal=False)
    with busy(plain, "applying the missing migrations"):
        pass
    assert "applying the missing migrations ..." in capsys.readouterr().err


def test_issue_10_status_and_scrape_never_cut_ids_times_or_urls(
    database: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """At 120 columns nothing is cut with an ellipsis: the run id and URLs are all there."""
    monkeypatch.setenv("COLUMNS", "120")
    code, _, err = run_cli(["run", "--sandbox", "--json"], capsys)
    assert code == 0, err

    code, status, _ = run_cli(["status"], capsys)
    assert code == 0
    argv = ["scrape", "greenhouse", "--target", "airtable", "--sandbox", "--limit", "3"]
    code, scrape, _ = run_cli(argv, capsys)
    assert code == 0

    assert "…" not in status + scrape
    cells = "".join(cell.strip() for line in scrape.splitlines() for cell in line.split("│")[-2:-1])
    assert cells.count("https://") == 3
