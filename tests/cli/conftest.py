"""Fixtures of the CLI tests: the database the commands use."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


@pytest.fixture
def database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """DATABASE_URL names a SQLite file (not created yet) in the test's directory.

    Retries are off, so a failing request fails at once, and the terminal is wide, so no
    table cell is cut.
    """
    path = tmp_path / "jobping-test.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("HTTP_DEFAULTS", json.dumps({"retry_attempts": 1}))
    monkeypatch.setenv("COLUMNS", "250")
    return path
