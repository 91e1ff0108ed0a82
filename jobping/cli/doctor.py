"""``jobping doctor``: the resolved settings (secrets masked), the store, missing keys."""

from __future__ import annotations

from typing import Annotated, Any

import anyio
import typer
from rich.table import Table

from jobping.cli._console import emit_json, stdout
from jobping.cli._exit import ExitCode
from jobping.cli._state import AppState
from jobping.errors import JobPingError
from jobping.redact import redact_url
from jobping.settings import Settings
from jobping.store import open_store, store_options

__all__ = ["doctor"]

#: Optional keys, and what is off without them.
OPTIONAL_KEYS = {
    "openai_api_key": "LLM enrichment",
    "adzuna_app_id": "the adzuna scraper",
    "adzuna_app_key": "the adzuna scraper",
    "reed_api_key": "the reed scraper",
    "jsearch_api_key": "the jsearch scraper",
    "themuse_api_key": "a higher rate limit for the themuse scraper",
}


def doctor(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Check the configuration and the store: settings (secrets masked), schema, missing keys."""
    state: AppState = ctx.obj
    settings = state.settings()
    report = anyio.run(diagnose, settings)
    if as_json:
        emit_json(report)
    else:
        _render(report)
    if not report["store"]["ok"]:
        raise typer.Exit(ExitCode.STORE)


async def diagnose(settings: Settings) -> dict[str, Any]:
    """Gather the doctor report: never raises for a store problem, reports it instead."""
    values = settings.model_dump(mode="json")
    values["database_url"] = redact_url(settings.database_url)
    store: dict[str, Any] = {"url": values["database_url"], "ok": False}
    try:
        opened = await open_store(settings.database_url, **store_options(settings))
        try:
            store.update(
                ok=True, backend=opened.description, schema_version=await opened.schema_version()
            )
        finally:
            await opened.close()
    except JobPingError as exc:
        store["error"] = str(exc)
    missing = {
        name.upper(): purpose
        for name, purpose in OPTIONAL_KEYS.items()
        if getattr(settings, name) is None
    }
    return {"settings": values, "store": store, "missing_keys": missing}


def _render(report: dict[str, Any]) -> None:
    console = stdout()
    table = Table("setting", "value", title="settings (env > .env > jobping.toml > defaults)")
    for key, value in sorted(report["settings"].items()):
        table.add_row(key.upper(), str(value))
    console.print(table)
    store = report["store"]
    if store["ok"]:
        console.print(f"store: {store['backend']} (schema version {store['schema_version']})")
    else:
        console.print(f"store: FAILED: {store['error']}")
    for key, purpose in report["missing_keys"].items():
        console.print(f"missing: {key} (needed for {purpose})")
