"""``jobping db migrate`` and ``jobping db status``: the store's schema against this JobPing.

``status`` reads the schema version without changing anything and exits 1 while migrations
are pending; ``migrate`` applies them (SQLite and PostgreSQL; Supabase's REST API cannot
change a schema, so there it names the files to apply and how).
"""

from __future__ import annotations

from typing import Annotated, Any

import anyio
import typer

from jobping.cli._console import emit_json, stdout
from jobping.cli._exit import ExitCode
from jobping.cli._state import AppState
from jobping.settings import Settings
from jobping.store import SchemaStatus, open_store, schema_status, store_options

__all__ = ["app", "migrate", "status"]

app = typer.Typer(
    name="db",
    help="The store's schema: show where it stands, apply the missing migrations.",
    no_args_is_help=True,
)

_JSON = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


@app.command("status")
def status(ctx: typer.Context, as_json: _JSON = False) -> None:
    """Show the store's schema version and the migrations not applied yet (exit 1 if any).

    The store is DATABASE_URL; nothing is changed.
    """
    state: AppState = ctx.obj
    current = anyio.run(_read, state.settings())
    queue = anyio.run(_queue, state.settings(), False)
    report = _report(current) | ({"queue": queue} if queue else {})
    if as_json:
        emit_json(report)
    elif current.pending:
        stdout().print(
            f"{current.backend}: schema version {current.version} of {current.latest};"
            f" pending: {', '.join(current.pending)} (run `jobping db migrate`)"
        )
    else:
        stdout().print(f"{current.backend}: schema version {current.version}, up to date")
    if queue and not as_json:
        stdout().print(_queue_line(queue))
    if current.pending:
        raise typer.Exit(ExitCode.FAILED)


@app.command("migrate")
def migrate(ctx: typer.Context, as_json: _JSON = False) -> None:
    """Apply the migrations DATABASE_URL's schema lacks; safe to run again, and concurrently.

    With DATABASE_URL=supabase, set it to the project's postgresql:// connection string
    instead, or paste the files of jobping/store/migrations/postgres into the SQL editor.
    """
    state: AppState = ctx.obj
    before, after = anyio.run(_migrate, state.settings())
    queue = anyio.run(_queue, state.settings(), True)
    applied = [label for label in before.pending if label not in after.pending]
    if as_json:
        extra = {"queue": queue} if queue else {}
        emit_json(_report(after) | {"from_version": before.version, "applied": applied} | extra)
    elif applied:
        stdout().print(
            f"{after.backend}: applied {', '.join(applied)}; schema version {after.version}"
        )
    else:
        stdout().print(f"{after.backend}: schema version {after.version}, nothing to apply")
    if queue and not as_json:
        stdout().print(_queue_line(queue))


async def _read(settings: Settings) -> SchemaStatus:
    return await schema_status(settings.database_url, **store_options(settings))


async def _migrate(settings: Settings) -> tuple[SchemaStatus, SchemaStatus]:
    """The status before, then after opening the store (which applies what is missing)."""
    before = await _read(settings)
    store = await open_store(settings.database_url, **store_options(settings))
    await store.close()
    return before, await _read(settings)


async def _queue(settings: Settings, apply: bool) -> dict[str, Any] | None:
    """The worker queue's schema (applied first with ``apply``), if there can be one.

    None without PostgreSQL or without the worker extra.
    """
    url = settings.database_url
    if not url.startswith(("postgresql://", "postgres://")):
        return None
    try:
        from jobping.worker import queue_schema_at  # noqa: PLC0415 (optional extra)
    except ImportError:
        return None
    return (await queue_schema_at(url, apply=apply)).to_dict()


def _queue_line(queue: dict[str, Any]) -> str:
    pending = queue["pending"]
    state = f"pending: {', '.join(pending)}" if pending else "up to date"
    versions = f"procrastinate {queue['procrastinate']}, worker schema {queue['worker_version']}"
    return f"worker queue: {versions}, {state}"


def _report(current: SchemaStatus) -> dict[str, Any]:
    return {
        "backend": current.backend,
        "version": current.version,
        "latest": current.latest,
        "pending": current.pending,
    }
