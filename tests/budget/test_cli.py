"""``jobping budget``: reads the ledger only, works without an API key, JSON and text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jobping.cli._exit import ExitCode
from tests.helpers import run_cli


def test_budget_json_parses_and_needs_no_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """budget --json without OPENAI_API_KEY: exit 0, the limits from the settings, 30 days."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'ledger.db'}")
    monkeypatch.setenv("OPENAI_DAILY_COST_LIMIT", "2.5")
    monkeypatch.setenv("BUDGET_TIMEZONE", "Europe/Berlin")
    assert run_cli(["db", "migrate"], capsys)[0] == 0  # budget creates no database (#10)

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
    assert run_cli(["db", "migrate"], capsys)[0] == 0  # budget creates no database (#10)

    code, out, err = run_cli(["budget"], capsys)

    assert code == 0, err
    for text in ("today", "this month", "projection to month end", "waiting for enrichment"):
        assert text in out


@pytest.mark.parametrize("command", ["budget", "enrich"])
def test_an_unpriced_model_stops_budget_commands_naming_openai_models(
    command: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """budget and enrich check the price table first: exit 2 naming OPENAI_MODELS, no store."""
    database = tmp_path / "ledger.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("OPENAI_MODELS", json.dumps(["gpt-5.4-mini", "llama-local"]))

    code, out, err = run_cli([command, "--json"], capsys)

    assert (code, out) == (ExitCode.CONFIG, "")
    assert "OPENAI_MODELS" in err
    assert "'llama-local'" in err
    assert not database.exists()
