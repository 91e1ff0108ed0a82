"""Benchmark: ``jobping run`` over sandbox boards of 500 jobs, with 20% faults, at three scales.

The sandbox, served from this process, synthesizes greenhouse boards of 500 jobs (the whole
board in one response, as Greenhouse answers) and answers 20% of requests with a 500, 502
or 503. A ``python -m jobping run --json`` process scrapes them into a fresh SQLite file with
the default settings (8 targets at once, batches of 200, 4 attempts per request), so every
layer is on: retries with backoff, breakers, the sink's dedupe and batched upserts.

For each scale (50, 100 and 200 boards by default) it prints the run's time, jobs per
second, the CPU seconds of the run's process and of each parse worker, the cores used (CPU
seconds over wall seconds), their peak RSS, and where the time went: fetch, parse, store and
enrich, summed over the targets at work together (so they overlap).

Then, at the smallest scale and without faults (retry sleeps and breaker trips differ from
run to run), one core against every core, ``--repeat`` rounds:

- one core: the run parsing in its own process (``RUN_PARSE_WORKERS=0``, what ``auto``
  picks on a 1-core machine), the run's process pinned to one CPU (``sched_setaffinity``
  before it imports anything), so its store thread cannot use a second one either;
- every core: the run with ``--workers`` parse workers, on every CPU of the bench.

The sandbox serving the boards runs in the bench's process, never pinned: it competes with
the run for the CPUs, and more so in the every-core run (the one-core run leaves it a CPU of
its own), so the comparison leans against the workers; its CPU seconds are printed with
each run. To keep that lean small, as a remote API costs the machine under test nothing,
one sandbox serves every round with ``render_once``: each board's JSON is rendered once,
by a fetch of every board before the first round, and its bytes served again to each run.
The runs of a round go in alternating order (one core first in odd rounds), so a
drift of the machine's load weighs on both sides; the verdict is the median of the rounds'
ratios, with their range. Other processes of the machine (``/proc/stat`` less this bench,
its runs and their parse workers; the workers' forkserver, about 0.3 CPU s of start-up,
counts as other) are measured during each run: a round where they took more than
``--quiet-share`` of the machine in any run is starred busy, and the median of the quiet
rounds is printed too. ``--before DIR`` runs both sides from an older tree too, in the
same rounds, for a before/after measured in the same run; ``--no-store-too`` runs both sides
as dry runs too (``--no-store``: parsed and counted, nothing written), for the store's share
of the run. Last, a raw httpx baseline.

    .venv/bin/python scripts/bench/run.py                          # 50, 100, 200 x 500
    .venv/bin/python scripts/bench/run.py --targets 40 --workers 2 --repeat 7
    git archive HEAD~3 jobping scrapers | tar -x -C /tmp/before
    .venv/bin/python scripts/bench/run.py --targets 40 --workers 2 --before /tmp/before
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
import httpx

from jobping.sandbox import Faults, Sandbox, Scale, serve_sandbox

SOURCE = "greenhouse"
MIB = 2**20


_PAGE = json.dumps(
    [{"title": f"Engineer {n}", "content": "<p>Build &amp; ship</p>" * 40} for n in range(300)]
)


def decode_pages(seconds: float) -> int:
    """JSON pages decoded in ``seconds`` of this process: pure CPU work, no I/O."""
    done, end = 0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        json.loads(_PAGE)
        done += 1
    return done


def machine_ceiling(cpus: int, seconds: float = 1.0) -> float:
    """How much more ``cpus`` processes decode at once than one alone, on this machine now.

    No run's every-core / one-core ratio can pass it: it is what the CPUs give (shared
    caches, a busy host) to work that shares nothing.
    """
    with multiprocessing.get_context("spawn").Pool(cpus) as pool:
        pool.map(decode_pages, [seconds / 4] * cpus)  # warm: every process started and busy
        alone = pool.apply(decode_pages, (seconds,))
        together = sum(pool.map(decode_pages, [seconds] * cpus, chunksize=1))
    return together / alone


def run_command(cpu: int | None, *, store: bool = True) -> list[str]:
    """``python -m jobping run --json``; with ``cpu``, pinned to that CPU from its first line.

    Without ``store``, a dry run (``--no-store``): every job parsed and counted, none written.
    """
    arguments = ["run", "--json", *([] if store else ["--no-store"])]
    if cpu is None:
        return [sys.executable, "-m", "jobping", *arguments]
    pinned = (
        f"import os, runpy, sys; os.sched_setaffinity(0, {{{cpu}}}); sys.argv[0] = 'jobping';"
        " runpy.run_module('jobping', run_name='__main__', alter_sys=True)"
    )
    return [sys.executable, "-c", pinned, *arguments]


def own_cpu_seconds() -> float:
    """The CPU seconds of this process so far: the sandbox's, as it serves the runs."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def machine_cpu_seconds() -> float:
    """The CPU seconds every process of the machine spent so far (``/proc/stat``)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def ours_cpu_seconds() -> float:
    """The CPU seconds of this process and of its children reaped so far (the runs)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own_cpu_seconds() + children.ru_utime + children.ru_stime


