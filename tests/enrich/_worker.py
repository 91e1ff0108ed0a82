"""One OS process of the multi-process test: enrich a slice of the backlog, print the report.

Run as ``python -m tests.enrich._worker FIRST LAST`` with the settings in the environment.
It says ``ready``, waits for a line on stdin (so all processes start together), enriches
the backlog jobs numbered FIRST..LAST-1 on a fake clock at ``tests.budget.NOW``, and prints
its report as one JSON line. ``python -m tests.enrich._worker backlog BATCH`` instead
claims and enriches the backlog ``BATCH`` jobs at a time until nothing is left to claim,
as ``jobping enrich`` does, and adds the hashes it enriched to the report.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import anyio

from jobping.budget import TokenBudget, count_tokens
from jobping.enrich import Enricher
from jobping.settings import load_settings
from jobping.store import open_store
from jobping.testing import FakeClock
from tests.budget import NOW


async def main(first: str, last: str) -> None:
    """Enrich this process's slice of the backlog and print the report."""
    count_tokens("load the encoding before the start", "gpt-5.4-mini")
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    sys.stdin.readline()
    settings = load_settings(env_file=None)
    store = await open_store(settings.database_url)
    try:
        budget = TokenBudget.from_settings(settings, store, clock=FakeClock(NOW))
        if first == "backlog":
            async with Enricher(settings, store, budget) as enricher:
                result = await _drain(enricher, int(last))
            sys.stdout.write(json.dumps(result) + "\n")
            sys.stdout.flush()
            return
        waiting = await store.jobs_needing_enrichment(limit=10_000)
        mine = [job for job in waiting if int(first) <= int(job.job_hash[4:]) < int(last)]
        async with Enricher(settings, store, budget) as enricher:
            report = await enricher.enrich_jobs(mine)
    finally:
        await store.close()
    sys.stdout.write(json.dumps(report.to_dict() | {"jobs": len(mine)}) + "\n")
    sys.stdout.flush()


async def _drain(enricher: Enricher, batch: int) -> dict[str, Any]:
    """Claim and enrich ``batch`` jobs at a time until a batch enriches none; the totals."""
    totals: dict[str, Any] = {"enriched": 0, "failed": 0, "skipped": 0, "micro_usd": 0}
    while True:
        report = await enricher.enrich_backlog(limit=batch)
        if not report.enriched + report.failed:  # nothing left, or nothing fits the budget
            totals["skipped"] += report.skipped
            return totals
        totals["enriched"] += report.enriched
        totals["failed"] += report.failed
        totals["skipped"] += report.skipped
        totals["micro_usd"] += report.micro_usd


if __name__ == "__main__":
    anyio.run(main, sys.argv[1], sys.argv[2])
