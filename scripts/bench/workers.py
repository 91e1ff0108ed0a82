"""Benchmark: throughput of a run over 1, 2 and 4 ``jobping worker`` processes.

The sandbox, served from this process, synthesizes greenhouse boards whose responses take
200 ms each, with few jobs per board (I/O bound: the work is waiting, not parsing). Each
configuration scrapes every board into a fresh PostgreSQL schema: one ``jobping run``
process (the baseline, measured in the same run), one ``jobping run`` with as many targets
in flight as 4 workers have, then N workers (each ``--concurrency`` = ``RUN_CONCURRENCY``)
given the run by ``enqueue_run``; the clock runs from the enqueue until the run is done.

Each line prints the I/O floor (the 200 ms rounds the targets in flight need) and how busy
the machine's CPUs were meanwhile: near 100 %, the CPU and not the waiting bounds the run.

    .venv/bin/python scripts/bench/workers.py                  # 240 boards x 5 jobs, twice
    .venv/bin/python scripts/bench/workers.py --jobs 20        # more parsing per response

PostgreSQL: ``--server`` (default the local test server). On a small shared machine the
sandbox, the database and the workers compete for the CPU: read the ratios.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import anyio
from procrastinate import App

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository: tests.worker

from jobping.sandbox import Faults, Sandbox, Scale, serve_sandbox
from jobping.settings import load_settings
from jobping.worker import enqueue_run, open_queue
from tests.worker.cluster import migrated_schema

SOURCE = "greenhouse"
SERVER = "postgresql://postgres@127.0.0.1:5432/test"
RESPONSE_SECONDS = 0.2


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


class CpuMeter:
    """How busy the machine's CPUs were over a block (Linux ``/proc/stat``; else unknown)."""

    busy: float | None = None

    @staticmethod
    def _times() -> tuple[int, int] | None:
        try:
            fields = [int(f) for f in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        except OSError:
            return None
        idle = fields[3] + fields[4]  # idle + iowait
        return sum(fields) - idle, sum(fields)

    @contextmanager
    def measure(self) -> Iterator[None]:
        """Measure the block; ``busy`` is then the share of all CPUs in use (0 to 1)."""
        before = self._times()
        yield
        after = self._times()
        if before and after and after[1] > before[1]:
            self.busy = (after[0] - before[0]) / (after[1] - before[1])

    def __str__(self) -> str:
        return "CPU ?" if self.busy is None else f"CPUs {self.busy:.0%} busy"


async def one_run(sandbox: Sandbox, server: str, concurrency: int) -> tuple[int, float, CpuMeter]:
    """``jobping run``: jobs found, the run's own seconds, the CPUs meanwhile."""
    meter = CpuMeter()
    async with migrated_schema(server) as url:
        with meter.measure():
            done = await anyio.run_process(
                [sys.executable, "-m", "jobping", "run", "--json"],
                env=bench_env(sandbox, url, concurrency),
                check=False,
            )
    report = json.loads(done.stdout)
    return report["totals"]["found"], report["duration_seconds"], meter


async def workers_run(
    sandbox: Sandbox, server: str, concurrency: int, count: int
) -> tuple[int, float, CpuMeter]:
    """``count`` workers: jobs found, seconds from the enqueue to the run done, the CPUs."""
    meter = CpuMeter()
    async with migrated_schema(server) as url:
        env = bench_env(sandbox, url, concurrency)
        command = [sys.executable, "-m", "jobping", "worker", "--concurrency", str(concurrency)]
        processes = [await anyio.open_process(command, env=env) for _ in range(count)]
        try:
            async with open_queue(url, pool_max_size=2) as app:
                await ready(app, count)
                with meter.measure():
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
    return int(row["found"]), seconds, meter


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


def floor(targets: int, in_flight: int) -> float:
    """The least time ``targets`` responses of 200 ms take, ``in_flight`` at once."""
    return math.ceil(targets / in_flight) * RESPONSE_SECONDS


async def bench(targets: int, jobs: int, concurrency: int, server: str, repeat: int) -> None:
    """Serve the sandbox; measure ``jobping run``, then 1, 2 and 4 workers; print the figures."""
    faults = {SOURCE: Faults(slow_seconds=RESPONSE_SECONDS)}
    async with serve_sandbox(faults, scale=Scale(targets, jobs)) as sandbox:
        print(f"sandbox: {targets} {SOURCE} boards x {jobs} jobs, each response 200 ms")
        for round_ in range(1, repeat + 1):
            print(f"round {round_}:")
            found, alone, meter = await one_run(sandbox, server, concurrency)
            baseline = found / alone
            print(f"  jobping run (concurrency {concurrency}): {found} jobs in {alone:.2f} s"
                  f" (I/O floor {floor(targets, concurrency):.1f} s), {baseline:,.0f} jobs/s,"
                  f" {meter}")  # fmt: skip
            wide = 4 * concurrency
            found, seconds, meter = await one_run(sandbox, server, wide)
            print(f"  jobping run (concurrency {wide}): {found} jobs in {seconds:.2f} s"
                  f" (I/O floor {floor(targets, wide):.1f} s), {found / seconds:,.0f} jobs/s,"
                  f" {found / seconds / baseline:.2f}x, {meter}")  # fmt: skip
            for count in (1, 2, 4):
                found, seconds, meter = await workers_run(sandbox, server, concurrency, count)
                rate = found / seconds
                print(
                    f"  {count} worker(s) (concurrency {concurrency} each): {found} jobs in"
                    f" {seconds:.2f} s (I/O floor {floor(targets, count * concurrency):.1f} s),"
                    f" {rate:,.0f} jobs/s, {rate / baseline:.2f}x jobping run, {meter}"
                )


def main() -> None:
    """Parse the options and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=240, help="boards (default 240)")
    parser.add_argument("--jobs", type=int, default=5, help="jobs per board (default 5)")
    parser.add_argument("--concurrency", type=int, default=8, help="per process (8)")
    parser.add_argument("--repeat", type=int, default=2, help="rounds (default 2)")
    parser.add_argument("--server", default=SERVER, help="PostgreSQL server URL")
    options = parser.parse_args()
    anyio.run(
        bench, options.targets, options.jobs, options.concurrency, options.server, options.repeat
    )


if __name__ == "__main__":
    main()
