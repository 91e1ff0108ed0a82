"""What a command does, callable from a program or a worker: plain data in, plain data out.

Each service takes the ``Settings``, opens what it needs (the store, a sandbox, the HTTP
client, the enricher), does its work and returns a report; it never prints and never
chooses an exit code (``jobping.cli`` renders the reports). Services are async; a program
runs them with ``anyio.run``.

The names below load their module on first use, so importing this package is cheap and a
command pays only for what it runs (``jobping status`` never imports openai).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jobping._lazy import lazy_names

if TYPE_CHECKING:
    from jobping.services._budget import gather_budget
    from jobping.services._demo import (
        DEMO_FAULTS,
        demo_settings,
        run_demo,
    )
    from jobping.services._discover import Discovery, config_lines, discover_boards
    from jobping.services._doctor import diagnose
    from jobping.services._enrich import enrich_backlog
    from jobping.services._jobs import job_rows, job_stats
    from jobping.services._lease import release_run_lease
    from jobping.services._run import execute_run
    from jobping.services._schema import migrate_schema, queue_schema, read_schema
    from jobping.services._scrape import ScrapeOutcome, TargetOutcome, scrape_one
    from jobping.services._status import gather_status

__all__ = [
    "DEMO_FAULTS",
    "Discovery",
    "ScrapeOutcome",
    "TargetOutcome",
    "config_lines",
    "demo_settings",
    "diagnose",
    "discover_boards",
    "enrich_backlog",
    "execute_run",
    "gather_budget",
    "gather_status",
    "job_rows",
    "job_stats",
    "migrate_schema",
    "queue_schema",
    "read_schema",
    "release_run_lease",
    "run_demo",
    "scrape_one",
]

__getattr__, __dir__ = lazy_names(
    __name__,
    {
        "DEMO_FAULTS": "jobping.services._demo",
        "ScrapeOutcome": "jobping.services._scrape",
        "TargetOutcome": "jobping.services._scrape",
        "Discovery": "jobping.services._discover",
        "config_lines": "jobping.services._discover",
        "demo_settings": "jobping.services._demo",
        "discover_boards": "jobping.services._discover",
        "diagnose": "jobping.services._doctor",
        "enrich_backlog": "jobping.services._enrich",
        "execute_run": "jobping.services._run",
        "gather_budget": "jobping.services._budget",
        "gather_status": "jobping.services._status",
        "job_rows": "jobping.services._jobs",
        "job_stats": "jobping.services._jobs",
        "migrate_schema": "jobping.services._schema",
        "queue_schema": "jobping.services._schema",
        "read_schema": "jobping.services._schema",
        "release_run_lease": "jobping.services._lease",
        "run_demo": "jobping.services._demo",
        "scrape_one": "jobping.services._scrape",
    },
)
