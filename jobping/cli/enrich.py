"""``jobping enrich``: work through the jobs waiting for LLM enrichment, within the budget."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from jobping.cli._console import emit_json, stderr, stdout
from jobping.cli._exit import ExitCode
from jobping.cli._state import AppState

__all__ = ["enrich"]


def enrich(
    ctx: typer.Context,
    *,
    limit: Annotated[
        int, typer.Option("--limit", min=1, help="Most jobs to enrich in this run.")
    ] = 100,
    batch: Annotated[
        bool,
        typer.Option(
            "--batch", help="Send the jobs through the Batch API (half price, within 24 h)."
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Enrich jobs of the backlog (newest first) until the limit or the budget is reached.

    Batches sent earlier (``--batch``, or ``jobping run`` with ENRICH_BATCH) that the
    provider finished are collected first.
    """
    import anyio  # noqa: PLC0415 (fast start-up)

    from jobping.cli._views.live import busy  # noqa: PLC0415 (rich)
    from jobping.services import enrich_backlog  # noqa: PLC0415 (openai, tiktoken: fast start-up)

    state: AppState = ctx.obj
    settings = state.settings()
    with busy(stderr(), f"enriching up to {limit} jobs of the backlog"):
        report = anyio.run(lambda: enrich_backlog(settings, limit=limit, batch=batch))
    if as_json:
        emit_json(report)
    else:
        _render(report)
    if report["interrupted"]:
        raise typer.Exit(ExitCode.INTERRUPTED)
    if report["stopped"]:
        raise typer.Exit(ExitCode.FAILED)


def _render(report: dict[str, Any]) -> None:
    console = stdout()
    models = ", ".join(f"{model} {count}" for model, count in report["by_model"].items())
    console.print(
        f"enriched {report['enriched']} ({models or 'no call'}), cost ${report['cost_usd']:.4f};"
        f" skipped for the budget {report['skipped']}; failed {report['failed']}"
    )
    if report["submitted"] or report["batches_in_flight"]:
        console.print(
            f"sent in a batch {report['submitted']}; batches in flight"
            f" {report['batches_in_flight']} (collected by a later `jobping enrich`)"
        )
    for message in report["errors"]:
        console.print(f"failed: {message}")
    if report["stopped"]:
        console.print(f"stopped: {report['stopped']}")
    console.print(f"jobs waiting for enrichment: {report['backlog']:,}")
