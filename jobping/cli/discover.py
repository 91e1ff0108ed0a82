"""``jobping discover URL...``: name the ATS and board token of careers pages and job URLs."""

from __future__ import annotations

import dataclasses
import sys
from typing import Annotated

import typer

from jobping.cli._console import emit_json
from jobping.cli._exit import ExitCode
from jobping.cli._state import AppState

__all__ = ["discover"]


def discover(
    ctx: typer.Context,
    urls: Annotated[
        list[str],
        typer.Argument(metavar="URL...", help="Careers pages, job pages or ATS board URLs."),
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print what each URL gave as JSON.")
    ] = False,
) -> None:
    """Find the ATS and board token behind each URL and print the config lines to add.

    A known ATS URL (boards.greenhouse.io/X, jobs.lever.co/X, X.wd5.myworkdayjobs.com/...)
    is read as it is; any other page is fetched once (counted in the site's quota) and its
    embeds, iframes, scripts and links are searched. Exits 1 when a URL gave no board.
    """
    import anyio  # noqa: PLC0415 (fast start-up)

    from jobping.services import config_lines, discover_boards  # noqa: PLC0415 (fast start-up)

    state: AppState = ctx.obj
    settings = state.settings()
    found = anyio.run(discover_boards, urls, settings)
    if as_json:
        emit_json(
            {
                "urls": [dataclasses.asdict(discovery) for discovery in found],
                "config": config_lines(found),
            }
        )
    else:
        for discovery in found:
            if discovery.problem:
                sys.stderr.write(f"{discovery.url}: {discovery.problem}\n")
            for board in discovery.boards:
                sys.stderr.write(
                    f"{discovery.url}: {board.scraper} {board.target} (by {discovery.found_by})\n"
                )
        if lines := config_lines(found):
            sys.stdout.write(lines + "\n")
    if any(discovery.problem for discovery in found):
        raise typer.Exit(ExitCode.FAILED)
