"""Benchmark: ``jobping jobs --format jsonl --output FILE`` on 10k and 100k stored jobs.

Usage: ``.venv/bin/python -P scripts/bench/export.py [--jobs 100000]``

Seeds a temporary SQLite file (``upsert_jobs`` in batches of 1,000), then, for the first
tenth of the jobs and for all of them:

1. the CLI export, each in a fresh process (``python -m jobping``): wall time, rows/s and
   that process's own peak RSS (``os.wait4``);
2. the raw baseline, measured in the same run: a plain ``sqlite3`` ``SELECT *`` written
   as JSON lines by the same interpreter, also in a fresh process.

It prints the ratio of the CLI's rows/s to the raw baseline, and the ratio of the peak RSS
at 100k to that at 10k (constant memory: close to 1).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio

from jobping.models import Job, WorkEnvironment
from jobping.store import open_store

RAW = """
import json, sqlite3, sys
connection = sqlite3.connect(sys.argv[1])
connection.row_factory = sqlite3.Row
with open(sys.argv[2], "w", encoding="utf-8") as out:
    for row in connection.execute(
        "SELECT * FROM jobs_view ORDER BY created_at DESC, job_hash DESC LIMIT ?",
        (int(sys.argv[3]),),
    ):
        out.write(json.dumps(dict(row), ensure_ascii=False) + "\\n")
"""


def job(n: int) -> Job:
    """A plausible job with a description of about 2 KB."""
    return Job(
        job_hash=f"{n:032x}",
        title=f"Senior Engineer {n}",
        company=f"Company {n % 997}",
        job_url=f"https://jobs.example.com/{n}",
        source=("greenhouse", "lever", "ashby", "workable")[n % 4],
        location="Berlin, Germany",
        city="Berlin",
        country="DE",
        description="We build things. " * 120,
        work_environment=WorkEnvironment.REMOTE if n % 3 == 0 else WorkEnvironment.HYBRID,
        categories=("software-engineering",),
        posted_at=datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=n),
    )


async def seed(path: Path, count: int) -> None:
    """``count`` jobs in the SQLite file at ``path``."""
    store = await open_store(f"sqlite:///{path}")
    try:
        seen = datetime.now(UTC)
        for first in range(0, count, 1000):
            batch = [job(n) for n in range(first, min(first + 1000, count))]
            await store.upsert_jobs(batch, seen_at=seen + timedelta(microseconds=first))
    finally:
        await store.close()


def timed_child(argv: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Run one child process; its wall time and its own peak RSS in KiB (``os.wait4``)."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{argv[:4]} failed with exit code {child.returncode}")
    return elapsed, usage.ru_maxrss


def main() -> None:
    """Seed, export at two sizes, print the figures and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        started = time.perf_counter()
        anyio.run(seed, db, args.jobs)
        print(f"seeded {args.jobs} jobs in {time.perf_counter() - started:.1f}s")
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{db}", LOG_LEVEL="WARNING")
        peaks = {}
        for size in (args.jobs // 10, args.jobs):
            out = Path(tmp) / f"out-{size}.jsonl"
            cli = [sys.executable, "-m", "jobping", "jobs", "--format", "jsonl"]
            cli += ["--limit", str(size), "--output", str(out)]
            cli_time, cli_rss = timed_child(cli, env)
            raw_time, _ = timed_child(
                [sys.executable, "-c", RAW, str(db), str(out), str(size)], env
            )
            peaks[size] = cli_rss
            print(
                f"{size:>7} jobs: jobping {size / cli_time:>9,.0f} rows/s ({cli_time:.2f}s,"
                f" peak RSS {cli_rss / 1024:.0f} MiB); raw sqlite3+json {size / raw_time:>9,.0f}"
                f" rows/s; jobping/raw = {raw_time / cli_time:.2f}"
            )
        small, large = args.jobs // 10, args.jobs
        print(f"peak RSS {large} jobs / {small} jobs = {peaks[large] / peaks[small]:.2f}")


if __name__ == "__main__":
    main()
