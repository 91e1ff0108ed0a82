"""The queue and the workers as Prometheus text (``jobping worker --metrics-file``).

Families: ``jobping_queue_tasks{queue,status}`` (waiting, running, failed),
``jobping_workers``, ``jobping_worker_heartbeat_age_seconds{worker,host,pid}``,
``jobping_worker_tasks_running{worker,host,pid}`` and
``jobping_schedule_next_timestamp_seconds{entry}``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from jobping.orchestrator._metrics import Sample, metric_family

__all__ = ["render_queue_metrics"]


def render_queue_metrics(status: dict[str, Any], *, now: datetime) -> str:
    """``queue_status``'s figures in the Prometheus text exposition format."""
    workers = status["workers"]
    families: list[tuple[str, str, list[Sample]]] = [
        (
            "queue_tasks",
            "Tasks per queue: waiting (todo), running (doing), failed.",
            [
                ({"queue": queue, "status": state}, float(count))
                for queue, counts in status["queues"].items()
                for state, count in counts.items()
            ],
        ),
        ("workers", "Workers registered (heartbeat not yet stale).", [({}, float(len(workers)))]),
        (
            "worker_heartbeat_age_seconds",
            "Seconds since each worker's last heartbeat.",
            [
                (_who(w), (now - datetime.fromisoformat(w["last_heartbeat"])).total_seconds())
                for w in workers
            ],
        ),
        (
            "worker_tasks_running",
            "Tasks each worker is running.",
            [(_who(w), float(w["running"])) for w in workers],
        ),
        (
            "schedule_next_timestamp_seconds",
            "When each [schedule] entry next comes (Unix time).",
            [
                ({"entry": key}, datetime.fromisoformat(at).timestamp())
                for key, at in status["next"].items()
            ],
        ),
    ]
    return "".join(
        metric_family(f"jobping_{name}", text, samples) for name, text, samples in families
    )


def _who(worker: dict[str, Any]) -> dict[str, str]:
    return {"worker": str(worker["id"]), "host": str(worker["host"]), "pid": str(worker["pid"])}
