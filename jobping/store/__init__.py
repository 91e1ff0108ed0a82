"""The store: role interfaces, several backends, one chosen once by ``open_store``.

Consumers ask for the roles they use (``JobStore``, ``EnrichmentBacklog``, ``RunLog``,
``LeaseStore``, ``QuotaLedger``, ``BreakerStore``, ``BudgetLedger``); ``Store`` is all of them
on one database, as :func:`open_store` returns it.

``DATABASE_URL`` picks the backend: ``sqlite:///relative/path``, ``sqlite:////absolute/path``
or ``sqlite:///:memory:`` for the embedded SQLite file; ``postgresql://user:password@host/db``
(or ``postgres://``) for PostgreSQL, Supabase's own database included; ``supabase`` for
Supabase's REST API with ``SUPABASE_URL`` and ``SUPABASE_SERVICE_ROLE_KEY``. The backend
modules are imported only when chosen (psycopg and supabase are heavy imports).

``load_migrations`` reads a folder of numbered SQL files as ``Migration`` objects: the
store's own schema, and the worker queue's (``jobping.worker``), are versioned the same way.
"""

from __future__ import annotations

from typing import Any

from jobping._database_urls import POSTGRES_PREFIXES as _POSTGRES_PREFIXES
from jobping._database_urls import SQLITE_PREFIX as _SQLITE_PREFIX
from jobping._database_urls import SUPABASE as _SUPABASE
from jobping.errors import ConfigError
from jobping.settings import Settings
from jobping.store._migrate import Migration, load_migrations
from jobping.store._roles import (
    BreakerStore,
    BudgetLedger,
    EnrichmentBacklog,
    JobStore,
    LeaseStore,
    QuotaLedger,
    RunLog,
    Store,
)
from jobping.store._status import SchemaStatus, sqlite_schema_version
from jobping.store._values import (
    BreakerSnapshot,
    BudgetCounters,
    BudgetHold,
    BudgetUsage,
    BudgetWindow,
    QuotaWindow,
    UpsertResult,
    UsageTotal,
)
from jobping.store.sqlite import SqliteStore

__all__ = [
    "BreakerSnapshot",
    "BreakerStore",
    "BudgetCounters",
    "BudgetHold",
    "BudgetLedger",
    "BudgetUsage",
    "BudgetWindow",
    "EnrichmentBacklog",
    "JobStore",
    "LeaseStore",
    "Migration",
    "QuotaLedger",
    "QuotaWindow",
    "RunLog",
    "SchemaStatus",
    "Store",
    "UpsertResult",
    "UsageTotal",
    "load_migrations",
    "open_store",
    "schema_status",
    "store_options",
]


async def open_store(database_url: str, **kwargs: Any) -> Store:
    """Open the store that ``database_url`` names, its schema migrated to the latest version.

    Supabase's REST API cannot change a schema: that store checks the schema is current.

    Args:
        database_url: ``sqlite:///path``, ``postgresql://...`` (``postgres://...``) or
            ``supabase``.
        **kwargs: Options of the backend, as :func:`store_options` gives them from the
            settings. SQLite: ``busy_timeout_seconds``. PostgreSQL: ``pool_min_size``,
            ``pool_max_size``, ``connect_timeout_seconds``, ``statement_timeout_seconds``,
            ``idle_in_transaction_timeout_seconds``. Supabase: ``url``, ``service_role_key``,
            ``timeout_seconds``.

    Raises:
        ConfigError: The URL names no backend, or an option is missing or invalid.
        StoreError: The database cannot be opened or migrated.
    """
    if database_url.startswith(_SQLITE_PREFIX):
        return await SqliteStore.open(_sqlite_path(database_url), **kwargs)
    if database_url.startswith(_POSTGRES_PREFIXES):
        from jobping.store.postgres import PostgresStore  # noqa: PLC0415 (heavy, optional)

        return await PostgresStore.open(database_url, **kwargs)
    if database_url == _SUPABASE:
        from jobping.store.supabase import SupabaseStore  # noqa: PLC0415 (heavy, optional)

        return await SupabaseStore.open(**kwargs)
    raise _unsupported(database_url)


async def schema_status(database_url: str, **kwargs: Any) -> SchemaStatus:
    """Where the schema of ``database_url`` stands, read without migrating anything.

    Takes the same arguments as :func:`open_store` (SQLite needs none).
    """
    if database_url.startswith(_SQLITE_PREFIX):
        backend, version = sqlite_schema_version(_sqlite_path(database_url))
        return SchemaStatus.of(backend, version, "sqlite")
    if database_url.startswith(_POSTGRES_PREFIXES):
        from jobping.store.postgres import PostgresStore  # noqa: PLC0415 (heavy, optional)

        backend, version = await PostgresStore.read_schema_version(database_url, **kwargs)
    elif database_url == _SUPABASE:
        from jobping.store.supabase import SupabaseStore  # noqa: PLC0415 (heavy, optional)

        backend, version = await SupabaseStore.read_schema_version(**kwargs)
    else:
        raise _unsupported(database_url)
    return SchemaStatus.of(backend, version, "postgres")


def store_options(settings: Settings) -> dict[str, Any]:
    """The keyword arguments of :func:`open_store` for the backend the settings choose."""
    url = settings.database_url
    if url.startswith(_POSTGRES_PREFIXES):
        return {
            "pool_min_size": settings.pg_pool_min_size,
            "pool_max_size": settings.pg_pool_max_size,
            "connect_timeout_seconds": settings.pg_connect_timeout_seconds,
            "statement_timeout_seconds": settings.pg_statement_timeout_seconds,
            "idle_in_transaction_timeout_seconds": settings.pg_idle_in_transaction_timeout_seconds,
        }
    if url == _SUPABASE:
        key = settings.supabase_service_role_key
        return {
            "url": settings.supabase_url,
            "service_role_key": key.get_secret_value() if key else None,
            "timeout_seconds": settings.pg_statement_timeout_seconds,
        }
    return {}


def _sqlite_path(database_url: str) -> str:
    path = database_url.removeprefix(_SQLITE_PREFIX)
    if not path:
        raise ConfigError({"DATABASE_URL": "sqlite:/// needs a file path after it"})
    return path


def _unsupported(database_url: str) -> ConfigError:
    scheme = database_url.partition(":")[0]  # never echo the rest: it may hold a password
    problem = (
        f"unsupported database URL scheme {scheme!r};"
        " expected sqlite:///path, postgresql://... or supabase"
    )
    return ConfigError({"DATABASE_URL": problem})
