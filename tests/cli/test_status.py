from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio
import pytest

from jobping.orchestrator import LEASE_NAME
from jobping.store import BreakerSnapshot
from tests.helpers import opened_store, run_cli


def prepare(database: Path, *, breakers: list[BreakerSnapshot], holder: str | None) -> None:
    """Save ``breakers`` and let ``holder`` take the run lease."""

    async def write() -> None:
        async with opened_store(f"sqlite:///{database}") as store:
            for snapshot in breakers:
                await store.save_breaker(snapshot)
            if holder:
                now = datetime.now(UTC)
                await store.acquire_lease(LEASE_NAME, holder, ttl_seconds=300, now=now)

    anyio.run(write)


def test_status_after_a_run_shows_the_run_and_todays_quota_per_domain(
    database: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each sandbox source (its own port) used its daily quota; the run is listed."""
    monkeypatch.setenv("HTTP_DOMAINS", json.dumps({"127.0.0.1": {"daily_quota": 1000}}))
    code, out, err = run_cli(["run", "--sandbox", "--json"], capsys)
    assert code == 0, err
    report = json.loads(out)

    code, out, err = run_cli(["status", "--json"], capsys)
    status = json.loads(out)

    assert code == 0, err
    assert status["lease"] is None
    assert [(r["run_id"], r["status"]) for r in status["runs"]] == [(report["run_id"], "success")]
    assert status["runs"][0]["totals"]["new"] == 80
    ports = [d for d in status["domains"] if d["domain"].startswith("127.0.0.1:")]
    used = [d["quotas"]["day"]["used"] for d in ports]
    assert sum(used) == report["totals"]["requests"] == 19
    assert all(d["quotas"]["day"]["left"] == 1000 - d["quotas"]["day"]["used"] for d in ports)
    assert all(d["breaker"] == "closed" for d in status["domains"])


def test_status_shows_open_and_half_open_breakers_and_the_lease_holder(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An open breaker whose retry time passed reads half-open; the lease names its holder."""
    now = datetime.now(UTC)
    soon, past = now + timedelta(minutes=5), now - timedelta(minutes=5)
    prepare(
        database,
        breakers=[
            BreakerSnapshot("down.example", "open", 5, now, soon, 60.0),
            BreakerSnapshot("cooled.example", "open", 5, now, past, 60.0),
        ],
        holder="cron@host:42",
    )

    code, out, err = run_cli(["status", "--json"], capsys)
    status = json.loads(out)

    assert code == 0, err
    assert {d["domain"]: d["breaker"] for d in status["domains"]} == {
        "cooled.example": "half_open",
        "down.example": "open",
    }
    assert status["lease"]["holder"] == "cron@host:42"
    assert status["runs"] == []


def test_status_as_text(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The text view says what is empty and shows the breaker table."""
    prepare(
        database,
        breakers=[BreakerSnapshot("down.example", "open", 5, None, None, 60.0)],
        holder=None,
    )

    code, out, _err = run_cli(["status"], capsys)

    assert code == 0
    assert "down.example" in out
    assert "run lease: free" in out
    assert "no runs yet" in out
