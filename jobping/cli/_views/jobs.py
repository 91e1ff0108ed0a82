"""``jobping jobs`` on screen and in files: the table, the exports, the statistics.

Exports write each row as it arrives from the store (constant memory); on a terminal a
progress line on stderr counts the rows, elsewhere nothing is drawn.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

import anyio
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from jobping.cli._console import emit_json, stderr, stdout
from jobping.cli._views.live import logs_above
from jobping.services import job_rows, job_stats
from jobping.services._jobs import COLUMNS, TABLE_COLUMNS
from jobping.settings import Settings
from jobping.store import JobFilter

__all__ = ["export", "show_stats", "show_table"]


async def show_table(settings: Settings, where: JobFilter, *, limit: int) -> None:
    """The newest ``limit`` jobs ``where`` selects, as a table on stdout."""
    table = Table(title="jobs (newest first)")
    for name in TABLE_COLUMNS:  # times and URLs wrap whole, never cut
        table.add_column(name, min_width=32 if name.endswith("_at") else None, overflow="fold")
    count = 0
    async for row in job_rows(settings, where, limit=limit, columns=TABLE_COLUMNS):
        table.add_row(*(_cell(row[name]) for name in TABLE_COLUMNS))
        count += 1
    console = stdout()
    console.print(table if count else Text("no jobs match"))
    if count == limit:
        console.print(Text(f"first {limit} shown; --limit N for more, --format for an export"))


async def export(
    settings: Settings, where: JobFilter, *, limit: int | None, fmt: str, output: Path | None
) -> int:
    """Write the jobs ``where`` selects as ``fmt`` (json, jsonl, csv) to ``output`` or stdout."""
    with _target(output) as file, _counter(f"exporting jobs ({fmt})") as tick:
        write = _writer(fmt, file)
        count = 0
        async for row in job_rows(settings, where, limit=limit):
            write(row)
            count += 1
            tick(count)
        write(None)
    if output is not None:
        stderr().print(Text(f"{count} jobs written to {output}"))
    return count


def show_stats(settings: Settings, *, as_json: bool) -> None:
    """The statistics of the stored jobs, as tables or JSON."""
    with _counter("reading jobs") as tick:
        seen = 0

        def one() -> None:
            nonlocal seen
            seen += 1
            tick(seen)

        data = anyio.run(lambda: job_stats(settings, on_job=one))
    if as_json:
        emit_json(data)
        return
    console = stdout()
    sources = Table("source", "active", "inactive", "total", title="jobs per source")
    for source, counts in data["sources"].items():
        sources.add_row(source, *(str(counts[k]) for k in ("active", "inactive", "total")))
    sources.add_row("all", str(data["active"]), str(data["inactive"]), str(data["total"]))
    console.print(sources)
    days = Table("day", "new", title="new jobs per day (UTC, last 30 days)")
    for day in data["new_per_day"]:
        days.add_row(day["day"], str(day["new"]))
    console.print(days)
    enrichment = data["enrichment"]
    coverage = enrichment["coverage"]
    share = f"{coverage:.1%}" if coverage is not None else "n/a"
    console.print(
        Text(f"enriched: {enrichment['enriched']} of {enrichment['active']} active jobs ({share})")
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _writer(fmt: str, file: TextIO) -> Any:
    """A function writing one row (None: the end) in ``fmt``."""
    if fmt == "csv":
        writer = csv.DictWriter(file, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()

        def write_csv(row: dict[str, Any] | None) -> None:
            if row is not None:
                writer.writerow({k: _csv_value(v) for k, v in row.items()})

        return write_csv
    if fmt == "jsonl":

        def write_line(row: dict[str, Any] | None) -> None:
            if row is not None:
                file.write(json.dumps(row, ensure_ascii=False) + "\n")

        return write_line
    first = True

    def write_array(row: dict[str, Any] | None) -> None:
        nonlocal first
        if row is None:
            file.write("[]\n" if first else "\n]\n")
            return
        file.write(("[\n  " if first else ",\n  ") + json.dumps(row, ensure_ascii=False))
        first = False

    return write_array


def _csv_value(value: Any) -> Any:
    if isinstance(value, list):
        return ";".join(map(str, value))
    return value


@contextmanager
def _target(output: Path | None) -> Iterator[TextIO]:
    if output is None:
        yield sys.stdout
        return
    with output.open("w", encoding="utf-8", newline="") as file:
        yield file


@contextmanager
def _counter(what: str) -> Iterator[Any]:
    """A ``tick(count)`` that shows a live count on a terminal's stderr, else does nothing."""
    console = stderr()
    if not console.is_terminal:
        yield lambda _count: None
        return
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}: {task.completed} rows"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    task = progress.add_task(what, total=None)
    with progress, logs_above():
        yield lambda count: progress.update(task, completed=count)
