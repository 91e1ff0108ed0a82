"""The store contract suite; shared test data lives here."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

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


def execute(
    store_url: str, sqlite_sql: str, postgres_sql: str, *params: object
) -> list[tuple[object, ...]]:
    """Run one statement on the store's database behind its back; the rows it returns."""
    if store_url.startswith("sqlite:///"):
        with sqlite3.connect(store_url.removeprefix("sqlite:///")) as connection:
            return connection.execute(sqlite_sql, params).fetchall()
    with psycopg.connect(store_url, autocommit=True) as connection:
        cursor = connection.execute(postgres_sql, params)
        return cursor.fetchall() if cursor.description else []
