"""``jobping run``, ``jobping demo``: in-process over ``--sandbox``, and real processes killed.

The process tests serve a slow, scaled sandbox from the test's own event loop and start
``python -m jobping run`` against it, so a run is reliably mid-way when it is signalled.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import anyio
import anyio.abc
import pytest

from jobping.cli._exit import ExitCode
from jobping.models import RunStatus
from jobping.orchestrator import LEASE_NAME
from jobping.sandbox import Faults, Scale, serve_sandbox
from jobping.settings import load_settings
from jobping.store import Store
from tests.helpers import opened_store, run_cli

JOBS = 120  # 12 synthesized greenhouse boards of 10 jobs


def opened(path: Path) -> AbstractAsyncContextManager[Store]:
    """The SQLite store at ``path``, open for the block."""
    return opened_store(f"sqlite:///{path}")


def read(path: Path, query: str) -> Any:
    """Ask the store at ``path`` something: ``count`` or ``runs``."""

    async def ask() -> Any:
        async with opened(path) as store:
            if query == "count":
                return await store.count_jobs()
            return [(r.run_id, r.status) for r in await store.recent_runs()]

    return anyio.run(ask)


def test_a_healthy_sandbox_run_succeeds_with_a_json_report(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 0, the JSON report's counts, and the run recorded as a success."""
    code, out, err = run_cli(["run", "--sandbox", "--json"], capsys)

    report = json.loads(out)
    assert code == ExitCode.OK, err
    assert (report["status"], report["totals"]["new"]) == ("success", 57)
    assert [t["ran"] for t in report["tiers"]] == [True, False, False]
    assert read(database, "runs") == [(report["run_id"], RunStatus.SUCCESS)]
    assert read(database, "count") == 57


