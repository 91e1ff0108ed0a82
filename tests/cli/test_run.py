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
from jobping.orchestrator import LEASE_NAME, _forkserver
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
    assert (report["status"], report["totals"]["new"]) == ("success", 80)
    assert [t["ran"] for t in report["tiers"]] == [True, False, False]
    assert read(database, "runs") == [(report["run_id"], RunStatus.SUCCESS)]
    assert read(database, "count") == 80


def test_an_unchanged_board_is_a_healthy_run_every_time(
    database: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression (#10): runs over unchanged boards see the same jobs and all exit 0."""
    monkeypatch.setenv("OPENAI_DAILY_TOKEN_LIMIT", "1000000")  # no budget warning either
    runs = [run_cli(["run", "--sandbox", "--quiet"], capsys) for _ in range(3)]

    assert [code for code, _out, _err in runs] == [ExitCode.OK] * 3
    assert all(out == err == "" for _code, out, err in runs)


def test_a_run_hands_its_parse_workers_setting_to_the_early_start(
    database: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``run`` hands RUN_PARSE_WORKERS to ``start_early`` (0 here: the run parses in-process)."""
    asked: list[object] = []
    monkeypatch.setattr(_forkserver, "start_early", asked.append)
    monkeypatch.setenv("RUN_PARSE_WORKERS", "0")

    code, _, err = run_cli(["run", "--sandbox", "--json"], capsys)

    assert code == ExitCode.OK, err
    assert asked == [0]


def test_quiet_prints_nothing_on_success_and_a_summary_otherwise(
    database: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--quiet (cron) is silent when the run succeeds; otherwise it tells why, on stderr."""
    # enriching the sandbox's 80 jobs passes 80% of the default 100,000 tokens a day,
    # which warns (rightly): a budget the two runs stay well under keeps success silent
    monkeypatch.setenv("OPENAI_DAILY_TOKEN_LIMIT", "1000000")
    first = run_cli(["run", "--sandbox", "--quiet"], capsys)
    monkeypatch.setenv("RUN_MIN_JOBS", "100")
    short = run_cli(["run", "--sandbox", "--quiet"], capsys)

    assert first == (0, "", "")
    assert short[1] == ""
    assert "degraded (fallback tier needed: individual)" in short[2]
    assert (
        "tier 2 individual: ran: the run has seen 80 jobs, fewer than run_min_jobs=100" in short[2]
    )


def test_the_text_report_shows_tiers_scrapers_and_totals(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --json the report is a table on stdout."""
    code, out, _err = run_cli(["run", "--sandbox"], capsys)

    assert code == 0
    assert "tier 1 primary: ran: runs every time (14 primary scrapers); +80 jobs" in out
    assert "tier 2 individual: not needed: 80 jobs seen" in out
    assert " greenhouse " in out
    assert "total: 80 found, 80 new, 0 updated, 0 invalid, 0 backfilled" in out


def test_no_store_is_a_dry_run(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--no-store reports the jobs but writes no job and no run record."""
    code, out, err = run_cli(["run", "--sandbox", "--no-store", "--json"], capsys)

    report = json.loads(out)
    assert code == 0, err
    assert (report["dry_run"], report["totals"]["new"]) == (True, 80)
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
    assert 'jobping_run_status{status="success"} 1.0\n' in text
    assert 'jobping_run_jobs{kind="new"} 80.0\n' in text
    assert 'jobping_scraper_jobs{kind="found",scraper="greenhouse"} 19.0\n' in text


def test_a_metrics_file_that_fails_late_loses_no_report(
    database: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression (#10): writing the metrics fails after the run: report printed, run's code."""

    def disk_full(_path: Path, _report: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("jobping.orchestrator.write_metrics", disk_full)
    code, out, err = run_cli(
        ["run", "--sandbox", "--json", "--metrics-file", str(database.parent / "m.prom")], capsys
    )

    assert code == ExitCode.OK
    assert json.loads(out)["status"] == "success"
    assert "could not write --metrics-file" in err


@pytest.mark.parametrize(
    ("argv", "key"),
    [
        (["--tiers", "1,4"], "--tiers"),
        (["--tiers", ""], "--tiers"),
        (["--metrics-file", "/no/such/dir/x.prom"], "--metrics-file"),
        (["--metrics-file", "/proc/jobping.prom"], "--metrics-file"),  # not writable, even by root
        (["--metrics-file", "/proc"], "--metrics-file"),  # a directory
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


def test_an_unpriced_model_stops_the_run_before_any_work(
    database: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A model of the chain without a price exits 2 naming OPENAI_MODELS; no store is created."""
    monkeypatch.setenv("OPENAI_MODELS", json.dumps(["llama-local"]))
    code, out, err = run_cli(["run", "--json"], capsys)
    assert code == ExitCode.CONFIG
    assert "OPENAI_MODELS" in err
    assert out == ""
    assert not database.exists()


def test_a_bad_domain_policy_stops_the_run_before_any_request(
    database: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """HTTP_DOMAINS with an invalid field exits 2 naming it; no run is recorded."""
    monkeypatch.setenv("HTTP_DOMAINS", json.dumps({"boards-api.greenhouse.io": {"daily_quota": 0}}))
    code, out, err = run_cli(["run", "--json"], capsys)
    assert code == ExitCode.CONFIG
    assert "HTTP_DOMAINS" in err
    assert "boards-api.greenhouse.io.daily_quota" in err
    assert out == ""
    assert read(database, "runs") == []


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
    """Today's demo run: greenhouse's breaker trips, reed retries, tiers 2 and 3 contribute.

    Tier 1 sees yesterday's jobs less greenhouse's 19, unchanged: they count (#10).
    """
    code, out, err = run_cli(["demo", "--json", "--db", str(tmp_path / "demo.db")], capsys)

    today = json.loads(out)["today"]
    scrapers = {s["name"]: s for s in today["scrapers"]}
    assert code == 0, err
    yesterday = json.loads(out)["yesterday"]["totals"]["found"]
    assert [t["contributed"] for t in today["tiers"]] == [yesterday - 19, 111, 19]
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
    ``seconds``, flushed 5 jobs at a time; the lease TTL is a minute (a dead local holder is
    taken over at once, so no test waits for it).
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
            "RUN_LEASE_TTL_SECONDS": "60",
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


async def until_recorded(store: Store, count: int) -> None:
    """Return once the running run's record counts ``count`` new jobs."""
    with anyio.fail_after(60):
        while True:
            runs = await store.recent_runs(1)
            if runs and runs[0].counts.get("totals", {}).get("new", 0) >= count:
                return
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
    """SIGKILL mid-run: counts kept to its last batch; a rerun takes its lease at once.

    The lease TTL is a minute: the rerun does not wait for it (the holder's process is gone),
    so nothing here depends on how fast the machine is.
    """
    async with slow_sandbox(database) as env, opened(database) as store:
        first = await start(env, "first")
        await until_recorded(store, 10)  # regression (#10): counts are written while it runs
        first.kill()
        assert await first.wait() == -signal.SIGKILL
        flushed = await jobs_in(store)
        assert 10 <= len(flushed) < JOBS
        assert len(flushed) % 5 == 0  # whole batches only
        [killed] = await store.recent_runs()
        assert 10 <= killed.counts["totals"]["new"] <= len(flushed)  # a batch may be unrecorded
        assert killed.status is RunStatus.RUNNING
        assert await store.lease_holder(LEASE_NAME, now=datetime.now(UTC))  # its TTL is ahead

        rerun = await start(env, "rerun")
        assert await rerun.wait() == ExitCode.OK, await text("rerun.err")

        assert "taking over the run lease" in await text("rerun.err")
        report = json.loads(await text("rerun.out"))
        assert (report["totals"]["new"], report["totals"]["unchanged"]) == (
            JOBS - len(flushed),
            len(flushed),
        )
        assert flushed <= await jobs_in(store)
        assert await store.count_jobs() == JOBS
        runs = await store.recent_runs()
        assert [run.status for run in runs] == [RunStatus.SUCCESS, RunStatus.INTERRUPTED]
        assert runs[1].finished_at is not None  # the dead run closed at its last progress


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


def test_run_help_says_what_triggers_each_tier_and_each_exit_code(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """#10: the help tells a cron/systemd user the tier triggers (jobs seen) and exit codes."""
    monkeypatch.setenv("COLUMNS", "200")
    code, out, _err = run_cli(["run", "--help"], capsys)

    assert code == 0
    text = " ".join(out.split())
    assert "seen fewer than RUN_MIN_JOBS jobs" in text
    assert "3 degraded" in text
    assert "4 another run holds the lease" in text
