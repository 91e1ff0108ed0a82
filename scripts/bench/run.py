"""Benchmark: ``jobping run`` over sandbox boards of 500 jobs, with 20% faults, at three scales.

The sandbox, served from this process, synthesizes greenhouse boards of 500 jobs (the whole
board in one response, as Greenhouse answers) and answers 20% of requests with a 500, 502
or 503. A ``python -m jobping run --json`` process scrapes them into a fresh SQLite file with
the default settings (8 targets at once, batches of 200, 4 attempts per request), so every
layer is on: retries with backoff, breakers, the sink's dedupe and batched upserts.

For each scale (50, 100 and 200 boards by default) it prints the run's time, jobs per
second, the CPU seconds of the run's process and of each parse worker, the cores used (CPU
seconds over wall seconds), their peak RSS, and where the time went: fetch, parse, store and
enrich, summed over the targets at work together (so they overlap). Then, at the smallest
scale and without faults (retry sleeps and breaker trips differ from run to run), the run
parsing in-process (``RUN_PARSE_WORKERS=0``, one core) against ``--workers`` parse workers,
back to back, ``--repeat`` pairs, and a raw httpx baseline.

    .venv/bin/python scripts/bench/run.py                          # 50, 100, 200 x 500
    .venv/bin/python scripts/bench/run.py --targets 20 --workers 2 # a quick run

On a 2-core machine the sandbox competes with the run for the CPU: read the ratios.
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
MIB = 2**20


def run_env(sandbox: Sandbox, database: Path, concurrency: int, workers: int) -> dict[str, str]:
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
        "RUN_PARSE_WORKERS": str(workers),
        "LOG_LEVEL": "WARNING",
    }


async def orchestrated(env: dict[str, str]) -> tuple[dict[str, Any], float]:
    """Run ``jobping run --json``; its report and the process's wall seconds."""
    started = time.perf_counter()
    done = await anyio.run_process(
        [sys.executable, "-m", "jobping", "run", "--json"], env=env, check=False
    )
    elapsed = time.perf_counter() - started
    if not done.stdout:
        sys.exit(f"the run printed no report (exit {done.returncode}):\n{done.stderr.decode()}")
    report: dict[str, Any] = json.loads(done.stdout)
    return report, elapsed


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


async def one_run(sandbox: Sandbox, concurrency: int, workers: int) -> dict[str, Any]:
    """One run of the served sandbox into a fresh database; its report, plus ``wall``."""
    with tempfile.TemporaryDirectory(prefix="jobping-bench-") as scratch:
        env = run_env(sandbox, Path(scratch) / "bench.db", concurrency, workers)
        report, wall = await orchestrated(env)
    report["wall"] = wall
    return report


def describe(report: dict[str, Any], label: str) -> float:
    """Print one run's figures; its jobs per second."""
    totals, scraper, timings = report["totals"], report["scrapers"][0], report["timings"]
    seconds = report["duration_seconds"]
    rate = totals["found"] / seconds
    processes = timings["processes"]
    cpu = sum(p["cpu_seconds"] for p in processes.values())
    rss = sum(p["peak_rss_bytes"] for p in processes.values())
    per_process = ", ".join(
        f"{name} {p['cpu_seconds']:.1f} s / {p['peak_rss_bytes'] / MIB:.0f} MiB"
        for name, p in processes.items()
    )
    print(
        f"{label}: {report['status']}, {totals['found']:,} found, {totals['new']:,} new,"
        f" {scraper['targets']['ok']} boards ok, {scraper['targets']['failed']} failed,"
        f" {totals['requests']} requests, {totals['retries']} retries,"
        f" {totals['breaker_trips']} breaker trips"
    )
    print(
        f"  run {seconds:.2f} s (process {report['wall']:.2f} s), {rate:,.0f} jobs/s,"
        f" parse workers {timings['parse_workers']}, cores used {cpu / seconds:.2f}"
        f" ({cpu:.1f} CPU s), peak RSS {rss / MIB:.0f} MiB (sum of the processes' peaks)"
    )
    print(f"  per process (CPU, peak RSS): {per_process}")
    print(
        f"  time split (summed over concurrent targets): fetch {timings['fetch_seconds']:.1f} s,"
        f" parse {timings['parse_seconds']:.1f} s, store {timings['store_seconds']:.1f} s,"
        f" enrich {timings['enrich_seconds']:.1f} s;"
        f" longest event-loop block {report['longest_loop_block_seconds'] * 1000:.0f} ms"
    )
    return rate


async def bench(options: argparse.Namespace) -> None:
    """Serve each scale's sandbox, run it, then compare in-process parsing with the workers."""
    faults = {SOURCE: Faults(error_rate=options.error_rate, seed=1)}
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"{SOURCE} boards x {options.jobs} jobs, {options.error_rate:.0%} 5xx answers,"
        f" RUN_CONCURRENCY={options.concurrency}, RUN_PARSE_WORKERS={options.workers}"
    )
    per_board = []
    for targets in options.targets:
        async with serve_sandbox(faults, scale=Scale(targets, options.jobs)) as sandbox:
            report = await one_run(sandbox, options.concurrency, options.workers)
        describe(report, f"{targets} x {options.jobs}")
        per_board.append(f"{targets}: {report['duration_seconds'] / targets * 100:.1f} s")
    print(f"run seconds per 100 boards (linear when equal): {', '.join(per_board)}")
    smallest = min(options.targets)
    print(
        f"in-process against {options.workers} parse workers, {smallest} x {options.jobs},"
        " no faults (retry sleeps and breaker trips differ from run to run), in pairs:"
    )
    ratios = []
    for pair in range(1, options.repeat + 1):
        rates = []
        for workers in (0, options.workers):
            async with serve_sandbox(scale=Scale(smallest, options.jobs)) as sandbox:
                report = await one_run(sandbox, options.concurrency, workers)
            rates.append(describe(report, f"  pair {pair}, RUN_PARSE_WORKERS={workers}"))
        ratios.append(rates[1] / rates[0])
        print(f"  pair {pair}: {options.workers} workers / in-process = {ratios[-1]:.2f}x jobs/s")
    print(f"ratios: {', '.join(f'{r:.2f}x' for r in ratios)}")
    async with serve_sandbox(faults, scale=Scale(smallest, options.jobs)) as sandbox:
        fetched, failed, raw_seconds = await raw(sandbox, options.concurrency)
    print(
        f"baseline, raw httpx fetch + json decode (no retry, no store): {raw_seconds:.2f} s,"
        f" {fetched:,} jobs decoded, {failed} requests failed,"
        f" {fetched / raw_seconds:,.0f} jobs/s"
    )
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"all runs' processes as the OS counted them: {children.ru_utime + children.ru_stime:.1f}"
        f" CPU s; load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )


def main() -> None:
    """Parse the options and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--targets", type=int, nargs="+", default=[50, 100, 200], help="boards per scale"
    )
    parser.add_argument("--jobs", type=int, default=500, help="jobs per board (default 500)")
    parser.add_argument("--error-rate", type=float, default=0.2, help="5xx share (0.2)")
    parser.add_argument("--concurrency", type=int, default=8, help="RUN_CONCURRENCY (8)")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 2, help="RUN_PARSE_WORKERS (cores)"
    )
    parser.add_argument(
        "--repeat", type=int, default=2, help="in-process / workers pairs compared (2)"
    )
    anyio.run(bench, parser.parse_args())


if __name__ == "__main__":
    main()
