"""The store: one contract (``Store``), several backends, chosen once by ``open_store``.

``DATABASE_URL`` picks the backend: ``sqlite:///relative/path``, ``sqlite:////absolute/path``
or ``sqlite:///:memory:`` for the embedded SQLite file. PostgreSQL (``postgresql://``) and
Supabase (``supabase``) follow in their own issue.
"""

from __future__ import annotations

from typing import Any

from jobping.errors import ConfigError
from jobping.store._base import BreakerSnapshot, QuotaWindow, Store, UpsertResult
from jobping.store._sqlite import SqliteStore

__all__ = ["BreakerSnapshot", "QuotaWindow", "Store", "UpsertResult", "open_store"]

_SQLITE_PREFIX = "sqlite:///"


async def open_store(database_url: str, **kwargs: Any) -> Store:
    """Open the store that ``database_url`` names, its schema migrated to the latest version.

    Args:
        database_url: ``sqlite:///path`` (``sqlite:////abs/path``, ``sqlite:///:memory:``).
        **kwargs: Options of the backend (SQLite: ``busy_timeout_seconds``).

    Raises:
        ConfigError: The URL names no available backend (the message names DATABASE_URL).
        StoreError: The database cannot be opened or migrated.
    """
    if database_url.startswith(_SQLITE_PREFIX):
        path = database_url.removeprefix(_SQLITE_PREFIX)
        if not path:
            raise ConfigError({"DATABASE_URL": "sqlite:/// needs a file path after it"})
        return await SqliteStore.open(path, **kwargs)
    scheme = database_url.partition(":")[0]  # never echo the rest: it may hold a password
    if scheme in {"postgresql", "postgres", "supabase"}:
        problem = f"the {scheme} backend is not available yet; use sqlite:///path for now"
    else:
        problem = (
            f"unsupported database URL scheme {scheme!r};"
            " expected sqlite:///path, postgresql://... or supabase"
        )
    raise ConfigError({"DATABASE_URL": problem})
