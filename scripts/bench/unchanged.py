"""Benchmark: a second ``jobping run`` over unchanged boards against the first (#16).

The sandbox, served from this process, synthesizes greenhouse boards (each whole in one
response); ``python -m jobping run --json`` processes scrape them into one fresh SQLite file:

1. the first run: every board is fetched, parsed and stored (its validators kept);
2. a run with ``HTTP_CONDITIONAL_REQUESTS=false``: every board fetched and parsed again, every
   job found unchanged by its content digest (what a second run cost before #16);
3. a conditional run: every board answers 304, its jobs are marked seen in bulk, unparsed;
4. a conditional run against a sandbox sending no validator: every body is recognised by
   its hash, unparsed.

It prints each run's duration, jobs seen per second, requests and bytes, and the ratios
measured in the same process:

    .venv/bin/python scripts/bench/unchanged.py                  # 200 boards x 500 jobs
    .venv/bin/python scripts/bench/unchanged.py --targets 20     # a quick run

On a 2-core machine the sandbox competes with the run for the CPU: read the ratios.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import anyio

from jobping.sandbox import Sandbox, Scale, serve_sandbox

SOURCE = "greenhouse"


async def one_run(sandbox: Sandbox, database: Path, *, conditional: bool) -> dict[str, Any]:
    """Run ``jobping run --json``; its report."""
    env = sandbox.run_env(SOURCE, database, HTTP_CONDITIONAL_REQUESTS=str(conditional).lower())
    done = await anyio.run_process(
        [sys.executable, "-m", "jobping", "run", "--json"], env=env, check=False
    )
    if not done.stdout:
        sys.exit(f"the run printed no report (exit {done.returncode}):\n{done.stderr.decode()}")
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def describe(label: str, report: dict[str, Any]) -> float:
    """Print one run's line; its jobs seen per second."""
    totals, seconds = report["totals"], report["duration_seconds"]
    rate: float = totals["found"] / seconds
    print(
        f"{label}: {report['status']}, {seconds:.2f} s, {rate:,.0f} jobs seen/s;"
        f" {totals['found']:,} found ({totals['new']:,} new, {totals['unchanged']:,} unchanged);"
        f" {totals['requests']} requests, {totals['not_modified']} not modified,"
        f" {totals['body_unchanged']} same body; {report['http']['bytes']:,} bytes read"
    )
    return rate


async def bench(targets: int, jobs: int) -> None:
    """Serve the sandbox, run four times over one database, print the figures and ratios."""
    print(f"sandbox: {targets} {SOURCE} boards x {jobs} jobs, no fault")
    async with serve_sandbox(scale=Scale(targets, jobs)) as sandbox:
        with tempfile.TemporaryDirectory(prefix="jobping-bench-") as scratch:
            database = Path(scratch) / "bench.db"
            first = describe("first run", await one_run(sandbox, database, conditional=True))
            plain = describe(
                "again, HTTP_CONDITIONAL_REQUESTS=false",
                await one_run(sandbox, database, conditional=False),
            )
            revalidated = describe(
                "again, conditional (304s)", await one_run(sandbox, database, conditional=True)
            )
            sandbox.conditional.enabled = False
            hashed = describe(
                "again, conditional, no validator sent (body hash)",
                await one_run(sandbox, database, conditional=True),
            )
    print(
        f"ratios of jobs seen/s: unconditional second run {plain / first:.1f}x the first;"
        f" conditional (304) {revalidated / first:.1f}x the first, {revalidated / plain:.1f}x"
        f" the unconditional; body hash {hashed / plain:.1f}x the unconditional"
    )


def main() -> None:
    """Parse the options and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=200, help="boards (default 200)")
    parser.add_argument("--jobs", type=int, default=500, help="jobs per board (default 500)")
    options = parser.parse_args()
    anyio.run(bench, options.targets, options.jobs)


if __name__ == "__main__":
    main()
