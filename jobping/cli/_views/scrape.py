"""``jobping scrape``'s output: the jobs on stdout (JSON lines or a table), a summary on stderr."""

from __future__ import annotations

import dataclasses
import json
import sys
from datetime import datetime
from typing import Any

from rich.table import Table
from rich.text import Text

from jobping.cli._console import stderr, stdout
from jobping.models import Job
from jobping.services import ScrapeOutcome

__all__ = ["render_scrape"]

_SHOWN_SKIPS = 20


def render_scrape(outcome: ScrapeOutcome, *, as_json: bool, limit: int | None) -> None:
    """Jobs on stdout (JSON lines or a table), the summary on stderr."""
    if as_json:
        for job in outcome.jobs:
            sys.stdout.write(json.dumps(_job_data(job), ensure_ascii=False) + "\n")
    elif outcome.jobs:
        stdout().print(_table(outcome.jobs))
    _summary(outcome, limit)


def _job_data(job: Job) -> dict[str, Any]:
    data = dataclasses.asdict(job)
    return {
        key: value.isoformat() if isinstance(value, datetime) else value
        for key, value in data.items()
    }


def _table(jobs: list[Job]) -> Table:
    table = Table(title=f"{len(jobs)} jobs")
    table.add_column("#", justify="right")
    for column in ("title", "company", "location"):
        table.add_column(column, ratio=2)
    table.add_column("work", no_wrap=True)
    table.add_column("posted", min_width=10, overflow="fold")  # a date is never cut
    table.add_column("salary")
    table.add_column("url", ratio=2, overflow="fold")  # wrapped whole, never cut
    for number, job in enumerate(jobs, start=1):
        posted = job.posted_at.date().isoformat() if job.posted_at else ""
        cells = [job.title, job.company, job.location or "", job.work_environment.value]
        cells += [posted, _salary(job), job.job_url]
        table.add_row(str(number), *(Text(cell) for cell in cells))
    return table


def _salary(job: Job) -> str:
    if job.salary_min is None and job.salary_max is None:
        return ""
    amounts = " - ".join(f"{value:,.0f}" for value in (job.salary_min, job.salary_max) if value)
    period = f"/{job.salary_period}" if job.salary_period else ""
    return f"{amounts} {job.salary_currency or ''}{period}".strip()


def _summary(outcome: ScrapeOutcome, limit: int | None) -> None:
    console = stderr()
    if outcome.sandbox_url:
        console.print(Text(f"sandbox: serving at {outcome.sandbox_url}"))
    for target in outcome.targets:
        line = f"{target.target}: jobs {target.jobs}, requests {target.requests}"
        line += f", items skipped {len(target.skipped)}"
        console.print(Text(f"{line}; {target.problem}" if target.problem else line))
        for skipped in target.skipped[:_SHOWN_SKIPS]:
            console.print(Text(f"  skipped {skipped.item}: {skipped.reason}"))
        if len(target.skipped) > _SHOWN_SKIPS:
            console.print(Text(f"  ... and {len(target.skipped) - _SHOWN_SKIPS} more skipped"))
    total = f"{len(outcome.jobs)} jobs"
    if limit is not None and len(outcome.jobs) >= limit:
        total += f" (stopped at --limit {limit})"
    if outcome.stored is not None:
        stored = outcome.stored
        total += f"; stored: {stored.new} new, {stored.updated} updated, {stored.unchanged} same"
    else:
        total += "; nothing stored (--store to write)"
    console.print(Text(total))