def test_the_exit_code_follows_the_run(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Again: tier 1 brings nothing new, tier 2 is needed (3); a third time nothing is (1)."""
    codes = [run_cli(["run", "--sandbox", "--quiet"], capsys)[0] for _ in range(3)]

    assert codes == [ExitCode.OK, ExitCode.DEGRADED, ExitCode.FAILED]


def test_quiet_prints_nothing_on_success_and_a_summary_otherwise(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--quiet (cron) is silent when the run succeeds; otherwise it tells why, on stderr."""
    first = run_cli(["run", "--sandbox", "--quiet"], capsys)
    second = run_cli(["run", "--sandbox", "--quiet"], capsys)

    assert first == (0, "", "")
    assert second[1] == ""
    assert "degraded (fallback tier needed: individual)" in second[2]
    assert "tier 2 individual: ran: the run has 0 new-or-updated jobs" in second[2]


def test_the_text_report_shows_tiers_scrapers_and_totals(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --json the report is a table on stdout."""
    code, out, _err = run_cli(["run", "--sandbox"], capsys)

    assert code == 0
    assert "tier 1 primary: ran: runs every time (9 primary scrapers); +57 jobs" in out
    assert "tier 2 individual: not needed: 57 new-or-updated jobs" in out
    assert " greenhouse " in out
    assert "total: 57 found, 57 new, 0 updated, 0 invalid, 0 backfilled" in out


def test_no_store_is_a_dry_run(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--no-store reports the jobs but writes no job and no run record."""
    code, out, err = run_cli(["run", "--sandbox", "--no-store", "--json"], capsys)

    report = json.loads(out)
    assert code == 0, err
    assert (report["dry_run"], report["totals"]["new"]) == (True, 57)
    assert read(database, "count") == 0
    assert read(database, "runs") == []


def test_the_metrics_file_is_written(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--metrics-file writes the run's metrics in Prometheus text."""
    metrics = tmp_path / "jobping.prom"
    code, _out, err = run_cli(
        ["run", "--sandbox", "--quiet", "--metrics-file", str(metrics)], capsys
    )

    text = metrics.read_text()
    assert code == 0, err
    assert 'jobping_run_status{status="success"} 1\n' in text
    assert 'jobping_run_jobs{kind="new"} 57\n' in text
    assert 'jobping_scraper_jobs{scraper="greenhouse",kind="found"} 19\n' in text


@pytest.mark.parametrize(
    ("argv", "key"),
    [
        (["--tiers", "1,4"], "--tiers"),
        (["--tiers", ""], "--tiers"),
        (["--metrics-file", "/no/such/dir/x.prom"], "--metrics-file"),
    ],
)
def test_bad_options_exit_2_naming_the_option(
    database: Path, capsys: pytest.CaptureFixture[str], argv: list[str], key: str
) -> None:
    """A malformed option stops before any work, naming the option."""
    code, out, err = run_cli(["run", "--sandbox", *argv], capsys)

    assert (code, out) == (ExitCode.CONFIG, "")
    assert key in err
    assert not database.exists()


def test_a_section_for_an_uninstalled_scraper_stops_before_any_work(
    database: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A typo in [scrapers.NAME] exits 2 naming the section; no store is created."""
    monkeypatch.setenv("SCRAPERS", json.dumps({"greenhous": {"targets": ["gitlab"]}}))
    code, out, err = run_cli(["run", "--json"], capsys)
    assert code == ExitCode.CONFIG
    assert "scrapers.greenhous" in err
    assert out == ""
    assert not database.exists()


def test_a_held_lease_exits_4_at_once_with_the_holder(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Another run's live lease: exit 4, a message naming it, nothing done."""

    async def hold() -> None:
        async with opened(database) as store:
            await store.acquire_lease(
                LEASE_NAME, "cron@host:42", ttl_seconds=300, now=datetime.now(UTC)
            )

    anyio.run(hold)
    code, out, err = run_cli(["run", "--sandbox"], capsys)

    assert (code, out) == (ExitCode.LEASE_HELD, "")
    assert "jobping: error: another run (cron@host:42) holds the 'run' lease until" in err
    assert read(database, "runs") == []


def test_tiers_option_limits_the_run(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--tiers 2,3 skips the primary tier: the individual scrapers bring 111 jobs."""
    code, out, err = run_cli(["run", "--sandbox", "--tiers", "2,3", "--json"], capsys)

    report = json.loads(out)
    assert code == ExitCode.DEGRADED, err
    assert report["tiers"][0]["reason"] == "disabled (--tiers)"
    assert report["totals"]["new"] == 111


def test_demo_shows_breakers_fallback_and_backfill(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Today's demo run: greenhouse's breaker trips, reed retries, tier 2 contributes.

    Since the six ATS sources (#15) joined the sandbox, tier 2 alone passes the demo's
    ``run_min_jobs`` (80), so the backfill tier has nothing to add: ``cli/demo.py`` must
    raise it (to 120) for the demo to show the backfill again.
    """
    code, out, err = run_cli(["demo", "--json", "--db", str(tmp_path / "demo.db")], capsys)

    today = json.loads(out)["today"]
    scrapers = {s["name"]: s for s in today["scrapers"]}
    assert code == 0, err
    assert [t["contributed"] for t in today["tiers"]] == [0, 111, 0]
    assert (scrapers["greenhouse"]["status"], scrapers["greenhouse"]["breaker_trips"]) == (
        "failed",
        1,
    )
    assert (scrapers["reed"]["status"], scrapers["reed"]["retries"]) == ("ok", 1)
    assert scrapers["remotive"]["status"] == "ok"
    assert today["status"] == "degraded"


# real processes ----------------------------------------------------------------------


@asynccontextmanager
async def slow_sandbox(database: Path, seconds: float = 0.4) -> AsyncIterator[dict[str, str]]:
    """A sandbox whose greenhouse boards are slow, and the env of a run against it.

    Only greenhouse runs: 12 boards of 10 jobs, two boards at a time, each body taking
    ``seconds``, flushed 5 jobs at a time; the lease TTL is the minimum, 5 s.
    """
    faults = {"greenhouse": Faults(slow_seconds=seconds)}
    async with serve_sandbox(faults, scale=Scale(12, 10)) as sandbox:
        applied = sandbox.apply(load_settings(env_file=None))
        scrapers = {
            name: config.model_dump(exclude_unset=True) | {"enabled": name == "greenhouse"}
            for name, config in applied.scrapers.items()
        }
        yield {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{database}",
            "SCRAPERS": json.dumps(scrapers),
            "HTTP_DEFAULTS": json.dumps({"retry_attempts": 1}),
            "RUN_LEASE_TTL_SECONDS": "5",
            "RUN_BATCH_SIZE": "5",
            "RUN_CONCURRENCY": "2",
            "RUN_MIN_JOBS": "0",
        }


def output_files(name: str) -> tuple[IO[bytes], IO[bytes]]:
    """``name.out`` and ``name.err`` in the working directory, open for writing."""
    return Path(f"{name}.out").open("wb"), Path(f"{name}.err").open("wb")


async def start(env: dict[str, str], name: str, *args: str) -> anyio.abc.Process:
    """``python -m jobping run --json ARGS`` with output in ``name.out`` / ``name.err``."""
    command = [sys.executable, "-m", "jobping", "run", "--json", *args]
    out, err = output_files(name)
    try:
        return await anyio.open_process(command, stdout=out, stderr=err, env=env)
    finally:
        out.close()
        err.close()


async def text(name: str) -> str:
    """The content of a file of the working directory."""
    return await anyio.Path(name).read_text()


async def jobs_in(store: Store) -> set[str]:
    """The hashes of every stored job (all have a posting date)."""
    since = datetime(1970, 1, 1, tzinfo=UTC)
    return {job.job_hash for job in await store.recent_active_jobs(posted_since=since, limit=10**6)}


async def until_logged(name: str, line: str) -> None:
    """Return once the file ``name`` holds ``line``."""
    with anyio.fail_after(60):
        while line not in await text(name):  # noqa: ASYNC110 - another process writes
            await anyio.sleep(0.05)


async def until_stored(store: Store, count: int) -> None:
    """Return once the store holds ``count`` jobs."""
    with anyio.fail_after(60):
        while await store.count_jobs() < count:  # noqa: ASYNC110 - another process writes
            await anyio.sleep(0.05)


@pytest.mark.slow
@pytest.mark.anyio
async def test_a_killed_run_loses_nothing_flushed_and_its_lease_is_taken_over(
    database: Path,
) -> None:
    """SIGKILL mid-run; a rerun is refused until the TTL, then completes without duplicates."""
    async with slow_sandbox(database) as env, opened(database) as store:
        first = await start(env, "first")
        await until_stored(store, 10)
        first.kill()
        assert await first.wait() == -signal.SIGKILL
        flushed = await jobs_in(store)
        assert 10 <= len(flushed) < JOBS
        assert len(flushed) % 5 == 0  # whole batches only

        early = await start(env, "early")
        assert await early.wait() == ExitCode.LEASE_HELD
        assert "holds the 'run' lease" in await text("early.err")

        with anyio.fail_after(10):
            while await store.lease_holder(LEASE_NAME, now=datetime.now(UTC)):  # noqa: ASYNC110
                await anyio.sleep(0.1)
        rerun = await start(env, "rerun")
        assert await rerun.wait() == ExitCode.OK, await text("rerun.err")

        report = json.loads(await text("rerun.out"))
        assert (report["totals"]["new"], report["totals"]["unchanged"]) == (
            JOBS - len(flushed),
            len(flushed),
        )
        assert flushed <= await jobs_in(store)
        assert await store.count_jobs() == JOBS
        statuses = [run.status for run in await store.recent_runs()]
        assert statuses == [RunStatus.SUCCESS, RunStatus.INTERRUPTED]  # the dead run closed


@pytest.mark.slow
@pytest.mark.anyio
async def test_sigterm_flushes_records_interrupted_and_releases_the_lease(
    database: Path,
) -> None:
    """SIGTERM mid-run: exit 130, the report says interrupted, every parsed job is stored."""
    async with slow_sandbox(database) as env, opened(database) as store:
        run = await start(env, "run", "--grace-seconds", "0.2")
        await until_stored(store, 10)
        run.send_signal(signal.SIGTERM)
        assert await run.wait() == ExitCode.INTERRUPTED

        report = json.loads(await text("run.out"))
        assert (report["status"], report["reason"]) == ("interrupted", "interrupted by SIGTERM")
        assert report["totals"]["new"] == await store.count_jobs() < JOBS
        record = await store.get_run(report["run_id"])
        assert record is not None and record.status is RunStatus.INTERRUPTED
        assert await store.lease_holder(LEASE_NAME, now=datetime.now(UTC)) is None


@pytest.mark.slow
@pytest.mark.anyio
async def test_of_two_runs_started_at_once_exactly_one_works(database: Path) -> None:
    """The loser exits 4 at once (while the winner still runs); one run is recorded."""
    async with slow_sandbox(database) as env, opened(database) as store:
        runs = [await start(env, "a"), await start(env, "b")]
        with anyio.fail_after(60):
            while all(run.returncode is None for run in runs):  # noqa: ASYNC110 - processes
                await anyio.sleep(0.05)
        loser = next(run for run in runs if run.returncode is not None)
        winner = next(run for run in runs if run is not loser)
        assert loser.returncode == ExitCode.LEASE_HELD
        assert winner.returncode is None
        assert await winner.wait() == ExitCode.OK

        name = "a" if loser is runs[0] else "b"
        assert "holds the 'run' lease" in await text(f"{name}.err")
        assert len(await store.recent_runs()) == 1
        assert await store.count_jobs() == JOBS


@pytest.mark.slow
@pytest.mark.anyio
async def test_a_second_signal_exits_at_once(database: Path) -> None:
    """Two SIGTERMs: exit 130 without the graceful path (the lease is left to expire)."""
    async with slow_sandbox(database, seconds=30) as env, opened(database) as store:
        run = await start(env, "run", "--grace-seconds", "30")
        await until_logged("run.err", "tier 1 (primary): running")
        run.send_signal(signal.SIGTERM)
        await until_logged("run.err", "SIGTERM: no new work")  # the graceful stop began
        run.send_signal(signal.SIGTERM)
        with anyio.fail_after(10):
            assert await run.wait() == ExitCode.INTERRUPTED

        assert "second signal: exiting at once" in await text("run.err")
        assert await text("run.out") == ""
        assert await store.lease_holder(LEASE_NAME, now=datetime.now(UTC)) is not None
        assert [run.status for run in await store.recent_runs()] == [RunStatus.RUNNING]
