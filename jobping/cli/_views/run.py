"""``jobping run``'s report as text, and its live progress display."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from rich import box
from rich.console import Console
from rich.progress import Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from jobping.cli._views.live import logs_above
from jobping.orchestrator import RunObserver, RunReport, ScraperReport, TierReport

__all__ = ["progress", "render_report"]


def render_report(report: RunReport, console: Console) -> None:
    """The report as text: the verdict, the tiers, one row per scraper, notes, the totals."""
    console.print(Text(f"run {report.run_id}: {report.status} ({report.reason})"))
    for tier in report.tiers:
        done = f"ran: {tier.reason}; +{tier.contributed} jobs" if tier.ran else tier.reason
        stop = f" (stopped early: {tier.stopped_early})" if tier.stopped_early else ""
        console.print(Text(f"  tier {tier.number} {tier.name}: {done}{stop}"))
    if report.scrapers:
        console.print(_scraper_table(report.scrapers))
    for line in _notes(report):
        console.print(Text(line))
    totals = report.totals()
    console.print(
        Text(
            f"total: {totals['found']} found, {totals['new']} new, {totals['updated']} updated,"
            f" {totals['invalid']} invalid, {totals['backfilled']} backfilled,"
            f" {totals['deactivated']} deactivated, {totals['requests']} requests"
            + _unchanged_targets(totals)
            + (" (dry run: nothing stored)" if report.dry_run else "")
        )
    )
    for line in _enrichment(report.enrichment):
        console.print(Text(line))


def _unchanged_targets(totals: Mapping[str, int]) -> str:
    """`` (n not modified, m same body)``: targets marked seen unparsed, when there were any."""
    if not (totals["not_modified"] or totals["body_unchanged"]):
        return ""
    return f" ({totals['not_modified']} not modified, {totals['body_unchanged']} same body)"


def _scraper_table(scrapers: list[ScraperReport]) -> Table:
    columns = ("found", "new", "upd", "inv", "req", "retry", "trips", "secs")
    table = Table(box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0), pad_edge=False)
    table.add_column("scraper", no_wrap=True, min_width=15)
    for name in ("tier", "status", *columns):
        table.add_column(name, no_wrap=True, justify="left" if name == "status" else "right")
    for s in scrapers:
        counts = (s.found, s.new, s.updated, s.invalid, s.requests, s.retries, s.breaker_trips)
        table.add_row(s.name, str(s.tier), s.status, *map(str, counts), f"{s.duration_seconds:.1f}")
    return table


def _enrichment(result: Mapping[str, Any] | None) -> list[str]:
    """What the enrichment after the tiers did: counts per model, cost, why it stopped."""
    if result is None:
        return []
    if "error" in result:
        return [f"enrichment: failed: {result['error']}"]
    models = ", ".join(f"{count} by {model}" for model, count in result["by_model"].items())
    lines = [
        f"enrichment: {result['enriched']} enriched"
        + (f" ({models})" if models else "")
        + f", {result['failed']} failed, {result['skipped']} left for a later run (budget),"
        f" ${result['cost_usd']:.4f}"
    ]
    lines += [f"enrichment: error: {message}" for message in result["errors"]]
    if result["stopped"]:
        lines.append(f"enrichment: stopped: {result['stopped']}")
    return lines


def _notes(report: RunReport) -> list[str]:
    """One line per error, skip or stop reason, quota left, and scraper not ready."""
    lines = []
    for s in report.scrapers:
        lines += [f"{s.name}: error: {message}" for message in s.errors]
        if s.reason and s.status != "ok":
            lines.append(f"{s.name}: {s.reason}")
        for domain, windows in s.quota_left.items():
            left = ", ".join(f"{window} {count}" for window, count in windows.items())
            lines.append(f"{s.name}: quota left on {domain}: {left}")
        if s.replaced_bytes:
            lines.append(f"{s.name}: {s.replaced_bytes} invalid UTF-8 bytes replaced")
    lines += [f"{name}: not ready: {problem}" for name, problem in report.not_ready.items()]
    return lines


class _LiveProgress:
    """A run observer drawing one progress row per scraper."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._rows: dict[tuple[int, str], TaskID] = {}

    def __call__(self, item: TierReport | ScraperReport) -> None:
        if isinstance(item, TierReport):
            return
        key = (item.tier, item.name)
        done = sum(item.outcomes.values())
        status = item.status if done >= item.targets else f"{done}/{item.targets} targets"
        if key not in self._rows:
            self._rows[key] = self._progress.add_task(
                item.name, total=None, tier=item.tier, status=status
            )
        self._progress.update(self._rows[key], completed=item.found, status=status)
        if done >= item.targets:  # finished: its timer stops at its own duration
            self._progress.stop_task(self._rows[key])


@contextmanager
def progress(console: Console | None) -> Iterator[RunObserver | None]:
    """A live display on ``console`` while the run lasts (None: no display, log lines)."""
    if console is None:
        yield None
        return
    display = Progress(
        TextColumn("tier {task.fields[tier]}"),
        TextColumn("{task.description:<16}"),
        TextColumn("{task.completed:>6.0f} jobs"),
        TextColumn("{task.fields[status]}"),
        TimeElapsedColumn(),
        console=console,
    )
    logging.getLogger("jobping").setLevel(logging.WARNING)  # the display replaces the logs
    with display, logs_above():
        yield _LiveProgress(display)
