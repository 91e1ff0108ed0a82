"""``jobping budget``: reads the ledger only, works without an API key, JSON and text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import run_cli


def test_budget_json_parses_and_needs_no_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """budget --json without OPENAI_API_KEY: exit 0, the limits from the settings, 30 days."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'ledger.db'}")
    monkeypatch.setenv("OPENAI_DAILY_COST_LIMIT", "2.5")
    monkeypatch.setenv("BUDGET_TIMEZONE", "Europe/Berlin")

    code, out, err = run_cli(["budget", "--json"], capsys)

    assert code == 0, err
    report = json.loads(out)
    assert report["timezone"] == "Europe/Berlin"
    assert report["today"]["cost_usd"]["limit"] == 2.5
    assert report["month"]["tokens"]["limit"] == 3_000_000
    assert len(report["days"]) == 30
    assert report["backlog"] == 0
    assert report["warnings"] == []


def test_budget_text_shows_the_windows_and_the_backlog(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The table names today and this month, the projection and the jobs waiting."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'ledger.db'}")

    code, out, err = run_cli(["budget"], capsys)

    assert code == 0, err
    for text in ("today", "this month", "projection to month end", "waiting for enrichment"):
        assert text in out
