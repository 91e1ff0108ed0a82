"""``jobping db migrate`` and ``jobping db status``: the store's schema against this JobPing.

``status`` reads the schema version without changing anything and exits 1 while migrations
are pending; ``migrate`` applies them (SQLite and PostgreSQL; Supabase's REST API cannot
change a schema, so there it names the files to apply and how).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from jobping.cli._console import emit_json, stderr, stdout
from jobping.cli._exit import ExitCode
from jobping.cli._state import AppState

if TYPE_CHECKING:
    from jobping.store import SchemaStatus

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
    import anyio  # noqa: PLC0415 (fast start-up)

    from jobping.services import queue_schema, read_schema  # noqa: PLC0415 (fast start-up)

    state: AppState = ctx.obj
    settings = state.settings()
    current = anyio.run(read_schema, settings)
    queue = anyio.run(lambda: queue_schema(settings, apply=False))
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
    import anyio  # noqa: PLC0415 (fast start-up)

    from jobping.cli._views.live import busy  # noqa: PLC0415 (rich)
    from jobping.services import migrate_schema, queue_schema  # noqa: PLC0415 (fast start-up)

    state: AppState = ctx.obj
    settings = state.settings()
    with busy(stderr(), "applying the missing migrations"):
        before, after = anyio.run(migrate_schema, settings)
        queue = anyio.run(lambda: queue_schema(settings, apply=True))
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
