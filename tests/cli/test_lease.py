"""``jobping lease release`` and the lease in ``jobping status`` (#10)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio
import pytest

from jobping.models import RunRecord
from jobping.orchestrator import LEASE_NAME
from tests.helpers import opened_store, run_cli

HOST = socket.gethostname()


def dead_pid() -> int:
    """The pid of a process of this host that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait(timeout=60)
    return child.pid


def hold(database: Path, holder: str, *, started_minutes_ago: float = 0) -> None:
    """Let ``holder`` take the run lease for 10 minutes; record its run if it names one."""

    async def write() -> None:
        now = datetime.now(UTC)
        async with opened_store(f"sqlite:///{database}") as store:
            run_id = holder.split(":", 2)[2] if holder.count(":") >= 2 else ""
            if run_id:
                started = now - timedelta(minutes=started_minutes_ago)
                await store.save_run(RunRecord(run_id=run_id, started_at=started))
            assert await store.acquire_lease(LEASE_NAME, holder, ttl_seconds=600, now=now)

    anyio.run(write)


def holder_now(database: Path) -> str | None:
    """Who holds the run lease now."""

    async def read() -> str | None:
        async with opened_store(f"sqlite:///{database}") as store:
            held = await store.lease_holder(LEASE_NAME, now=datetime.now(UTC))
            return held[0] if held else None

    return anyio.run(read)


def test_status_shows_holder_host_pid_age_and_expiry(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--json has every field; the text line names host, pid, process, age and expiry."""
    holder = f"{HOST}:{os.getpid()}:run-7f3a9c"
    hold(database, holder, started_minutes_ago=3)

    code, out, err = run_cli(["status", "--json"], capsys)
    assert code == 0, err
    lease = json.loads(out)["lease"]
    assert lease["holder"] == holder
    assert (lease["host"], lease["pid"], lease["run_id"]) == (HOST, os.getpid(), "run-7f3a9c")
    assert lease["process"] == "alive"
    assert 170 <= lease["age_seconds"] < 3600
    assert 0 < lease["expires_in_seconds"] <= 600
    assert datetime.fromisoformat(lease["expires_at"]) > datetime.now(UTC)

    code, out, err = run_cli(["status"], capsys)
    assert code == 0, err
    line = " ".join(out.split())
    assert f"held by {holder} (host {HOST}, pid {os.getpid()}, process alive, 3m" in line
    assert f"expires {lease['expires_at'][:16]}" in line


def test_release_refuses_a_live_holder_without_force(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A live local process keeps the lease: exit 4, the reason says --force."""
    holder = f"{HOST}:{os.getpid()}:run-live"
    hold(database, holder)

    code, out, _ = run_cli(["lease", "release"], capsys)

    assert code == 4
    assert "--force" in out
    assert holder_now(database) == holder


def test_release_frees_a_lease_whose_process_is_gone(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A dead local holder is released without --force; the JSON says who it was."""
    holder = f"{HOST}:{dead_pid()}:run-dead"
    hold(database, holder)

    code, out, err = run_cli(["lease", "release", "--json"], capsys)

    assert code == 0, err
    result = json.loads(out)
    assert result["released"] is True
    assert result["lease"]["process"] == "gone"
    assert holder_now(database) is None


def test_force_releases_any_holder_and_logs_it(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--force releases a holder on another host, with a warning naming it."""
    holder = "other-host:4242:run-remote"
    hold(database, holder)

    refused, _, _ = run_cli(["lease", "release"], capsys)
    code, out, err = run_cli(["lease", "release", "--force"], capsys)

    assert refused == 4
    assert code == 0, err
    assert "released" in out
    assert f"releasing the run lease of {holder} by force" in err
    assert holder_now(database) is None


def test_release_of_a_free_lease_says_so(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nothing holds the lease: exit 0, "free"."""
    run_cli(["db", "migrate"], capsys)

    code, out, _ = run_cli(["lease", "release"], capsys)

    assert code == 0
    assert "the run lease is free" in out
