"""``jobping budget``: LLM tokens and cost today and this month, against every limit.

Reads the ledger only: works without an API key.
"""

from __future__ import annotations

from typing import Annotated

import typer

from jobping.cli._console import emit_json
from jobping.cli._state import AppState

__all__ = ["budget"]


def budget(
    ctx: typer.Context,
    *,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Show LLM usage today and this month against the limits, per model and per day."""
    import anyio  # noqa: PLC0415 (fast start-up)

    from jobping.cli._views.budget import render_budget  # noqa: PLC0415 (rich)
    from jobping.services import gather_budget  # noqa: PLC0415 (tiktoken: fast start-up)

    state: AppState = ctx.obj
    settings = state.settings()
    report = anyio.run(lambda: gather_budget(settings))
    if as_json:
        emit_json(report)
    else:
        render_budget(report)
