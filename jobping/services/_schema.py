"""The store's schema: where it stands, and applying the migrations it lacks."""

from __future__ import annotations

from typing import Any

from jobping.services._store import settings_store, worker_queue
from jobping.settings import Settings
from jobping.store import SchemaStatus, schema_status, store_options

__all__ = ["migrate_schema", "queue_schema", "read_schema"]


async def read_schema(settings: Settings, *, missing_ok: bool = False) -> SchemaStatus:
    """The schema version of ``settings.database_url`` and its pending migrations; no change.

    A SQLite file that does not exist is ``NoDatabase`` unless ``missing_ok`` (version 0).
    """
    options = store_options(settings)
    return await schema_status(settings.database_url, missing_ok=missing_ok, **options)


async def migrate_schema(settings: Settings) -> tuple[SchemaStatus, SchemaStatus]:
    """The status before, then after opening the store (which applies what is missing)."""
    before = await read_schema(settings, missing_ok=True)
    async with settings_store(settings):
        pass
    return before, await read_schema(settings)


async def queue_schema(settings: Settings, *, apply: bool) -> dict[str, Any] | None:
    """The worker queue's schema (applied first with ``apply``), if there can be one.

    None without PostgreSQL or without the worker extra.
    """
    worker = worker_queue(settings)
    if worker is None:
        return None
    schema: dict[str, Any] = (
        await worker.queue_schema_at(settings.database_url, apply=apply)
    ).to_dict()
    return schema
