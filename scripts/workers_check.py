"""The full-scale "Must show" of ``jobping worker`` (#14), against the local PostgreSQL and sandbox.

    .venv/bin/python scripts/workers_check.py                 # every check (15 minutes or more)
    .venv/bin/python scripts/workers_check.py same limits     # some of them

Each check prints one PASS or FAIL line with its figures; the exit code is 0 when all passed.

- ``same``: the sandbox at scale 50x200 with faults (lever down, ashby truncated, every
  body slow), the default tiers (tier 1 brings enough: tier 2 is decided, not run); one
  ``jobping run`` and a run over 3 workers store the same jobs table (modulo timestamps)
  and the same per-scraper counts, status and tiers; the workers' report counts the
  requests the sandbox served (plus those refused by the source that is down).
- ``kill``: the same run over 3 workers, one of them SIGKILLed at 10 random moments (a new
  one started each time): it completes with the same jobs, counts and status as ``jobping
  run``, each job counted once, the run lease released.
- ``schedule``: 5 workers, a run every minute, for 5 minutes: 5 occurrences, each deferred
  once, 5 runs, none overlapping another.
- ``limits``: 4 workers in 2 process groups (2 each), a daily quota per source and a daily
  token budget: counted at the sandbox, no source gets more than its quota, and the LLM
  tokens the sandbox answered with stay within the budget and equal the ledger's.

Workers are the tests' harness (``tests/worker/cluster.py``) at full scale; their logs go
to a temporary directory, printed at the start. Each check uses fresh schemas on
``--server`` (default: the test server), dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository: tests.worker

from jobping.models import RunRecord, RunStatus
from jobping.sandbox import SOURCES, Faults, Sandbox, Scale, serve_sandbox
from jobping.sandbox._server import PLACEHOLDER_KEY
from jobping.worker import enqueue_run, open_queue
from jobping.worker._schedule import scheduled_run_id
from tests.helpers import opened_store
from tests.worker.cluster import (
    all_jobs,
    cluster,
    differences,
    finished_run,
    migrated_schema,
    per_scraper,
    run_phase,
    sandbox_env,
    until_done,
)

SERVER = "postgresql://postgres@127.0.0.1:5432/test"
SCALE = Scale(50, 200)
SLOW = 0.2
"""Seconds each body of the ``same`` and ``kill`` sandbox takes to arrive."""
FAULTS = {name: Faults(slow_seconds=SLOW) for name in SOURCES} | {
    "lever": Faults(down=True),
    "ashby": Faults(malformed="truncated", slow_seconds=SLOW),
}
"""One source down (its breaker opens), one answering invalid JSON, every body slow."""
EVERY_TIER = {"RUN_MIN_JOBS": "10000000", "RUN_TARGET_JOBS": "10000000"}
"""Tier 2 always runs (and is never stopped by the jobs target): every source is scraped."""
RUN_SECONDS = 1800
"""The bound of one run at full scale on a loaded machine."""
KILLS = 10
QUOTA = 20
TOKENS = 30_000


class Failed(Exception):
    """A check's figures did not hold; the message says which."""


@dataclass(slots=True)
class Context:
    """What the checks share: the server, the seed, the full-scale reference.

    The reference (for ``same`` and ``kill``): the sandbox at full scale with faults, and
    one ``jobping run`` over it into a schema of its own.
    """

    server: str
    seed: int
    sandbox: Sandbox | None = None
    reference_url: str = ""
    reference_id: str = ""
    reference_seconds: float = 0.0

    def full_scale(self, url: str) -> tuple[Sandbox, dict[str, str]]:
        """The full-scale sandbox and the environment of a process storing into ``url``."""
        if self.sandbox is None:
            raise RuntimeError("the full-scale checks run inside reference()")
        return self.sandbox, sandbox_env(self.sandbox, url)


@asynccontextmanager
async def reference(ctx: Context) -> AsyncIterator[None]:
    """Serve the full-scale sandbox and run ``jobping run`` over it once, into its schema."""
    async with serve_sandbox(FAULTS, scale=SCALE) as sandbox, migrated_schema(ctx.server) as url:
        ctx.sandbox, ctx.reference_url = sandbox, url
        started = time.perf_counter()
        command = [sys.executable, "-m", "jobping", "run", "--json"]
        result = await anyio.run_process(command, env=ctx.full_scale(url)[1], check=False)
        if result.returncode not in (0, 3):
            error = result.stderr.decode()[-2000:]
            raise Failed(f"jobping run exited {result.returncode}: {error}")
        ctx.reference_id = str(json.loads(result.stdout)["run_id"])
        ctx.reference_seconds = time.perf_counter() - started
        yield


