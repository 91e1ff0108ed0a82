"""The queue and the workers as Prometheus text (``jobping worker --metrics-file``).

Families: ``jobping_queue_tasks{queue,status}`` (waiting, running, failed),
``jobping_workers``, ``jobping_worker_heartbeat_age_seconds{worker,host,pid}``,
``jobping_worker_tasks_running{worker,host,pid}`` and
``jobping_schedule_next_timestamp_seconds{entry}``: gauges of a registry made for one
reading, written like the run's metrics file (``prometheus_client.write_to_textfile``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest, write_to_textfile
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

__all__ = ["render_queue_metrics", "write_queue_metrics_file"]

_WHO = ("worker", "host", "pid")


def render_queue_metrics(status: dict[str, Any], *, now: datetime) -> str:
    """``queue_status``'s figures in the Prometheus text exposition format."""
    return generate_latest(_registry(status, now)).decode("utf-8")


def write_queue_metrics_file(path: Path, status: dict[str, Any], *, now: datetime) -> None:
    """Write ``queue_status``'s figures to ``path`` atomically."""
    write_to_textfile(str(path), _registry(status, now))


def _registry(status: dict[str, Any], now: datetime) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_QueueCollector(status, now))
    return registry


class _QueueCollector(Collector):
    """The gauges of one reading of the queue."""

    def __init__(self, status: dict[str, Any], now: datetime) -> None:
        self._status = status
        self._now = now

    def collect(self) -> Iterator[Metric]:
        """Yield every metric family of the reading."""
        status, workers = self._status, self._status["workers"]
        tasks = GaugeMetricFamily(
            "jobping_queue_tasks",
            "Tasks per queue: waiting (todo), running (doing), failed.",
            labels=["queue", "status"],
        )
        for queue, counts in status["queues"].items():
            for state, count in counts.items():
                tasks.add_metric([queue, state], float(count))
        yield tasks
        yield GaugeMetricFamily(
            "jobping_workers",
            "Workers registered (heartbeat not yet stale).",
            value=float(len(workers)),
        )
        age = _per_worker("heartbeat_age_seconds", "Seconds since each worker's last heartbeat.")
        running = _per_worker("tasks_running", "Tasks each worker is running.")
        for worker in workers:
            heartbeat = datetime.fromisoformat(worker["last_heartbeat"])
            age.add_metric(_who(worker), (self._now - heartbeat).total_seconds())
            running.add_metric(_who(worker), float(worker["running"]))
        yield age
        yield running
        upcoming = GaugeMetricFamily(
            "jobping_schedule_next_timestamp_seconds",
            "When each [schedule] entry next comes (Unix time).",
            labels=["entry"],
        )
        for key, at in status["next"].items():
            upcoming.add_metric([key], datetime.fromisoformat(at).timestamp())
        yield upcoming


def _per_worker(name: str, documentation: str) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"jobping_worker_{name}", documentation, labels=list(_WHO))


def _who(worker: dict[str, Any]) -> list[str]:
    return [str(worker["id"]), str(worker["host"]), str(worker["pid"])]
