"""The Supabase backend: the same store over Supabase's REST API, for a project URL and key.

Tables are read and written with the ``supabase`` client's query builder (PostgREST filters,
``upsert(on_conflict=...)``); every atomic operation (quotas, leases, the budget ledger, the
enrichment failure counter) is ``rpc()`` of the SQL functions the PostgreSQL backend calls,
with the same arguments (``_calls``). The store is flat: :class:`SupabaseQueries` (one
request each) and :class:`FunctionCalls` (one ``rpc()`` each) are mixins over its plumbing.
The schema is that of ``migrations/postgres``, applied with ``jobping db migrate`` on the
database URL or pasted into the Supabase SQL editor; the REST API cannot change it, so
opening only checks that it is current.

Upserts classify a batch against the rows read just before (PostgREST cannot lock them): two
processes upserting one new job at the same moment may both count it new; the rows stay right.
The service-role key goes only into the ``apikey`` and ``Authorization`` headers: it is never
logged, put in an error, or shown by ``repr``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from postgrest.types import CountMethod, ReturnMethod
from supabase import AsyncClient, AsyncClientOptions, PostgrestAPIError

from jobping.errors import ConfigError, MigrationError, StoreError
from jobping.models import Job
from jobping.redact import redact_text, redact_url
from jobping.store._calls import FunctionCalls, SqlFunctionCall
from jobping.store._migrate import migrations_for, pending_migrations
from jobping.store._rows import (
    SIGHTING_ROW,
    content_changed,
    iso,
    job_from_row,
    job_rows,
    kept_enrichment,
    latest_by_hash,
    sighting_of,
    sighting_rows,
)
from jobping.store._values import UpsertResult
from jobping.store.supabase._queries import PAGE_ROWS, SupabaseQueries

__all__ = ["SupabaseStore"]

#: Hashes per ``job_hash=in.(...)`` filter: keeps each URL well under proxies' limits.
IN_FILTER_CHUNK = 100
_MISSING_TABLE = frozenset({"PGRST205", "42P01"})
_SIGHTING_ONLY = frozenset(SIGHTING_ROW[1:])


class _Query(Protocol):
    async def execute(self) -> Any: ...


class SupabaseStore(SupabaseQueries, FunctionCalls):
    """The Store on Supabase's REST API; open it with :meth:`open`."""

    def __init__(self, client: AsyncClient, url: str, key: str) -> None:
        self._client: AsyncClient | None = client
        self._url = redact_url(url)
        self._key = key

    @classmethod
    async def open(cls, **options: Any) -> SupabaseStore:
        """Connect and check that the schema is current (``options`` as :meth:`connect`).

        Raises:
            ConfigError: SUPABASE_URL or SUPABASE_SERVICE_ROLE_KEY is missing or invalid.
            StoreError: Supabase cannot be reached or refuses the key.
            MigrationError: The schema lacks migrations (the message names them and how to
                apply them) or is newer than this code.
        """
        store = cls.connect(**options)
        try:
            pending = pending_migrations(migrations_for("postgres"), await store.schema_version())
        except BaseException:
            await store.close()
            raise
        if pending:
            await store.close()
            labels = ", ".join(migration.label for migration in pending)
            raise MigrationError(
                f"the Supabase schema lacks migrations {labels}: run `jobping db migrate` with"
                " DATABASE_URL set to the project's postgresql:// connection string, or paste"
                " jobping/store/migrations/postgres/*.sql into the Supabase SQL editor in order"
            )
        return store

    @classmethod
    def connect(
        cls, *, url: str | None, service_role_key: str | None, timeout_seconds: float = 30.0
    ) -> SupabaseStore:
        """A store on the project at ``url``; nothing is sent until the first call.

        ``timeout_seconds`` bounds each request (connect and read, rounded up to whole
        seconds; 0 leaves the supabase client's default).
        """
        if not url or not url.startswith(("https://", "http://")):
            problem = "must be the project URL (https://<project>.supabase.co)"
            raise ConfigError({"SUPABASE_URL": problem if url else "must be set"})
        if not service_role_key:
            raise ConfigError({"SUPABASE_SERVICE_ROLE_KEY": "must be set"})
        options = AsyncClientOptions(
            postgrest_client_retry=False, auto_refresh_token=False, persist_session=False
        )
        if timeout_seconds:
            options.postgrest_client_timeout = math.ceil(timeout_seconds)
        url = url.rstrip("/")
        client = AsyncClient(url, service_role_key, options)
        with warnings.catch_warnings():
            # supabase 2.x hands postgrest the `timeout` and `verify` arguments that postgrest
            # deprecates; nothing to do on our side. Build the REST client now, under the filter.
            warnings.filterwarnings(
                "ignore", "The '(timeout|verify)' parameter", DeprecationWarning
            )
            client.postgrest  # noqa: B018 (a property that builds the client)
        return cls(client, url, service_role_key)

    @classmethod
    async def read_schema_version(cls, **options: Any) -> tuple[str, int]:
        """The description and schema version of the project (0 before any migration)."""
        store = cls.connect(**options)
        try:
            return store.description, await store.schema_version()
        finally:
            await store.close()

    @property
    def description(self) -> str:
        """``Supabase <project URL>`` (never the key)."""
        return f"Supabase {self._url}"

    def __repr__(self) -> str:
        return f"<SupabaseStore {self._url} {'closed' if self._client is None else 'open'}>"

    async def close(self) -> None:
        """Close the HTTP connections; idempotent."""
        client, self._client = self._client, None
        if client is not None:
            await client.postgrest.aclose()

    async def schema_version(self) -> int:
        """The highest migration version applied (0 while ``schema_migrations`` is missing)."""
        try:
            rows = await self._rows(
                self._table("schema_migrations")
                .select("version")
                .order("version", desc=True)
                .limit(1)
            )
        except StoreError as exc:
            if getattr(exc.__cause__, "code", None) in _MISSING_TABLE:
                return 0
            raise
        return int(rows[0]["version"]) if rows else 0

    # jobs -------------------------------------------------------------------------------
    async def upsert_jobs(self, jobs: Sequence[Job], *, seen_at: datetime) -> UpsertResult:
        """Mark the unchanged seen, then read the rest's stored rows and upsert them.

        The unchanged (their stored digest is theirs) are one ``rpc`` of
        ``jobping_mark_seen_unchanged``; the rest one read and one upsert on ``job_hash`` of
        ``jobs``, then one of their ``job_sightings``.
        Counts follow the JobStore role; a stored job keeps its ``created_at`` and, once
        enriched, its enriched fields.
        """
        batch = latest_by_hash(jobs)
        if not batch:
            return UpsertResult()
        sighted = sighting_rows(batch.values())
        params = {"p_rows": sighted, "p_seen_at": iso(seen_at)}
        marked = set(await self._call(SqlFunctionCall("jobping_mark_seen_unchanged", params)))
        unmarked = (job for h, job in batch.items() if h not in marked)
        rows = job_rows(unmarked, seen_at=seen_at, sighted=sighted)
        if not rows:
            return UpsertResult(0, 0, len(marked))
        stored = await self._stored_jobs(list(rows))
        updated, writes = 0, []
        for job_hash, row in rows.items():
            old = stored.get(job_hash)
            if old is None:
                writes.append(row)
                continue
            updated += content_changed(old, batch[job_hash])
            # Known but not marked: its stored digest is not this one, so the row is written.
            kept = kept_enrichment(old) if old.enriched_at else {}
            writes.append(row | kept | {"created_at": iso(old.created_at)})
        jobs_rows = [{k: v for k, v in row.items() if k not in _SIGHTING_ONLY} for row in writes]
        await self._upsert("jobs", jobs_rows, on_conflict="job_hash")
        sightings = [sighting_of(row) for row in writes]
        await self._upsert("job_sightings", sightings, on_conflict="job_hash")
        return UpsertResult(len(rows) - len(stored), updated, len(marked) + len(stored) - updated)

    async def _stored_jobs(self, hashes: list[str]) -> dict[str, Job]:
        stored: dict[str, Job] = {}
        for first in range(0, len(hashes), IN_FILTER_CHUNK):
            chunk = hashes[first : first + IN_FILTER_CHUNK]
            rows = await self._rows(self._table("jobs_view").select("*").in_("job_hash", chunk))
            stored.update((job.job_hash, job) for job in map(job_from_row, rows))
        return stored

    # plumbing ---------------------------------------------------------------------------
    def _table(self, name: str) -> Any:
        """A PostgREST query builder on table ``name``."""
        return self._open_client().table(name)

    def _head_count(self, table: str) -> Any:
        """A ``HEAD`` query of ``table`` asking for an exact count of the filtered rows."""
        return self._table(table).select("*", count=CountMethod.exact, head=True)

    def _patch(self, table: str, values: Mapping[str, Any]) -> Any:
        """An update of ``table`` that returns no rows, only their exact count."""
        return self._table(table).update(
            dict(values), count=CountMethod.exact, returning=ReturnMethod.minimal
        )

    async def _upsert(self, table: str, rows: list[dict[str, Any]], *, on_conflict: str) -> None:
        """``POST ?on_conflict=...`` with ``Prefer: resolution=merge-duplicates``."""
        query = self._table(table).upsert(
            rows, on_conflict=on_conflict, returning=ReturnMethod.minimal
        )
        await self._execute(query)

    async def _call(self, call: SqlFunctionCall) -> Any:
        """``rpc()`` of a SQL function; what it returns (decoded JSON)."""
        rpc = self._open_client().rpc(call.function, call.params)
        return (await self._execute(rpc)).data

    def _open_client(self) -> AsyncClient:
        if self._client is None:
            raise StoreError(f"the Supabase store {self._url} is closed")
        return self._client

    async def _rows(self, query: _Query) -> list[dict[str, Any]]:
        """The rows a query returns (StoreError if the answer is not a list of rows)."""
        data = (await self._execute(query)).data
        if not isinstance(data, list):
            raise StoreError(f"Supabase {self._url}: expected rows, got {type(data).__name__}")
        return data

    async def _count(self, query: _Query) -> int:
        """The exact count a query's response carries (``Content-Range``)."""
        count = (await self._execute(query)).count
        if count is None:
            raise StoreError(f"Supabase {self._url}: the response carries no row count")
        return int(count)

    async def _pages(
        self, query: Callable[[], Any], size: int = PAGE_ROWS
    ) -> AsyncIterator[dict[str, Any]]:
        """Every row of an ordered query, one ``Range`` page of ``size`` rows at a time."""
        first = 0
        while True:
            rows = await self._rows(query().range(first, first + size - 1))
            for row in rows:
                yield row
            if len(rows) < size:
                return
            first += size

    async def _execute(self, query: _Query) -> Any:
        """Send one request; any failure becomes a StoreError without the key."""
        try:
            return await query.execute()
        except PostgrestAPIError as exc:
            problem = "; ".join(
                str(part) for part in (exc.message, exc.code, exc.hint, exc.details) if part
            )
            raise StoreError(self._redacted(problem or "the request was refused")) from exc
        except Exception as exc:  # httpx's errors, which only jobping.http may import
            raise StoreError(
                self._redacted(f"request failed: {type(exc).__name__}: {exc}")
            ) from exc

    def _redacted(self, problem: str) -> str:
        return f"Supabase {self._url}: {redact_text(problem, [self._key])}"