def expect(condition: bool, problem: str) -> None:
    """Fail the check with ``problem`` unless ``condition``."""
    if not condition:
        raise Failed(problem)


async def distributed_run(url: str) -> tuple[str, float]:
    """Enqueue a run for the workers: its id, and when it was enqueued."""
    async with open_queue(url, pool_max_size=1) as app:
        return await enqueue_run(app), time.perf_counter()


async def compared(ctx: Context, url: str, run_id: str) -> tuple[RunRecord, dict[str, Any]]:
    """The workers' run record and figures, failing where it differs from the reference."""
    async with opened_store(ctx.reference_url) as alone, opened_store(url) as spread:
        expected, record = (
            await finished_run(alone, ctx.reference_id),
            await finished_run(spread, run_id),
        )
        jobs, want = await all_jobs(spread), await all_jobs(alone)
        leased = await spread.lease_holder("run", now=datetime.now(UTC))
    expect(differences(jobs, want) == "", f"jobs table: {differences(jobs, want)}")
    mine, theirs = per_scraper(record), per_scraper(expected)
    changed = sorted(key for key in mine.keys() | theirs.keys() if mine.get(key) != theirs.get(key))
    expect(not changed, f"per-scraper counts differ for {changed}: {[mine.get(k) for k in changed]}"
           f" vs {[theirs.get(k) for k in changed]}")  # fmt: skip
    expect(record.status is expected.status, f"status {record.status} vs {expected.status}")
    ran = [[t["ran"] for t in r.counts["tiers"]] for r in (record, expected)]
    expect(ran[0] == ran[1], f"tiers ran {ran[0]} vs {ran[1]}")
    found = record.counts["totals"]["found"]
    expect(found == len(jobs), f"report found {found}, table holds {len(jobs)}")
    expect(leased is None, f"the run lease is still held by {leased}")
    figures = {"jobs": len(jobs), "scrapers": len(mine), "status": record.status.value}
    return record, figures | {"tiers": ran[0]}


def requests_of(record: RunRecord, names: set[str]) -> int:
    """The report's requests of the scrapers named."""
    return sum(row["requests"] for row in record.counts["scrapers"] if row["name"] in names)


async def check_same(ctx: Context) -> str:
    """One ``jobping run`` and 3 workers: same jobs, counts, status; requests counted right."""
    async with migrated_schema(ctx.server) as url:
        sandbox, env = ctx.full_scale(url)
        before = sum(sandbox.requests.values())
        async with cluster(env) as workers:
            await workers.start(3)
            run_id, started = await distributed_run(url)
            await until_done(url, run_id, workers, RUN_SECONDS)
            seconds = time.perf_counter() - started
            codes = await workers.stop()
        served = sum(sandbox.requests.values()) - before
        record, figures = await compared(ctx, url, run_id)
    expect(codes == [0, 0, 0], f"workers exited {codes}")
    down = {name for name, faults in FAULTS.items() if faults.down}
    http = record.counts["http"]
    refused = requests_of(record, down)
    problem = f"report requests {http['requests']} - {refused} refused != {served} served"
    expect(http["requests"] - refused == served, problem)
    return (
        f"{figures['jobs']:,} jobs and {figures['scrapers']} scrapers' counts equal,"
        f" status {figures['status']}, tiers ran {figures['tiers']};"
        f" jobping run {ctx.reference_seconds:.0f} s, 3 workers {seconds:.0f} s;"
        f" report requests {http['requests']:,} = {served:,} served + {refused} refused (lever"
        f" down), retries {http['retries']}, breaker trips {http['breaker_trips']}"
    )


