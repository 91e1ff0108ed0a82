"""The run report as Prometheus text, for node_exporter's textfile collector.

The report's numbers are gauges of a ``CollectorRegistry`` made for the one report, so no
metric outlives its run. ``write_metrics`` uses ``prometheus_client.write_to_textfile``,
which writes a temporary file beside the target and renames it over, so the collector never
reads half a file. Point it at a ``*.prom`` file in the collector's directory.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest, write_to_textfile
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from jobping.models import RunStatus
from jobping.orchestrator._report import RunReport

__all__ = ["render_metrics", "write_metrics"]

_SCRAPER_JOBS = ("found", "new", "updated", "unchanged", "duplicates", "invalid")
_PER_SCRAPER = (
    ("requests", "Requests sent per scraper."),
    ("retries", "Retried attempts per scraper."),
    ("breaker_trips", "Breakers opened per scraper."),
    ("not_modified", "Targets answered 304 Not Modified per scraper (jobs marked seen unparsed)."),
    ("body_unchanged", "Targets whose body hash was unchanged per scraper (not parsed)."),
    ("duration_seconds", "Time per scraper."),
)


def render_metrics(report: RunReport) -> str:
    """The report's metrics in the Prometheus text exposition format."""
    return generate_latest(_registry(report)).decode("utf-8")


def write_metrics(path: Path, report: RunReport) -> None:
    """Write the report's metrics to ``path`` atomically."""
    write_to_textfile(str(path), _registry(report))


def _registry(report: RunReport) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_ReportCollector(report))
    return registry


class _ReportCollector(Collector):
    """The gauges of one finished run's report."""

    def __init__(self, report: RunReport) -> None:
        self._report = report

    def collect(self) -> Iterator[Metric]:
        """Yield every metric family of the report."""
        yield from self._run()
        yield from self._tiers()
        yield from self._scrapers()

    def _run(self) -> Iterator[Metric]:
        report = self._report
        finished = report.finished_at or report.started_at
        status = _gauge("run_status", "1 for the status the last run ended with.", "status")
        for each in RunStatus:
            status.add_metric([each.value], float(report.status is each))
        yield status
        yield _gauge(
            "run_finished_timestamp_seconds",
            "When the last run ended (Unix time).",
            value=finished.timestamp(),
        )
        yield _gauge(
            "run_duration_seconds",
            "How long the last run took.",
            value=(finished - report.started_at).total_seconds(),
        )
        jobs = _gauge("run_jobs", "Jobs of the last run, by kind.", "kind")
        for kind, value in report.totals().items():
            jobs.add_metric([kind], float(value))
        yield jobs

    def _tiers(self) -> Iterator[Metric]:
        ran = _gauge("tier_ran", "1 if the tier ran in the last run.", "tier", "name")
        jobs = _gauge("tier_jobs", "Jobs each tier contributed to the last run.", "tier", "name")
        for tier in self._report.tiers:
            ran.add_metric([str(tier.number), tier.name], float(tier.ran))
            jobs.add_metric([str(tier.number), tier.name], float(tier.contributed))
        yield ran
        yield jobs

    def _scrapers(self) -> Iterator[Metric]:
        scrapers = self._report.scrapers
        status = _gauge(
            "scraper_status", "1 for each scraper's status in the last run.", "scraper", "status"
        )
        jobs = _gauge(
            "scraper_jobs", "Jobs per scraper and kind in the last run.", "scraper", "kind"
        )
        for s in scrapers:
            status.add_metric([s.name, s.status], 1.0)
            for kind in _SCRAPER_JOBS:
                jobs.add_metric([s.name, kind], float(getattr(s, kind)))
        yield status
        yield jobs
        for name, text in _PER_SCRAPER:
            family = _gauge(f"scraper_{name}", text, "scraper")
            for s in scrapers:
                family.add_metric([s.name], float(getattr(s, name)))
            yield family
        quota = _gauge(
            "scraper_quota_left",
            "Quota units left per scraper, domain and window.",
            "scraper",
            "domain",
            "window",
        )
        for s in scrapers:
            for domain, windows in s.quota_left.items():
                for window, left in windows.items():
                    quota.add_metric([s.name, domain, window], float(left))
        yield quota


def _gauge(name: str, text: str, *labels: str, value: float | None = None) -> GaugeMetricFamily:
    """An empty gauge family ``jobping_<name>``, or one holding the unlabelled ``value``."""
    return GaugeMetricFamily(f"jobping_{name}", text, value=value, labels=labels or None)
