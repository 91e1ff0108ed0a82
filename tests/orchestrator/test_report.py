from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from jobping.models import RunStatus
from jobping.orchestrator import Outcome, RunReport, ScraperReport, TierReport, write_metrics
from jobping.orchestrator._metrics import render_metrics
from tests.orchestrator.fakes import NOW, job


def scraper(name: str, *outcomes: Outcome, new: int = 0, tier: int = 1) -> ScraperReport:
    """A scraper report with one target per outcome."""
    report = ScraperReport(name, name, tier, targets=len(outcomes), new=new, found=new)
    for outcome in outcomes:
        report.record(outcome, None if outcome is Outcome.OK else f"{name}: {outcome}")
    return report


def run_report(*scrapers: ScraperReport, tiers_ran: tuple[int, ...] = (1,)) -> RunReport:
    """A report of ``scrapers`` in which the tiers ``tiers_ran`` ran."""
    tiers = [TierReport(n, name, ran=n in tiers_ran) for n, name in enumerate(("p", "i", "b"), 1)]
    return RunReport("r1", NOW, tiers=tiers, scrapers=list(scrapers))


@pytest.mark.parametrize(
    ("outcomes", "status"),
    [
        ((Outcome.OK, Outcome.OK), "ok"),
        ((Outcome.OK, Outcome.FAILED), "partial"),
        ((Outcome.OK, Outcome.SKIPPED), "partial"),
        ((Outcome.FAILED, Outcome.SKIPPED), "failed"),
        ((Outcome.SKIPPED, Outcome.SKIPPED), "skipped"),
        ((Outcome.STOPPED, Outcome.SKIPPED), "stopped"),
        ((), "skipped"),
    ],
)
def test_a_scrapers_status_follows_its_targets(outcomes: tuple[Outcome, ...], status: str) -> None:
    """A scraper is ok when all targets are; failed when one failed and none ok; empty: skipped."""
    assert scraper("s", *outcomes).status == status


def test_only_a_scraper_that_saw_everything_is_complete() -> None:
    """A scraper is complete when every target is ok and no page cap was reached."""
    capped = scraper("capped", Outcome.OK)
    capped.page_cap_reached = True

    assert scraper("ok", Outcome.OK).complete
    assert not capped.complete
    assert not scraper("partial", Outcome.OK, Outcome.SKIPPED).complete


def test_a_failures_reason_is_an_error_and_a_skips_is_the_reason() -> None:
    """Failures land in errors (capped at ten); the first skip reason is kept apart."""
    report = scraper("s", *([Outcome.FAILED] * 12), Outcome.SKIPPED)

    assert len(report.errors) == 10
    assert report.reason == "s: skipped"


@pytest.mark.parametrize(
    ("report", "min_jobs", "status"),
    [
        (run_report(scraper("a", Outcome.OK, new=60)), 50, RunStatus.SUCCESS),
        (run_report(scraper("a", Outcome.OK, new=60), tiers_ran=(1, 2)), 50, RunStatus.DEGRADED),
        (run_report(scraper("a", Outcome.OK, new=60), scraper("b", Outcome.FAILED)), 50, "d"),
        (run_report(scraper("a", Outcome.OK, new=49)), 50, RunStatus.FAILED),
        (run_report(scraper("a", Outcome.SKIPPED), scraper("b", Outcome.OK, new=5)), 5, "s"),
    ],
)
def test_the_status_of_a_run(report: RunReport, min_jobs: int, status: str) -> None:
    """Below min_jobs fails; a fallback tier or a failed scraper degrades; a skip does not."""
    expected = {"d": RunStatus.DEGRADED, "s": RunStatus.SUCCESS}.get(status, status)
    report.finish(NOW, min_jobs)
    assert report.status == expected


