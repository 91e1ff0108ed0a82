"""Benchmark: throughput of a run over 1, 2 and 4 ``jobping worker`` processes.

The sandbox, served from this process, synthesizes greenhouse boards whose responses take
200 ms each (I/O bound: the work is waiting). Each configuration scrapes every board into a
fresh PostgreSQL schema: first one ``jobping run`` process (the baseline, measured in the
same run), then N workers (each ``--concurrency`` = ``RUN_CONCURRENCY``) given the run by
``enqueue_run``; the clock runs from the enqueue until the run is recorded done.

    .venv/bin/python scripts/bench/workers.py                  # 240 boards x 20 jobs
    .venv/bin/python scripts/bench/workers.py --targets 60     # a quick run

PostgreSQL: ``--server`` (default the local test server). On a small shared machine the
sandbox, the database and the workers compete for the CPU: read the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import quote

import anyio
import anyio.abc
import psycopg
from procrastinate import App

from jobping.sandbox import Faults, Sandbox, Scale, serve_sandbox
from jobping.settings import load_settings
from jobping.worker import enqueue_run, migrate_queue, open_queue

SOURCE = "greenhouse"
SERVER = "postgresql://postgres@127.0.0.1:5432/test"


@asynccontextmanager
async def fresh_schema(server: str) -> AsyncIterator[str]:
    """A new schema, migrated (store and queue), dropped afterwards; its URL."""
    schema = f"jobping_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    url = f"{server}?options={quote(f'-csearch_path={schema}')}"
    try:
        env = {**os.environ, "DATABASE_URL": url}
        await anyio.run_process([sys.executable, "-m", "jobping", "db", "migrate"], env=env)
        async with open_queue(url, pool_max_size=2) as app:
            await migrate_queue(app)
        yield url
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


def bench_env(sandbox: Sandbox, url: str, concurrency: int) -> dict[str, str]:
    """The environment of a run (or worker) over the sandbox's greenhouse boards only."""
    applied = sandbox.apply(load_settings(env_file=None))
    scrapers = {
        name: config.model_dump(exclude_unset=True) | {"enabled": name == SOURCE}
        for name, config in applied.scrapers.items()
    }
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    return {
        **inherited,
        "DATABASE_URL": url,
        "SCRAPERS": json.dumps(scrapers),
        "RUN_CONCURRENCY": str(concurrency),
        "LOG_LEVEL": "WARNING",
    }


async def one_run(sandbox: Sandbox, server: str, concurrency: int) -> tuple[int, float]:
    """``jobping run``: jobs found and the run's own seconds."""
    async with fresh_schema(server) as url:
        done = await anyio.run_process(
            [sys.executable, "-m", "jobping", "run", "--json"],
            env=bench_env(sandbox, url, concurrency),
            check=False,
        )
    report = json.loads(done.stdout)
    return report["totals"]["found"], report["duration_seconds"]


async def workers_run(
    sandbox: Sandbox, server: str, concurrency: int, count: int
) -> tuple[int, float]:
    """``count`` workers: jobs found and seconds from the enqueue to the run done."""
    async with fresh_schema(server) as url:
        env = bench_env(sandbox, url, concurrency)
        command = [sys.executable, "-m", "jobping", "worker", "--concurrency", str(concurrency)]
        processes = [await anyio.open_process(command, env=env) for _ in range(count)]
        try:
            async with open_queue(url, pool_max_size=2) as app:
                await ready(app, count)
                started = time.perf_counter()
                run_id = await enqueue_run(app)
                while not await done(app, run_id):  # noqa: ASYNC110 - other processes
                    await anyio.sleep(0.05)
                seconds = time.perf_counter() - started
                row = await app.connector.execute_query_one_async(
                    "SELECT counts->'totals'->>'found' AS found FROM runs"
                    " WHERE run_id = %(run_id)s",
                    run_id=run_id,
                )
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                await process.wait()
    return int(row["found"]), seconds


async def ready(app: App, count: int) -> None:
    """Wait until ``count`` workers are registered."""
    while True:
        row = await app.connector.execute_query_one_async(
            "SELECT count(*) AS n FROM jobping_workers"
        )
        if row["n"] >= count:
            return
        await anyio.sleep(0.1)


async def done(app: App, run_id: str) -> bool:
    """Whether the run is done."""
    rows = await app.connector.execute_query_all_async(
        "SELECT 1 FROM jobping_worker_runs WHERE run_id = %(run_id)s AND phase = 'done'",
        run_id=run_id,
    )
    return bool(rows)


async def bench(targets: int, jobs: int, concurrency: int, server: str) -> None:
    """Serve the sandbox, measure ``jobping run`` then 1, 2 and 4 workers, print the figures."""
    faults = {SOURCE: Faults(slow_seconds=0.2)}
    async with serve_sandbox(faults, scale=Scale(targets, jobs)) as sandbox:
        found, alone = await one_run(sandbox, server, concurrency)
        print(f"sandbox: {targets} {SOURCE} boards x {jobs} jobs, each response 200 ms")
        print(f"jobping run (concurrency {concurrency}): {found} jobs in {alone:.2f} s,"
              f" {found / alone:,.0f} jobs/s")  # fmt: skip
        baseline = found / alone
        for count in (1, 2, 4):
            found, seconds = await workers_run(sandbox, server, concurrency, count)
            rate = found / seconds
            print(
                f"{count} worker(s) (concurrency {concurrency} each): {found} jobs in"
                f" {seconds:.2f} s, {rate:,.0f} jobs/s, {rate / baseline:.2f}x jobping run"
            )


def main() -> None:
    """Parse the options and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=240, help="boards (default 240)")
    parser.add_argument("--jobs", type=int, default=20, help="jobs per board (default 20)")
    parser.add_argument("--concurrency", type=int, default=8, help="per process (8)")
    parser.add_argument("--server", default=SERVER, help="PostgreSQL server URL")
    options = parser.parse_args()
    anyio.run(bench, options.targets, options.jobs, options.concurrency, options.server)


if __name__ == "__main__":
    main()
