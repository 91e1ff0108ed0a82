from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import run_cli

SENTINEL = "sk-doctor-SENTINEL-9f8e7d6c5b4a"


def test_doctor_json_reports_store_and_missing_keys(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """doctor --json is valid JSON with the store's schema version and the missing keys."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'doc.db'}")
    monkeypatch.setenv("REED_API_KEY", SENTINEL)
    assert run_cli(["db", "migrate"], capsys)[0] == 0  # doctor creates no database (#10)
    code, out, err = run_cli(["doctor", "--json"], capsys)
    report = json.loads(out)
    assert code == 0, err
    assert report["store"]["ok"] is True
    assert report["store"]["schema_version"] >= 1
    assert "OPENAI_API_KEY" in report["missing_keys"]
    assert "REED_API_KEY" not in report["missing_keys"]
    assert report["settings"]["reed_api_key"] == "**********"
    assert SENTINEL not in out + err


def test_doctor_masks_a_database_password(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A password inside DATABASE_URL is never printed, even when the store cannot open."""
    monkeypatch.setenv("DATABASE_URL", f"postgresql://jobping:{SENTINEL}@127.0.0.1:1/none")
    code, out, err = run_cli(["doctor", "--json"], capsys)
    report = json.loads(out)
    assert report["store"]["ok"] is False
    assert report["store"]["error"]
    assert code == 5
    assert SENTINEL not in out + err


def test_doctor_text_output_masks_secrets(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The human-readable report shows the store and never the secret."""
    monkeypatch.setenv("OPENAI_API_KEY", SENTINEL)
    assert run_cli(["db", "migrate"], capsys)[0] == 0  # doctor creates no database (#10)
    code, out, err = run_cli(["doctor"], capsys)
    assert code == 0, err
    assert "schema version" in out
    assert "OPENAI_API_KEY" in out
    assert SENTINEL not in out + err


def test_bad_config_stops_before_any_work(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An invalid value exits 2 naming the key, and the store file is never created."""
    db = tmp_path / "never.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("RUN_BATCH_SIZE", "zero")
    code, out, err = run_cli(["doctor", "--json"], capsys)
    assert code == 2
    assert "RUN_BATCH_SIZE" in err
    assert out == ""
    assert not db.exists()


def test_version_and_unknown_command(capsys: pytest.CaptureFixture[str]) -> None:
    """--version prints the version; an unknown command is a usage error (exit 2)."""
    code, out, _ = run_cli(["--version"], capsys)
    assert (code, out.split()[0]) == (0, "jobping")
    code, _, err = run_cli(["frobnicate"], capsys)
    assert code == 2
    assert "frobnicate" in err


def test_python_dash_m_runs_the_cli(tmp_path: Path) -> None:
    """``python -m jobping doctor --json`` works as a real process, with --config honoured."""
    config = tmp_path / "conf.toml"
    config.write_text(f'database_url = "sqlite:///{tmp_path / "m.db"}"\n')
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    migrate = [sys.executable, "-m", "jobping", "--config", str(config), "db", "migrate"]
    subprocess.run(migrate, env=env, cwd=tmp_path, timeout=60, check=True, capture_output=True)
    done = subprocess.run(
        [sys.executable, "-m", "jobping", "--config", str(config), "doctor", "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["store"]["url"] == f"sqlite:///{tmp_path / 'm.db'}"
