"""The store contract suite; shared test data lives here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from jobping.models import Job

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def build_job(n: int, **changes: Any) -> Job:
    """Job number ``n`` with plausible fields, posted ``n`` minutes before ``NOW``."""
    fields: dict[str, Any] = {
        "job_hash": f"hash-{n:06d}",
        "title": f"Engineer {n}",
        "company": "Acme",
        "job_url": f"https://jobs.example.com/{n}",
        "source": "greenhouse",
        "posted_at": NOW - timedelta(minutes=n),
    }
    return Job(**(fields | changes))
