"""The run report as Prometheus text, for node_exporter's textfile collector.

``write_metrics`` replaces the file atomically (a temporary file in the same directory,
fsynced, then renamed), so the collector never reads half a file. Point it at a ``*.prom``
file in the collector's directory.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from jobping.models import RunStatus
from jobping.orchestrator._report import RunReport

__all__ = ["Sample", "metric_family", "render_metrics", "write_atomically", "write_metrics"]

Sample = tuple[dict[str, str], float]
_SCRAPER_JOBS = ("found", "new", "updated", "unchanged", "duplicates", "invalid")


def render_metrics(report: RunReport) -> str:
    """The report's metrics in the Prometheus text exposition format."""
    finished = report.finished_at or report.started_at
    totals = report.totals()
    scrapers = report.scrapers
    families: list[tuple[str, str, list[Sample]]] = [
        (
            "run_status",
            "1 for the status the last run ended with.",
            [({"status": status.value}, float(report.status is status)) for status in RunStatus],
        ),
        (
            "run_finished_timestamp_seconds",
            "When the last run ended (Unix time).",
            [({}, finished.timestamp())],
        ),
        (
            "run_duration_seconds",
            "How long the last run took.",
            [({}, (finished - report.started_at).total_seconds())],
        ),
        (
            "run_jobs",
            "Jobs of the last run, by kind.",
            [({"kind": kind}, float(value)) for kind, value in totals.items()],
        ),
        (
            "tier_ran",
            "1 if the tier ran in the last run.",
            [({"tier": str(t.number), "name": t.name}, float(t.ran)) for t in report.tiers],
        ),
        (
            "tier_jobs",
            "Jobs each tier contributed to the last run.",
            [({"tier": str(t.number), "name": t.name}, float(t.contributed)) for t in report.tiers],
        ),
        (
            "scraper_status",
            "1 for each scraper's status in the last run.",
            [({"scraper": s.name, "status": s.status}, 1.0) for s in scrapers],
        ),
        (
            "scraper_jobs",
            "Jobs per scraper and kind in the last run.",
            [
                ({"scraper": s.name, "kind": kind}, float(getattr(s, kind)))
                for s in scrapers
                for kind in _SCRAPER_JOBS
            ],
        ),
        ("scraper_requests", "Requests sent per scraper.", _per_scraper(report, "requests")),
        ("scraper_retries", "Retried attempts per scraper.", _per_scraper(report, "retries")),
        (
            "scraper_breaker_trips",
            "Breakers opened per scraper.",
            _per_scraper(report, "breaker_trips"),
        ),
        ("scraper_duration_seconds", "Time per scraper.", _per_scraper(report, "duration_seconds")),
        (
            "scraper_quota_left",
            "Quota units left per scraper, domain and window.",
            [
                ({"scraper": s.name, "domain": domain, "window": window}, float(left))
                for s in scrapers
                for domain, windows in s.quota_left.items()
                for window, left in windows.items()
            ],
        ),
    ]
    return "".join(
        metric_family(f"jobping_{name}", text, samples) for name, text, samples in families
    )


def write_metrics(path: Path, report: RunReport) -> None:
    """Write the report's metrics to ``path`` atomically."""
    write_atomically(path, render_metrics(report))


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` at once: the collector never reads half a file."""
    directory = path.parent
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        Path(temporary).chmod(0o644)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _per_scraper(report: RunReport, name: str) -> list[Sample]:
    return [({"scraper": s.name}, float(getattr(s, name))) for s in report.scrapers]


def metric_family(name: str, text: str, samples: Iterable[Sample]) -> str:
    """One gauge family in the Prometheus text format."""
    lines = [f"# HELP {name} {text}", f"# TYPE {name} gauge"]
    lines += [f"{name}{_labels(labels)} {_number(value)}" for labels, value in samples]
    return "\n".join(lines) + "\n"


def _labels(labels: dict[str, str]) -> str:
    if not labels:
        return ""
    pairs = ",".join(f'{key}="{_escape(value)}"' for key, value in labels.items())
    return "{" + pairs + "}"


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