async def check_kill(ctx: Context) -> str:
    """3 workers, one SIGKILLed at 10 random moments: the same result as ``jobping run``."""
    moments = random.Random(ctx.seed)  # noqa: S311 - kill moments, not secrets
    async with migrated_schema(ctx.server) as url:
        sandbox, env = ctx.full_scale(url)
        before = sum(sandbox.requests.values())
        args = ("--heartbeat-seconds", "1", "--stalled-after-seconds", "10")
        async with cluster(env, *args) as workers:
            await workers.start(3)
            run_id, started = await distributed_run(url)
            at: list[str] = []
            while len(at) < KILLS and await run_phase(url, run_id) != "done":
                await anyio.sleep(moments.uniform(0.5, 5.0))
                victim = moments.choice([p for p in workers.processes if p.returncode is None])
                workers.signal(victim, signal.SIGKILL)
                await victim.wait()
                at.append(f"{time.perf_counter() - started:.0f}s {await run_phase(url, run_id)}")
                await workers.start(1)
            await until_done(url, run_id, workers, RUN_SECONDS)
            seconds = time.perf_counter() - started
            await workers.stop()
        served = sum(sandbox.requests.values()) - before
        record, figures = await compared(ctx, url, run_id)
    expect(len(at) == KILLS, f"the run was done after {len(at)} kills (at {at})")
    return (
        f"{KILLS} kills (at {', '.join(at)}; seed {ctx.seed}), run done in {seconds:.0f} s:"
        f" {figures['jobs']:,} jobs, none lost or duplicated, {figures['scrapers']} scrapers'"
        f" counts and status {figures['status']} as jobping run's, lease released;"
        f" report requests {record.counts['http']['requests']:,}, sandbox served {served:,}"
        f" (the killed attempts' requests are not in the report)"
    )


async def check_schedule(ctx: Context) -> str:
    """5 workers, a run every minute for 5 minutes: 5 occurrences, 5 runs, no overlap."""
    faults = {name: Faults(slow_seconds=4.0) for name in SOURCES}  # a run lasts a while
    async with (
        serve_sandbox(faults, scale=Scale(5, 20)) as sandbox,
        migrated_schema(ctx.server) as url,
    ):
        env = sandbox_env(sandbox, url, SCHEDULE__RUN="* * * * *")
        await anyio.sleep(62 - time.time() % 60)  # 2 s into a minute: its run is caught up
        first = int(time.time()) // 60 * 60
        async with cluster(env) as workers:
            await workers.start(5)
            await anyio.sleep(first + 5 * 60 - 8 - time.time())  # stop before a sixth one
            codes = await workers.stop()
        async with open_queue(url, pool_max_size=1) as app:
            rows = await app.connector.execute_query_all_async(
                "SELECT (args->>'timestamp')::bigint AS at FROM procrastinate_jobs"
                " WHERE task_name = 'jobping:scheduled_run' ORDER BY at"
            )
        async with opened_store(url) as store:
            runs = sorted(await store.recent_runs(100), key=lambda run: run.started_at)
    stamps = [int(row["at"]) for row in rows]
    expect(codes == [0] * 5, f"workers exited {codes}")
    expect(stamps == [first + 60 * n for n in range(5)], f"occurrences deferred: {stamps}")
    ids = [run.run_id for run in runs]
    expect(ids == [scheduled_run_id(at) for at in stamps], f"runs recorded: {ids}")
    statuses = {run.status for run in runs}
    expect(statuses == {RunStatus.SUCCESS}, f"statuses {statuses}")
    ends = [run.finished_at or run.started_at for run in runs]  # a successful run has finished
    gaps = [
        (later.started_at - end).total_seconds() for end, later in zip(ends, runs[1:], strict=False)
    ]
    expect(min(gaps) > 0, f"runs overlapped: gaps {gaps}")
    lengths = [(end - run.started_at).total_seconds() for end, run in zip(ends, runs, strict=True)]
    return (
        f"5 occurrences ({datetime.fromtimestamp(first, UTC):%H:%M} to"
        f" {datetime.fromtimestamp(stamps[-1], UTC):%H:%M}), each deferred once; 5 runs,"
        f" all success, {min(lengths):.0f}-{max(lengths):.0f} s each, no overlap (gaps"
        f" {min(gaps):.0f}-{max(gaps):.0f} s)"
    )