async def orchestrated(
    env: dict[str, str], cpu: int | None, tree: Path | None, *, store: bool = True
) -> tuple[dict[str, Any], float]:
    """Run ``jobping run --json`` (pinned to ``cpu``, from ``tree`` if given); report, seconds.

    The run starts in ``tree`` (``jobping`` and ``scrapers`` are imported from its working
    directory first), else in this one.
    """
    started = time.perf_counter()
    command = run_command(cpu, store=store)
    done = await anyio.run_process(command, env=env, check=False, cwd=tree)
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


async def one_run(
    sandbox: Sandbox,
    concurrency: int,
    workers: int,
    cpu: int | None = None,
    tree: Path | None = None,
    *,
    store: bool = True,
) -> dict[str, Any]:
    """One run of the served sandbox into a fresh database (pinned to ``cpu``, from ``tree``).

    Without ``store``, a dry run (see ``run_command``).

    Its report, plus ``wall`` (the process's seconds) and ``sandbox_cpu`` (the CPU seconds
    the sandbox spent meanwhile).
    """
    with tempfile.TemporaryDirectory(prefix="jobping-bench-") as scratch:
        env = sandbox.run_env(
            SOURCE,
            Path(scratch) / "bench.db",
            RUN_CONCURRENCY=str(concurrency),
            RUN_PARSE_WORKERS=str(workers),
        )
        served, ours, machine = own_cpu_seconds(), ours_cpu_seconds(), machine_cpu_seconds()
        report, wall = await orchestrated(env, cpu, tree, store=store)
    report["wall"] = wall
    report["sandbox_cpu"] = own_cpu_seconds() - served
    # The parse workers are not children of this process: their CPU is the one reported.
    processes = report["timings"]["processes"]
    workers = sum(p["cpu_seconds"] for name, p in processes.items() if name != "main")
    others = machine_cpu_seconds() - machine - (ours_cpu_seconds() - ours) - workers
    report["others_share"] = max(0.0, others) / wall / len(os.sched_getaffinity(0))
    return report


def describe(report: dict[str, Any], label: str) -> float:
    """Print one run's figures; its jobs per second."""
    totals, scraper, timings = report["totals"], report["scrapers"][0], report["timings"]
    seconds = report["duration_seconds"]
    rate: float = totals["found"] / seconds
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
        f" parse workers {timings['parse_workers']}, cores used {cpu / seconds:.2f} (start-up in)"
        f" ({cpu:.1f} CPU s), peak RSS {rss / MIB:.0f} MiB (sum of the processes' peaks)"
    )
    print(
        f"  per process (CPU, peak RSS): {per_process};"
        f" the sandbox meanwhile {report['sandbox_cpu']:.1f} CPU s, other processes"
        f" {report['others_share']:.0%} of the machine"
    )
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
    await one_core_against_all(options, smallest)
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


