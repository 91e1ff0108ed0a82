"""``jobping lease release``: free the run lease a crashed or stuck run left behind."""

from __future__ import annotations

from typing import Annotated

import typer

from jobping.cli._console import emit_json, stdout
from jobping.cli._exit import ExitCode
from jobping.cli._state import AppState

__all__ = ["app", "release"]

app = typer.Typer(
    name="lease",
    help="The run lease: release one a crashed or stuck run left behind.",
    no_args_is_help=True,
)


@app.command("release")
def release(
    ctx: typer.Context,
    *,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Release the lease whoever holds it, a live run included (logged)."
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Release the run lease if its holder's process is gone (or, with --force, any holder).

    Exit 0 when released or already free; 4 when a live holder keeps it (without --force).
    """
    import anyio  # noqa: PLC0415 (fast start-up)

    from jobping.services import release_run_lease  # noqa: PLC0415 (fast start-up)

    state: AppState = ctx.obj
    settings = state.settings()
    result = anyio.run(lambda: release_run_lease(settings, force=force))
    if as_json:
        emit_json(result)
    else:
        lease = result["lease"]
        stdout().print(
            f"run lease of {lease['holder']}: {result['reason']}" if lease else result["reason"]
        )
    if result["lease"] is not None and not result["released"]:
        raise typer.Exit(ExitCode.LEASE_HELD)