async def check_limits(ctx: Context) -> str:
    """4 workers in 2 process groups: quotas and the token budget exact at the server side."""
    async with (
        serve_sandbox({}, scale=Scale(50, 20)) as sandbox,
        migrated_schema(ctx.server) as url,
    ):
        env = sandbox_env(
            sandbox,
            url,
            **EVERY_TIER,
            HTTP_DEFAULTS=json.dumps({"retry_attempts": 1, "daily_quota": QUOTA}),
            OPENAI_API_KEY=PLACEHOLDER_KEY,
            OPENAI_BASE_URL=sandbox.openai_base_url,
            OPENAI_DAILY_TOKEN_LIMIT=str(TOKENS),
        )
        async with cluster(env) as workers:
            groups = [await workers.start_group(2) for _ in range(2)]
            run_id, _started = await distributed_run(url)
            await until_done(url, run_id, workers, RUN_SECONDS)
            codes = await workers.stop()
        requests, chat = dict(sandbox.requests), sandbox.chat
        today = datetime.now(UTC).date()
        async with opened_store(url) as store:
            [usage] = await store.budget_usage_by_day(today, today)
            record = await finished_run(store, run_id)
            stored = await store.count_jobs()
    asked = {name: n for name, n in requests.items() if n}
    expect(codes == [0, 0], f"process groups exited {codes}")
    expect(max(asked.values()) <= QUOTA, f"a quota was passed: {asked}")
    at_quota = sorted(name for name, n in asked.items() if n == QUOTA)
    expect(bool(at_quota), f"no source reached its quota: {asked}")
    enriched = record.counts["enrichment"]["enriched"]
    ledger = (usage.calls, usage.prompt_tokens + usage.completion_tokens)
    expect(enriched == chat.requests > 0, f"enriched {enriched}, sandbox answered {chat.requests}")
    expect(ledger == (chat.requests, chat.tokens), f"ledger {ledger}, sandbox {chat.requests},"
           f" {chat.tokens}")  # fmt: skip
    expect(chat.tokens <= TOKENS, f"{chat.tokens} tokens answered, budget {TOKENS}")
    return (
        f"process groups {[g.pid for g in groups]} x 2 workers; daily quota {QUOTA}: sandbox"
        f" counted at most {max(asked.values())} per source ({len(at_quota)} of {len(asked)}"
        f" sources at it); tokens answered {chat.tokens:,} of {TOKENS:,} in {chat.requests}"
        f" calls = ledger; {enriched} of {stored:,} jobs enriched"
    )


FULL_SCALE = ("same", "kill")
"""The checks run against the full-scale sandbox and its ``jobping run`` reference."""
CHECKS: dict[str, Callable[[Context], Awaitable[str]]] = {
    "same": check_same,
    "kill": check_kill,
    "schedule": check_schedule,
    "limits": check_limits,
}


async def main(names: list[str], server: str, seed: int) -> int:
    """Run the checks named, print a line each; 0 when all passed."""
    logs = tempfile.mkdtemp(prefix="jobping-workers-check-")
    os.chdir(logs)
    print(f"workers' logs in {logs}", flush=True)
    ctx = Context(server, seed)
    full = [name for name in names if name in FULL_SCALE]
    results = []
    async with AsyncExitStack() as stack:
        if full:
            await stack.enter_async_context(reference(ctx))
            print(f"jobping run over the full-scale sandbox: {ctx.reference_seconds:.0f} s",
                  flush=True)  # fmt: skip
        for name in names:
            if name not in FULL_SCALE:
                await stack.aclose()  # the full-scale sandbox is not needed any more
            results.append(await _one(name, ctx))
    return 0 if all(results) else 1


async def _one(name: str, ctx: Context) -> bool:
    started = time.perf_counter()
    try:
        line, passed = f"PASS {name}: {await CHECKS[name](ctx)}", True
    except (Failed, AssertionError, TimeoutError) as exc:
        line, passed = f"FAIL {name}: {exc}", False
    print(f"{line} [{time.perf_counter() - started:.0f} s]", flush=True)
    return passed


def cli() -> None:
    """Parse the options and run the checks."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checks", nargs="*", metavar="CHECK", help=f"of {', '.join(CHECKS)}")
    parser.add_argument("--server", default=SERVER, help="PostgreSQL server URL")
    parser.add_argument("--seed", type=int, default=random.randrange(2**32),  # noqa: S311
                        help="seed of the kill moments (default: random, printed)")  # fmt: skip
    options = parser.parse_args()
    if unknown := sorted(set(options.checks) - set(CHECKS)):
        parser.error(f"no check {unknown[0]!r} (checks: {', '.join(CHECKS)})")
    names = [name for name in CHECKS if name in options.checks] or list(CHECKS)
    sys.exit(anyio.run(main, names, options.server, options.seed))


if __name__ == "__main__":
    cli()