async def one_core_against_all(options: argparse.Namespace, targets: int) -> None:
    """Rounds of runs, one core against every core (see the module's docstring), and verdicts.

    With ``--before``, each round also runs both sides from that older tree; with
    ``--no-store-too``, both sides as dry runs (``--no-store``): what the store costs the run.
    """
    cpus = sorted(os.sched_getaffinity(0))
    ceilings = [machine_ceiling(len(cpus)) for _ in range(3)]
    print(
        f"the machine's ceiling: {len(cpus)} processes decoding JSON at once do"
        f" {', '.join(f'{c:.2f}x' for c in ceilings)} the work of one (median"
        f" {statistics.median(ceilings):.2f}x): no every-core / one-core ratio can pass it"
    )
    print(
        f"one core (in-process, pinned to CPU {cpus[-1]}) against {options.workers} parse"
        f" workers on CPUs {','.join(map(str, cpus))}, {targets} x {options.jobs}, no faults"
        " (retry sleeps and breaker trips differ from run to run):"
    )
    variants: dict[str, tuple[Path | None, bool]] = {"this tree": (None, True)}
    if options.before:
        variants["before"] = (options.before, True)
    if options.no_store_too:
        variants["no store"] = (None, False)
    sides = (("one core", 0, cpus[-1]), ("every core", options.workers, None))
    runs = [(variant, *side) for variant in variants for side in sides]
    rates: dict[tuple[str, str], list[float]] = {(run[0], run[1]): [] for run in runs}
    busy: list[bool] = []
    """Per round: whether other processes took more than ``--quiet-share`` during a run."""
    scale = Scale(targets, options.jobs)
    async with serve_sandbox(scale=scale, render_once=True) as sandbox:
        await raw(sandbox, options.concurrency)  # every board rendered once, before the rounds
        for round_ in range(1, options.repeat + 1):
            busy.append(False)
            for variant, side, workers, cpu in runs if round_ % 2 else reversed(runs):
                tree, store = variants[variant]
                report = await one_run(
                    sandbox, options.concurrency, workers, cpu, tree, store=store
                )
                label = f"  round {round_}, {variant}, {side}, RUN_PARSE_WORKERS={workers}"
                rates[variant, side].append(describe(report, label))
                busy[-1] |= report["others_share"] > options.quiet_share
    quiet = [round_ for round_, was_busy in enumerate(busy, 1) if not was_busy]
    print(
        f"quiet rounds (other processes under {options.quiet_share:.0%} of the machine in each"
        f" run): {', '.join(map(str, quiet)) or 'none'}; ratios of every round, then the"
        " median of the quiet ones:"
    )
    for variant in variants:
        every, one = rates[variant, "every core"], rates[variant, "one core"]
        print(verdict(f"{variant}: every core / one core", every, one, busy))
    for other, label in (("before", "this tree / before"), ("no store", "store / no store")):
        if other in variants:
            for side, _, _ in sides:
                mine, theirs = rates["this tree", side], rates[other, side]
                print(verdict(f"{side}: {label}", mine, theirs, busy))


def verdict(
    label: str, numerators: list[float], denominators: list[float], busy: list[bool]
) -> str:
    """Each round's ratio of jobs/s (busy rounds starred); their median and range, all and quiet."""
    ratios = [n / d for n, d in zip(numerators, denominators, strict=True)]
    shown = ", ".join(f"{r:.2f}x{'*' if b else ''}" for r, b in zip(ratios, busy, strict=True))
    text = f"{label} (jobs/s, per round, * busy): {shown}; {spread(ratios)}"
    if quiet := [r for r, b in zip(ratios, busy, strict=True) if not b]:
        text += f"; quiet rounds: {spread(quiet)}"
    return text


def spread(ratios: list[float]) -> str:
    """The median and range of ``ratios``."""
    median, low, high = statistics.median(ratios), min(ratios), max(ratios)
    return f"median {median:.2f}x, range {low:.2f}-{high:.2f}x"


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
        "--repeat", type=int, default=5, help="rounds of one core / every core runs (5)"
    )
    parser.add_argument(
        "--before",
        type=Path,
        help="an older tree (git archive COMMIT jobping scrapers) run in each round too",
    )
    parser.add_argument(
        "--quiet-share",
        type=float,
        default=0.1,
        help="most of the machine other processes may take in a quiet round's runs (0.1)",
    )
    parser.add_argument(
        "--no-store-too",
        action="store_true",
        help="each round also runs both sides with --no-store (what the store costs)",
    )
    anyio.run(bench, parser.parse_args())


if __name__ == "__main__":
    main()
