"""``jobping doctor``'s report: the settings table, the store, the missing keys."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from jobping.cli._console import stdout

__all__ = ["render_doctor"]


def render_doctor(report: dict[str, Any]) -> None:
    """The doctor's report (``jobping.services.diagnose``) on stdout."""
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
