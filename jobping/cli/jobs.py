"""``jobping jobs``: the operator's view of the stored jobs, filtered; exports and stats."""

from __future__ import annotations

import enum
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from jobping.cli._state import AppState

__all__ = ["jobs"]

_TABLE_LIMIT = 50


class Format(enum.StrEnum):
    """The choices of ``--format``."""

    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"


def _since(value: str | None) -> datetime | None:
    """``--since``: an ISO date or time (UTC if naive), or ``Nd`` / ``Nh`` ago."""
    if value is None:
        return None
    text = value.strip()
    if text[:-1].isdigit() and text[-1:] in ("d", "h"):
        unit = "days" if text[-1] == "d" else "hours"
        return datetime.now(UTC) - timedelta(**{unit: int(text[:-1])})
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a date (2026-11-23), a time (2026-11-23T09:30) or 7d / 12h"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def jobs(
    ctx: typer.Context,
    *,
    source: Annotated[str | None, typer.Option("--source", help="Only this source.")] = None,
    company: Annotated[
        str | None, typer.Option("--company", help="Company name containing TEXT (any case).")
    ] = None,
    remote: Annotated[
        bool | None,
        typer.Option("--remote/--not-remote", help="Only remote jobs, or only the others."),
    ] = None,
    active: Annotated[
        bool | None,
        typer.Option("--active/--inactive", help="Only active jobs, or only inactive ones."),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since", metavar="WHEN", help="First stored at or after WHEN: 2026-11-23, 7d, 12h."
        ),
    ] = None,
    search: Annotated[
        str | None,
        typer.Option("--search", metavar="TEXT", help="Title, company or location contains TEXT."),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit", min=0, metavar="N", help=f"At most N jobs (table default {_TABLE_LIMIT})."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
    fmt: Annotated[
        Format | None,
        typer.Option("--format", help="table (default), json, jsonl or csv."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write to FILE (default: stdout)."),
    ] = None,
    stats: Annotated[
        bool,
        typer.Option(
            "--stats",
            help="Counts per source, active/inactive, new per day (30 days), enrichment.",
        ),
    ] = False,
) -> None:
    """List the stored jobs newest first, filtered; export them (json, jsonl, csv) or --stats."""
    import anyio  # noqa: PLC0415 (fast start-up)

    from jobping.cli._views import jobs as view  # noqa: PLC0415 (rich)
    from jobping.store import JobFilter  # noqa: PLC0415 (fast start-up)

    state: AppState = ctx.obj
    settings = state.settings()
    chosen = Format.JSON if as_json else fmt or (Format.JSONL if output else Format.TABLE)
    if stats:
        view.show_stats(settings, as_json=chosen is not Format.TABLE)
        return
    where = JobFilter(
        source=source,
        company=company,
        remote=remote,
        active=active,
        since=_since(since),
        search=search,
    )
    if chosen is Format.TABLE and output is None:
        anyio.run(
            lambda: view.show_table(settings, where, limit=_TABLE_LIMIT if limit is None else limit)
        )
        return
    anyio.run(lambda: view.export(settings, where, limit=limit, fmt=chosen.value, output=output))
