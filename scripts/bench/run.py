"""Benchmark: one ``jobping run`` over 200 sandbox targets of 500 jobs each, with 20% faults.

The sandbox, served from this process, synthesizes 200 greenhouse boards of 500 jobs (the
whole board in one response, as Greenhouse answers) and answers 20% of requests with a 500,
502 or 503. A ``python -m jobping run --json`` process scrapes them into a fresh SQLite file
with the default settings (8 targets at once, batches of 200, 4 attempts per request), so
every layer is on: retries with backoff, breakers, the sink's dedupe and batched upserts.

It prints the run's own duration and the process's wall time, jobs per second, the run
process's peak RSS, and a baseline measured in the same run: the same boards fetched and
JSON-decoded by raw httpx (8 at once, no retry, nothing parsed into jobs or stored).

    .venv/bin/python scripts/bench/run.py                    # 200 x 500, 20% faults
    .venv/bin/python scripts/bench/run.py --targets 20       # a quick run

On a 2-core machine the sandbox competes with the run for the CPU: read the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
import httpx

from jobping.sandbox import Faults, Sandbox, Scale, serve_sandbox
from jobping.settings import load_settings

SOURCE = "greenhouse"


def run_env(sandbox: Sandbox, database: Path, concurrency: int) -> dict[str, str]:
    """The environment of a run of the sandbox's greenhouse boards only."""
    applied = sandbox.apply(load_settings(env_file=None))
    scrapers = {
        name: config.model_dump(exclude_unset=True) | {"enabled": name == SOURCE}
        for name, config in applied.scrapers.items()
    }
    # no enrichment: a developer's real OPENAI_API_KEY must not be spent on a benchmark
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    return {
        **inherited,
        "DATABASE_URL": f"sqlite:///{database}",
        "SCRAPERS": json.dumps(scrapers),
        "RUN_CONCURRENCY": str(concurrency),
        "LOG_LEVEL": "WARNING",
    }


async def orchestrated(env: dict[str, str]) -> tuple[dict[str, Any], float, int]:
    """Run ``jobping run --json``; its report, wall seconds and peak RSS (bytes)."""
    started = time.perf_counter()
    done = await anyio.run_process(
        [sys.executable, "-m", "jobping", "run", "--json"], env=env, check=False
    )
    elapsed = time.perf_counter() - started
    if not done.stdout:
        sys.exit(f"the run printed no report (exit {done.returncode}):\n{done.stderr.decode()}")
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    return json.loads(done.stdout), elapsed, peak_kib * 1024


async def raw(sandbox: Sandbox, concurrency: int) -> tuple[int, int, float]:
    """Fetch every board once with raw httpx; jobs decoded, failed requests, seconds."""
    base = sandbox.base_urls[SOURCE]
    limiter = anyio.CapacityLimiter(concurrency)
    counts = {"jobs": 0, "failed": 0}

    async def fetch(client: httpx.AsyncClient, board: str) -> None:
        async with limiter:
            response = await client.get(f"{base}/{board}/jobs", params={"content": "true"})
        if response.status_code == 200:
            counts["jobs"] += len(response.json()["jobs"])
        else:
            counts["failed"] += 1

    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=60) as client, anyio.create_task_group() as group:
        for board in sandbox.targets[SOURCE]:
            group.start_soon(fetch, client, board)
    return counts["jobs"], counts["failed"], time.perf_counter() - started


async def bench(targets: int, jobs: int, error_rate: float, concurrency: int) -> None:
    """Serve the sandbox, measure the baseline and the run, print the figures."""
    faults = {SOURCE: Faults(error_rate=error_rate, seed=1)}
    async with serve_sandbox(faults, scale=Scale(targets, jobs)) as sandbox:
        fetched, failed, raw_seconds = await raw(sandbox, concurrency)
        with tempfile.TemporaryDirectory(prefix="jobping-bench-") as scratch:
            env = run_env(sandbox, Path(scratch) / "bench.db", concurrency)
            report, wall, peak = await orchestrated(env)
    totals, scraper = report["totals"], report["scrapers"][0]
    run_seconds = report["duration_seconds"]
    print(f"sandbox: {targets} {SOURCE} boards x {jobs} jobs, {error_rate:.0%} 5xx answers")
    print(
        f"run: {report['status']}; {totals['found']} found, {totals['new']} new;"
        f" {scraper['targets']['ok']} boards ok, {scraper['targets']['failed']} failed;"
        f" {totals['requests']} requests, {totals['retries']} retries,"
        f" {totals['breaker_trips']} breaker trips"
    )
    print(f"run time: {run_seconds:.2f} s (process wall time {wall:.2f} s, start-up included)")
    print(f"jobs/second: {totals['found'] / run_seconds:,.0f} (stored: {totals['new']:,})")
    print(f"peak RSS of the run process: {peak / 2**20:.0f} MiB")
    block = report["longest_loop_block_seconds"] * 1000
    print(f"longest event-loop block during the run: {block:.0f} ms (lease renewal waits that)")
    print(
        f"baseline, raw httpx fetch + json decode (no retry, no store): {raw_seconds:.2f} s,"
        f" {fetched:,} jobs decoded, {failed} requests failed,"
        f" {fetched / raw_seconds:,.0f} jobs/s"
    )
    print(f"ratio: the run takes {run_seconds / raw_seconds:.1f}x the raw fetch time")


def main() -> None:
    """Parse the options and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=200, help="boards (default 200)")
    parser.add_argument("--jobs", type=int, default=500, help="jobs per board (default 500)")
    parser.add_argument("--error-rate", type=float, default=0.2, help="5xx share (0.2)")
    parser.add_argument("--concurrency", type=int, default=8, help="RUN_CONCURRENCY (8)")
    options = parser.parse_args()
    anyio.run(bench, options.targets, options.jobs, options.error_rate, options.concurrency)


if __name__ == "__main__":
    main()
