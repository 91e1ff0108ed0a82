"""The store a service works on: opened from the settings for one block, then closed."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import ModuleType

from jobping._database_urls import POSTGRES_PREFIXES
from jobping.settings import Settings
from jobping.store import Store, open_store, store_options

__all__ = ["settings_store", "worker_queue"]


@asynccontextmanager
async def settings_store(settings: Settings, *, create: bool = True) -> AsyncIterator[Store]:
    """The store at ``settings.database_url``, open for the block (``StoreError`` if not).

    The commands that only read pass ``create=False``: a missing SQLite file is then
    ``NoDatabase`` instead of a new, empty database.
    """
    store = await open_store(settings.database_url, create=create, **store_options(settings))
    try:
        yield store
    finally:
        await store.close()


def worker_queue(settings: Settings) -> ModuleType | None:
    """``jobping.worker`` when the settings' store can hold its queue, else None.

    The queue lives in PostgreSQL only, and needs the ``worker`` extra (procrastinate).
    """
    if not settings.database_url.startswith(POSTGRES_PREFIXES):
        return None
    try:
        return importlib.import_module("jobping.worker")
    except ImportError:
        return None
