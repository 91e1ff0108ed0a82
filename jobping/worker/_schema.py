"""The queue's schema: procrastinate's own tables and ours, versioned, applied idempotently.

``jobping db migrate`` calls :func:`migrate_queue` after the store's migrations. A table
``jobping_queue_schema(component, version)`` records what the database has: component
``procrastinate`` (the procrastinate version whose schema is applied) and ``jobping_worker``
(the number of our own migration files, ``migrations/NNNN_name.sql``, applied).

Each change is one ``DO`` block that takes a transaction-scoped advisory lock, re-reads the
recorded version and applies its SQL only when the version is still the one this process
read: several processes migrating at once apply each piece exactly once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import procrastinate
from procrastinate import App
from procrastinate.exceptions import ConnectorException
from procrastinate.schema import SchemaManager

from jobping.errors import MigrationError
from jobping.store import Migration, load_migrations

__all__ = ["QueueSchema", "migrate_queue", "queue_schema"]

PROCRASTINATE = "procrastinate"
JOBPING_WORKER = "jobping_worker"
_LOCK_KEY = 718_241_001  # pg_advisory_xact_lock key of queue migrations
_VERSIONS = f"""
DO $jobping_queue$
BEGIN
    PERFORM pg_advisory_xact_lock({_LOCK_KEY});
    CREATE TABLE IF NOT EXISTS jobping_queue_schema (
        component  text PRIMARY KEY,
        version    text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
    );
END
$jobping_queue$"""
"""The table of versions, created under the lock (concurrent CREATE IF NOT EXISTS races)."""
_MIGRATION_FILE = re.compile(r"(\d+)\.(\d+)\.(\d+)_\d+_.*\.sql")


@dataclass(frozen=True, slots=True)
class QueueSchema:
    """Where the queue's schema stands: each component's version, applied and available."""

    procrastinate: str | None
    latest_procrastinate: str
    jobping_worker: int
    latest_jobping_worker: int

    @property
    def pending(self) -> list[str]:
        """What ``migrate_queue`` would apply, as labels."""
        pending = []
        if self.procrastinate != self.latest_procrastinate:
            pending.append(f"procrastinate {self.latest_procrastinate}")
        pending += [
            f"worker {version:04d}"
            for version in range(self.jobping_worker + 1, self.latest_jobping_worker + 1)
        ]
        return pending

    def to_dict(self) -> dict[str, object]:
        """Plain data for ``--json``."""
        return {
            "procrastinate": self.procrastinate,
            "worker_version": self.jobping_worker,
            "pending": self.pending,
        }


async def queue_schema(app: App) -> QueueSchema:
    """Read the queue schema's versions without changing anything."""
    recorded = await _recorded(app)
    worker = recorded.get(JOBPING_WORKER)
    return QueueSchema(
        procrastinate=recorded.get(PROCRASTINATE),
        latest_procrastinate=procrastinate.__version__,
        jobping_worker=int(worker) if worker else 0,
        latest_jobping_worker=len(_worker_migrations()),
    )


async def migrate_queue(app: App) -> QueueSchema:
    """Apply what the queue's schema lacks (safe to run again, and concurrently)."""
    await app.connector.execute_query_async(_VERSIONS)
    before = await queue_schema(app)
    if before.procrastinate != before.latest_procrastinate:
        sql = _procrastinate_sql(before.procrastinate)
        await _apply(app, PROCRASTINATE, before.procrastinate, before.latest_procrastinate, sql)
    for migration in _worker_migrations()[before.jobping_worker :]:
        previous = str(migration.version - 1) if migration.version > 1 else None
        sql = f"EXECUTE {_quoted(migration.sql)};"
        await _apply(app, JOBPING_WORKER, previous, str(migration.version), sql)
    return await queue_schema(app)


async def _recorded(app: App) -> dict[str, str]:
    exists = await app.connector.execute_query_one_async(
        "SELECT to_regclass('jobping_queue_schema') IS NOT NULL AS present"
    )
    if not exists["present"]:
        return {}
    rows = await app.connector.execute_query_all_async(
        "SELECT component, version FROM jobping_queue_schema"
    )
    return {row["component"]: row["version"] for row in rows}


def _procrastinate_sql(applied: str | None) -> str:
    """The SQL taking procrastinate's schema from ``applied`` (None: nothing) to the latest.

    A schema created without us (``procrastinate schema --apply``) is adopted, not re-created.
    """
    if applied is None:
        schema = SchemaManager.get_schema()
        create = f"EXECUTE {_quoted(schema)};"
        return f"IF to_regclass('procrastinate_jobs') IS NULL THEN {create} END IF;"
    start = _version_tuple(applied)
    folder = Path(SchemaManager.get_migrations_path())
    steps = sorted(
        (_version_tuple(match[0]), path.name, path)
        for path in folder.glob("*.sql")
        if (match := _MIGRATION_FILE.fullmatch(path.name))
    )
    newer = [path for version, _name, path in steps if version > start]
    return " ".join(f"EXECUTE {_quoted(p.read_text(encoding='utf-8'))};" for p in newer)


async def _apply(app: App, component: str, expected: str | None, version: str, sql: str) -> None:
    """Run the PL/pgSQL ``sql``, recording ``version``, if ``component`` is at ``expected``.

    The SQL is ours or procrastinate's own files; the values are quoted by ``_literal``.
    """
    block = f"""
DO $jobping_queue$
BEGIN
    PERFORM pg_advisory_xact_lock({_LOCK_KEY});
    IF (SELECT version FROM jobping_queue_schema WHERE component = {_literal(component)})
       IS NOT DISTINCT FROM {"NULL" if expected is None else _literal(expected)} THEN
        {sql}
        INSERT INTO jobping_queue_schema (component, version)
        VALUES ({_literal(component)}, {_literal(version)})
        ON CONFLICT (component) DO UPDATE SET version = EXCLUDED.version, applied_at = now();
    END IF;
END
$jobping_queue$"""  # noqa: S608 - no outside input: see the docstring
    try:
        await app.connector.execute_query_async(block.replace("%", "%%"))
    except ConnectorException as exc:
        raise MigrationError(f"queue migration {component} {version} failed: {exc}") from exc


def _worker_migrations() -> tuple[Migration, ...]:
    return load_migrations(files("jobping.worker") / "migrations")


def _quoted(sql: str) -> str:
    tag = "$jobping_sql$"
    if tag in sql:
        raise MigrationError("a queue migration contains the quoting tag $jobping_sql$")
    return f"{tag}{sql}{tag}"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])
