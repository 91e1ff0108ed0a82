"""The store: role interfaces, several backends, one chosen once by ``open_store``.

Consumers ask for the roles they use (``JobStore``, ``EnrichmentBacklog``,
``EnrichmentBatches``, ``RunLog``, ``LeaseStore``, ``QuotaLedger``, ``BreakerStore``,
``BudgetLedger``); ``Store`` is all of them
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

from pathlib import Path
from typing import TYPE_CHECKING, Any

from jobping._database_urls import POSTGRES_PREFIXES as _POSTGRES_PREFIXES
from jobping._database_urls import SQLITE_PREFIX as _SQLITE_PREFIX
from jobping._database_urls import SUPABASE as _SUPABASE
from jobping.errors import ConfigError, MissingExtra, NoDatabase
from jobping.settings import Settings
from jobping.store._migrate import Migration, load_migrations
from jobping.store._query import JobFilter
from jobping.store._roles import (
    BreakerStore,
    BudgetLedger,
    EnrichmentBacklog,
    EnrichmentBatches,
    JobQueries,
    JobStore,
    LeaseStore,
    QuotaLedger,
    RunLog,
    Store,
    ValidatorStore,
)
from jobping.store._status import SchemaStatus, sqlite_schema_version
from jobping.store._values import (
    BATCH_STATES,
    BatchLine,
    BreakerSnapshot,
    BudgetCounters,
    BudgetHold,
    BudgetUsage,
    BudgetWindow,
    EnrichmentBatch,
    QuotaWindow,
    TargetValidators,
    UpsertResult,
    UsageTotal,
)
from jobping.store.sqlite import SqliteStore

if TYPE_CHECKING:
    from jobping.store.postgres import PostgresStore
    from jobping.store.supabase import SupabaseStore

__all__ = [
    "BATCH_STATES",
    "BatchLine",
    "BreakerSnapshot",
    "BreakerStore",
    "BudgetCounters",
    "BudgetHold",
    "BudgetLedger",
    "BudgetUsage",
    "BudgetWindow",
    "EnrichmentBacklog",
    "EnrichmentBatch",
    "EnrichmentBatches",
    "JobFilter",
    "JobQueries",
    "JobStore",
    "LeaseStore",
    "Migration",
    "QuotaLedger",
    "QuotaWindow",
    "RunLog",
    "SchemaStatus",
    "Store",
    "TargetValidators",
    "UpsertResult",
    "UsageTotal",
    "ValidatorStore",
    "load_migrations",
    "open_store",
    "schema_status",
    "store_options",
]


async def open_store(database_url: str, *, create: bool = True, **kwargs: Any) -> Store:
    """Open the store that ``database_url`` names, its schema migrated to the latest version.

    Supabase's REST API cannot change a schema: that store checks the schema is current.
    With ``create=False`` (the commands that only read) a SQLite file that does not exist
    is :class:`~jobping.errors.NoDatabase`, and nothing is created.

    Args:
        database_url: ``sqlite:///path``, ``postgresql://...`` (``postgres://...``) or
            ``supabase``.
        create: Whether a SQLite file that does not exist is created (False: NoDatabase).
        **kwargs: Options of the backend, as :func:`store_options` gives them from the
            settings. SQLite: ``busy_timeout_seconds``. PostgreSQL: ``pool_min_size``,
            ``pool_max_size``, ``connect_timeout_seconds``, ``statement_timeout_seconds``,
            ``idle_in_transaction_timeout_seconds``. Supabase: ``url``, ``service_role_key``,
            ``timeout_seconds``.

    Raises:
        ConfigError: The URL names no backend, or an option is missing or invalid;
            ``MissingExtra`` if the backend's package is not installed, ``NoDatabase``
            if ``create`` is false and the SQLite file does not exist.
        StoreError: The database cannot be opened or migrated.
    """
    if database_url.startswith(_SQLITE_PREFIX):
        path = _sqlite_path(database_url, must_exist=not create)
        return await SqliteStore.open(path, **kwargs)
    if database_url.startswith(_POSTGRES_PREFIXES):
        return await _postgres().open(database_url, **kwargs)
    if database_url == _SUPABASE:
        return await _supabase().open(**kwargs)
    raise _unsupported(database_url)


async def schema_status(
    database_url: str, *, missing_ok: bool = True, **kwargs: Any
) -> SchemaStatus:
    """Where the schema of ``database_url`` stands, read without migrating anything.

    Takes the same arguments as :func:`open_store` (SQLite needs none). A SQLite file that
    does not exist is version 0, or :class:`~jobping.errors.NoDatabase` if not ``missing_ok``.
    """
    if database_url.startswith(_SQLITE_PREFIX):
        path = _sqlite_path(database_url, must_exist=not missing_ok)
        backend, version = sqlite_schema_version(path)
        return SchemaStatus.of(backend, version, "sqlite")
    if database_url.startswith(_POSTGRES_PREFIXES):
        backend, version = await _postgres().read_schema_version(database_url, **kwargs)
    elif database_url == _SUPABASE:
        backend, version = await _supabase().read_schema_version(**kwargs)
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


def _postgres() -> type[PostgresStore]:
    """The PostgreSQL backend, imported now (psycopg is heavy and an optional extra)."""
    try:
        from jobping.store.postgres import PostgresStore  # noqa: PLC0415 (heavy, optional)
    except ImportError as exc:
        if (exc.name or "").partition(".")[0] not in {"psycopg", "psycopg_pool"}:
            raise
        raise MissingExtra("PostgreSQL", "'jobping[postgres]'") from None
    return PostgresStore


def _supabase() -> type[SupabaseStore]:
    """The Supabase REST backend, imported now (the supabase client is heavy)."""
    try:
        from jobping.store.supabase import SupabaseStore  # noqa: PLC0415 (heavy)
    except ImportError as exc:
        if (exc.name or "").partition(".")[0] not in {"supabase", "postgrest"}:
            raise
        raise MissingExtra("Supabase's REST API", "supabase") from None
    return SupabaseStore


def _sqlite_path(database_url: str, *, must_exist: bool = False) -> str:
    """The SQLite path of the URL; ``NoDatabase`` if ``must_exist`` and there is no file."""
    path = database_url.removeprefix(_SQLITE_PREFIX)
    if not path:
        raise ConfigError({"DATABASE_URL": "sqlite:/// needs a file path after it"})
    if must_exist and path != ":memory:" and not Path(path).exists():
        raise NoDatabase(str(Path(path).resolve()))
    return path


def _unsupported(database_url: str) -> ConfigError:
    scheme = database_url.partition(":")[0]  # never echo the rest: it may hold a password
    problem = (
        f"unsupported database URL scheme {scheme!r};"
        " expected sqlite:///path, postgresql://... or supabase"
    )
    return ConfigError({"DATABASE_URL": problem})