def test_backfilled_jobs_count_toward_min_jobs() -> None:
    """Backfilled jobs make up the shortfall (the fallback tier still degrades the run)."""
    report = run_report(scraper("a", Outcome.OK, new=10), tiers_ran=(1, 2, 3))
    report.backfill = [job("s", str(n)) for n in range(40)]
    report.finish(NOW, 50)

    assert report.status is RunStatus.DEGRADED
    assert "fallback tier needed: i, b" in report.reason


def test_an_error_beats_an_interruption_which_beats_the_counts() -> None:
    """An error fails the run; an interruption makes it interrupted whatever the counts."""
    interrupted = run_report(scraper("a", Outcome.OK, new=99))
    interrupted.interrupted = "interrupted by SIGTERM"
    interrupted.finish(NOW, 0)
    errored = run_report(scraper("a", Outcome.OK, new=99))
    errored.interrupted = errored.error = "lost the run lease"
    errored.finish(NOW, 0)

    assert (interrupted.status, interrupted.reason) == (
        RunStatus.INTERRUPTED,
        "interrupted by SIGTERM",
    )
    assert (errored.status, errored.reason) == (RunStatus.FAILED, "lost the run lease")


def test_the_record_holds_the_report_as_json() -> None:
    """to_record keeps the report (totals, tiers, scrapers) and flattens the errors."""
    report = run_report(scraper("a", Outcome.OK, new=3), scraper("b", Outcome.FAILED))
    report.not_ready = {"broken": "import failed: ImportError: x"}
    report.finish(NOW + timedelta(seconds=90), 0)
    record = report.to_record()

    assert record.status is RunStatus.DEGRADED
    assert record.finished_at == NOW + timedelta(seconds=90)
    assert json.loads(json.dumps(record.counts))["totals"]["new"] == 3
    assert record.counts["duration_seconds"] == 90.0
    assert record.errors == [
        {"scraper": "b", "error": "b: failed"},
        {"scraper": "broken", "error": "import failed: ImportError: x"},
    ]


def test_metrics_are_prometheus_text_with_escaped_labels() -> None:
    """Each sample is name{sorted labels} float; quotes and backslashes in labels are escaped."""
    report = run_report(scraper('we"ird\\name', Outcome.OK, new=7))
    report.finish(NOW + timedelta(seconds=2.5), 0)
    text = render_metrics(report)

    assert 'jobping_run_status{status="success"} 1.0\n' in text
    assert 'jobping_run_status{status="failed"} 0.0\n' in text
    assert "jobping_run_duration_seconds 2.5\n" in text
    assert 'jobping_scraper_jobs{kind="new",scraper="we\\"ird\\\\name"} 7.0\n' in text
    assert 'jobping_tier_ran{name="i",tier="2"} 0.0\n' in text
    assert "# TYPE jobping_run_jobs gauge\n" in text


def test_metrics_are_written_atomically(tmp_path: Path) -> None:
    """The file is replaced whole, and no temporary file is left beside it."""
    target = tmp_path / "jobping.prom"
    target.write_text("old content\n")
    report = run_report(scraper("a", Outcome.OK, new=1))
    report.finish(NOW, 0)

    write_metrics(target, report)

    assert target.read_text() == render_metrics(report)
    assert [p.name for p in tmp_path.iterdir()] == ["jobping.prom"]


_PARENT = """
import subprocess, sys
held = bytearray(200 * 2**20)
held[:: 4096] = b"x" * len(held[:: 4096])  # touched: resident
child = (
    "from jobping.orchestrator._timings import ProcessUsage as U;"
    " print(U.of_this_process().peak_rss_bytes)"
)
done = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, check=True)
print(done.stdout)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux's /proc")
def test_a_process_reports_its_own_peak_memory_not_its_parents() -> None:
    """A run started by a process holding 200 MiB reports its own peak (far below that).

    ``ru_maxrss`` would report the parent's 200 MiB: Linux carries it over fork and exec.
    """
    command = [sys.executable, "-c", _PARENT]
    done = subprocess.run(command, capture_output=True, text=True, check=False)

    assert done.returncode == 0, done.stderr
    assert 0 < int(done.stdout) < 100 * 2**20
