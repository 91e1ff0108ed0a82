"""The names of JobPing's tasks in the queue (``jobping:<name>``) and their locks."""

from __future__ import annotations

__all__ = [
    "ADVANCE",
    "ENRICH_UNIT",
    "NAMESPACE",
    "QUEUES",
    "SCRAPE_UNIT",
    "START_RUN",
    "full_name",
    "run_lock",
    "unit_lock",
]

QUEUES = ("runs", "scrape", "enrich")
"""The queues: run coordination, scraper targets, enrichment batches."""

NAMESPACE = "jobping"
START_RUN = "start_run"
ADVANCE = "advance"
SCRAPE_UNIT = "scrape_unit"
ENRICH_UNIT = "enrich_unit"


def full_name(task: str) -> str:
    """The task's name as the queue knows it."""
    return f"{NAMESPACE}:{task}"


def run_lock(run_id: str) -> str:
    """The lock of a run's coordinating task: one at a time, one waiting at most."""
    return f"jobping-advance:{run_id}"


def unit_lock(run_id: str, unit: str) -> str:
    """The lock of one unit's task: never two copies at once."""
    return f"jobping-unit:{run_id}:{unit}"
