"""Benchmark: how long the ``jobping`` command takes to start, against bare Python.

Usage: ``.venv/bin/python scripts/bench/startup.py [--runs 15]``

Each command runs ``--runs`` times as a fresh process (``python -c pass``, then
``jobping --version``, ``jobping --help`` and ``jobping status`` through ``python -m jobping``,
so no console-script wrapper is measured), the commands taking turns round by round so the
noise of a shared machine falls on all of them alike. ``status`` reads a temporary SQLite
store (migrated, with a few finished runs, before timing). Printed per command: the median
wall time, the median CPU time (user + system of the child), and both as ratios to bare
Python measured in the same run; the goals are ``--version``/``--help`` within 4x and
``status`` within 8x.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio

from jobping.models import RunRecord, RunStatus
from jobping.store import open_store

COMMANDS: dict[str, list[str]] = {
    "python -c pass": ["-c", "pass"],
    "jobping --version": ["-m", "jobping", "--version"],
    "jobping --help": ["-m", "jobping", "--help"],
    "jobping status": ["-m", "jobping", "status"],
}
GOALS = {"jobping --version": 4.0, "jobping --help": 4.0, "jobping status": 8.0}


def _timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run ``python args`` once: its wall time and CPU time (user + system), in seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, *args], env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


async def _seed_store(database_url: str, runs: int = 5) -> None:
    """Create and migrate the store at ``database_url`` and log ``runs`` finished runs."""
    store = await open_store(database_url)
    try:
        now = datetime.now(UTC)
        for index in range(runs):
            started = now - timedelta(hours=index)
            await store.save_run(
                RunRecord(
                    run_id=f"bench-{index}",
                    started_at=started,
                    status=RunStatus.SUCCESS,
                    finished_at=started + timedelta(minutes=1),
                    counts={"totals": {"seen": 100, "new": index, "updated": 1}},
                )
            )
    finally:
        await store.close()


def main() -> None:
    """Measure every command ``--runs`` times, print the medians and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs per command (default 15)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="jobping-bench-") as scratch:
        database_url = f"sqlite:///{Path(scratch) / 'bench.db'}"
        anyio.run(_seed_store, database_url)
        env = os.environ | {"DATABASE_URL": database_url}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        for args_ in COMMANDS.values():  # warm: bytecode caches
            _timed(args_, env)
        walls: dict[str, list[float]] = {name: [] for name in COMMANDS}
        cpus: dict[str, list[float]] = {name: [] for name in COMMANDS}
        for _ in range(args.runs):
            for name, args_ in COMMANDS.items():
                wall, cpu = _timed(args_, env)
                walls[name].append(wall)
                cpus[name].append(cpu)
    base_wall = statistics.median(walls["python -c pass"])
    base_cpu = statistics.median(cpus["python -c pass"])
    print(f"{args.runs} runs per command, medians; ratios to `python -c pass` (this run)")
    print(f"{'command':<20} {'wall ms':>8} {'ratio':>7} {'cpu ms':>8} {'ratio':>7}  goal")
    for name in COMMANDS:
        wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
        goal = GOALS.get(name)
        verdict = ""
        if goal is not None:
            verdict = f"<= {goal:g}x: " + ("met" if wall / base_wall <= goal else "MISSED")
        print(
            f"{name:<20} {wall * 1000:>8.0f} {wall / base_wall:>6.1f}x"
            f" {cpu * 1000:>8.0f} {cpu / base_cpu:>6.1f}x  {verdict}"
        )


if __name__ == "__main__":
    main()
