"""``jobping worker`` and ``jobping run --enqueue``: configuration errors before any work."""

from __future__ import annotations

import json

import anyio
import pytest

from jobping.cli._exit import ExitCode
from jobping.worker import open_queue
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


@pytest.mark.postgres
@pytest.mark.anyio
async def test_run_enqueue_defers_a_run_for_the_workers_and_prints_its_id(
    queue_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``run --enqueue --json --tiers 1,3``: exit 0, the id printed, one start task waiting."""
    monkeypatch.setenv("DATABASE_URL", queue_db)

    code, out, err = await anyio.to_thread.run_sync(
        run_cli, ["run", "--enqueue", "--json", "--tiers", "1,3"], capsys
    )

    assert code == 0, err
    printed = json.loads(out)
    async with open_queue(queue_db) as app:
        [job] = await app.job_manager.list_jobs_async()
    assert printed == {"run_id": job.task_kwargs["run_id"], "enqueued": True}
    assert (job.task_name, job.status, job.task_kwargs["tiers"]) == (
        "jobping:start_run",
        "todo",
        [1, 3],
    )
