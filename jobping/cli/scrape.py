"""``jobping scrape NAME``: run one scraper by hand, see every request and every parsed job.

Nothing is written to the store unless ``--store`` (then through the same sink as a run).
Outside ``--sandbox`` the store still keeps the request quotas and breakers of the real
sites (so a quota holds across commands); under ``--sandbox`` without ``--store`` the store
is not opened at all.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from jobping.cli._console import error
from jobping.cli._exit import ExitCode
from jobping.cli._state import AppState
from jobping.errors import MissingCredential

if TYPE_CHECKING:
    from jobping.http import RequestEvent, RequestHook

__all__ = ["scrape", "trace_event"]


def scrape(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="The scraper to run (see `jobping scrapers`).")
    ],
    *,
    targets: Annotated[
        list[str] | None,
        typer.Option(
            "--target",
            "-t",
            metavar="TARGET",
            help="A target (board token, query, country); repeatable. Default: the configured"
            " targets ([scrapers.NAME] targets), else the scraper's own.",
        ),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", metavar="N", min=1, help="Stop after N jobs.")
    ] = None,
    store: Annotated[
        bool,
        typer.Option("--store/--no-store", help="Write the jobs to the store (default: do not)."),
    ] = False,
    trace: Annotated[
        bool,
        typer.Option(
            "--trace",
            help="Print every request on stderr: method, redacted URL, status, bytes, time,"
            " retries and the breaker's state.",
        ),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the jobs as JSON lines (one job a line).")
    ] = False,
    sandbox: Annotated[
        bool,
        typer.Option(
            "--sandbox",
            help="Scrape a local sandbox started in-process: offline, its own targets"
            " unless --target, placeholder keys.",
        ),
    ] = False,
) -> None:
    """Run one scraper by hand and show its jobs; nothing is stored unless --store."""
    # The command's machinery loads when it runs, not with `jobping --help`.
    import anyio  # noqa: PLC0415 (fast start-up)

    from jobping.cli._views.scrape import render_scrape  # noqa: PLC0415 (rich)
    from jobping.scraping import find_scraper  # noqa: PLC0415 (fast start-up)
    from jobping.services import scrape_one  # noqa: PLC0415 (fast start-up)

    state: AppState = ctx.obj
    settings = state.settings()
    info = find_scraper(name, settings)
    if info.scraper is None:
        error(f"{name} is {info.status}")
        raise typer.Exit(ExitCode.FAILED)
    scraper = info.scraper()
    hooks: list[RequestHook] = [trace_event] if trace else []
    try:
        outcome = anyio.run(
            lambda: scrape_one(
                scraper,
                settings,
                targets=targets or [],
                limit=limit,
                write=store,
                sandbox=sandbox,
                hooks=hooks,
            )
        )
    except MissingCredential as exc:
        sys.stderr.write(f"{name}: skipped: {exc}\n")
        raise typer.Exit(ExitCode.CONFIG) from None
    render_scrape(outcome, as_json=as_json, limit=limit)
    if outcome.failed:
        raise typer.Exit(ExitCode.FAILED)


def trace_event(event: RequestEvent) -> None:
    """Write one request attempt on stderr (a ``RequestHook``); the URL is redacted."""
    parts = [
        f"{event.method} {event.url}",
        str(event.status) if event.status is not None else "no response",
        f"{event.bytes} B",
        f"{event.elapsed_seconds * 1000:.0f} ms",
        f"attempt {event.attempt}",
    ]
    if event.outcome != "ok":
        parts.append(f"{event.outcome} ({event.error})" if event.error else event.outcome)
    if event.retry_in is not None:
        parts.append(f"retry in {event.retry_in:.2f}s")
    if event.replaced_bytes:
        parts.append(f"{event.replaced_bytes} invalid UTF-8 bytes replaced")
    parts.append(f"breaker {event.breaker}")
    sys.stderr.write("trace: " + " | ".join(parts) + "\n")
