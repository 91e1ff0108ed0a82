"""``jobping worker`` and ``jobping run --enqueue``: configuration errors before any work."""

from __future__ import annotations

import pytest

from jobping.cli._exit import ExitCode
from tests.helpers import run_cli


@pytest.mark.parametrize("argv", [["worker"], ["run", "--enqueue"]])
def test_a_sqlite_store_is_a_configuration_error_naming_database_url(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Workers need PostgreSQL: exit 2, the message names DATABASE_URL and what it needs."""
    monkeypatch.setenv("DATABASE_URL", "sqlite:///jobping.db")

    code, out, err = run_cli(argv, capsys)

    assert code == ExitCode.CONFIG
    assert out == ""
    assert "DATABASE_URL: workers need PostgreSQL" in err
    assert "SQLite is for a single `jobping run`" in err


def test_unknown_queues_are_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--queues`` names only known queues; the message lists them."""
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:9/none")

    code, _out, err = run_cli(["worker", "--queues", "scrape,mail"], capsys)

    assert code == ExitCode.CONFIG
    assert "--queues: expected names among runs,scrape,enrich" in err


def test_a_database_password_never_appears_in_the_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A URL of no supported kind is named by its scheme only, never with its password."""
    monkeypatch.setenv("DATABASE_URL", "mysql://admin:s3cret-sentinel@db/jobs")

    code, _out, err = run_cli(["worker"], capsys)

    assert code == ExitCode.CONFIG
    assert "s3cret-sentinel" not in err


@pytest.mark.postgres
def test_a_worker_on_an_unmigrated_database_says_to_migrate(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without ``jobping db migrate``, the worker stops at once naming the command (exit 5)."""
    monkeypatch.setenv("DATABASE_URL", postgres_url)

    code, _out, err = run_cli(["worker"], capsys)

    assert code == ExitCode.STORE
    assert "run `jobping db migrate`" in err
