"""The task queue: a procrastinate ``App`` on the store's own PostgreSQL database.

The queue needs PostgreSQL: ``DATABASE_URL`` must be a ``postgresql://`` (or ``postgres://``)
URL, a Supabase project's connection string included. SQLite (the embedded default) and
Supabase's REST API have no queue: :func:`queue_url` says so, naming the key.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from procrastinate import App, PsycopgConnector

from jobping.errors import ConfigError
from jobping.settings import ScheduleConfig
from jobping.worker._names import QUEUES
from jobping.worker._schema import QueueSchema, migrate_queue, queue_schema
from jobping.worker._status import queue_status
from jobping.worker._tasks import add_tasks

__all__ = ["QUEUES", "open_queue", "queue_schema_at", "queue_status_at", "queue_url"]

_POSTGRES_PREFIXES = ("postgresql://", "postgres://")


def queue_url(database_url: str) -> str:
    """``database_url`` if it can hold the queue, else ``ConfigError`` naming DATABASE_URL."""
    if database_url.startswith(_POSTGRES_PREFIXES):
        return database_url
    scheme = database_url.partition(":")[0]
    kind = "a SQLite file" if scheme == "sqlite" else f"{scheme!r}"
    raise ConfigError(
        {
            "DATABASE_URL": f"workers need PostgreSQL (postgresql://user@host/db, Supabase's"
            f" connection string included) to share the task queue; it names {kind}."
            " SQLite is for a single `jobping run`."
        }
    )


@asynccontextmanager
async def open_queue(
    database_url: str, *, pool_max_size: int = 10, schedule: ScheduleConfig | None = None
) -> AsyncIterator[App]:
    """The procrastinate app with JobPing's tasks, its connection pool open for the block.

    A worker passes its ``schedule``: its periodic tasks are offered by this app's workers.
    """
    connector = PsycopgConnector(
        conninfo=queue_url(database_url), min_size=1, max_size=pool_max_size
    )
    app = App(connector=connector)
    add_tasks(app, schedule)
    async with app.open_async():
        yield app


async def queue_schema_at(database_url: str, *, apply: bool = False) -> QueueSchema:
    """The queue schema of ``database_url`` (migrated first with ``apply``)."""
    async with open_queue(database_url, pool_max_size=2) as app:
        return await (migrate_queue(app) if apply else queue_schema(app))


async def queue_status_at(
    database_url: str, schedule: ScheduleConfig, *, now: datetime
) -> dict[str, Any]:
    """``queue_status`` of ``database_url``'s queue (``pending`` only, until it is migrated)."""
    async with open_queue(database_url, pool_max_size=2) as app:
        if pending := (await queue_schema(app)).pending:
            return {"pending": pending}
        return await queue_status(app, schedule, now=now)
