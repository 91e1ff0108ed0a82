"""``jobping doctor``: the resolved settings (secrets masked), the store, missing keys."""

from __future__ import annotations

from typing import Annotated

import typer

from jobping.cli._console import emit_json
from jobping.cli._exit import ExitCode
from jobping.cli._state import AppState

__all__ = ["doctor"]


def doctor(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Check the configuration and the store: settings (secrets masked), schema, missing keys."""
    import anyio  # noqa: PLC0415 (fast start-up)

    from jobping.cli._views.doctor import render_doctor  # noqa: PLC0415 (rich)
    from jobping.services import diagnose  # noqa: PLC0415 (fast start-up)

    state: AppState = ctx.obj
    report = anyio.run(diagnose, state.settings())
    if as_json:
        emit_json(report)
    else:
        render_doctor(report)
    if report["store"].get("config"):
        raise typer.Exit(ExitCode.CONFIG)
    if not report["store"]["ok"]:
        raise typer.Exit(ExitCode.STORE)
