"""``jobping status``: each known domain's breaker and today's quota, the lease, the last runs."""

from __future__ import annotations

from typing import Annotated

import typer

from jobping.cli._console import emit_json
from jobping.cli._state import AppState

__all__ = ["status"]


def status(
    ctx: typer.Context,
    *,
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON.")] = False,
    runs: Annotated[
        int,
        typer.Option(
            "--runs", min=1, max=1000, metavar="N", help="How many of the last runs to show."
        ),
    ] = 10,
) -> None:
    """Show each domain's breaker and quota used/left today, the run lease and the last runs."""
    import anyio  # noqa: PLC0415 (fast start-up)

    from jobping.services import gather_status  # noqa: PLC0415 (fast start-up)

    state: AppState = ctx.obj
    settings = state.settings()
    data = anyio.run(lambda: gather_status(settings, runs=runs))
    if as_json:
        emit_json(data)
    else:
        from jobping.cli._views.status import render_status  # noqa: PLC0415 (rich: a table)

        render_status(data)
