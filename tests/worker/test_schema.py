"""The queue's schema: applied by ``jobping db migrate``, versioned, idempotent, concurrent."""

from __future__ import annotations

import json

import anyio
import procrastinate
import pytest

from jobping.worker import migrate_queue, open_queue, queue_schema
from tests.helpers import run_cli

pytestmark = [pytest.mark.postgres]


def test_db_migrate_applies_the_queue_schema_once_and_status_shows_it(
    queue_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A second ``db migrate`` applies nothing; ``db status --json`` shows the queue current."""
    monkeypatch.setenv("DATABASE_URL", queue_db)

    code, out, _err = run_cli(["db", "migrate", "--json"], capsys)
    again = json.loads(out)
    code_status, status_out, _ = run_cli(["db", "status", "--json"], capsys)

    assert (code, code_status) == (0, 0)
    assert again["queue"] == {
        "procrastinate": procrastinate.__version__,
        "worker_version": 2,
        "pending": [],
    }
    assert json.loads(status_out)["queue"]["pending"] == []


@pytest.mark.anyio
async def test_concurrent_migrations_apply_each_piece_once(
    postgres_admin: object, postgres_url: str
) -> None:
    """Four processes' worth of concurrent ``migrate_queue`` calls end current, no error."""
    async with open_queue(postgres_url) as app:
        before = await queue_schema(app)
        async with anyio.create_task_group() as group:
            for _ in range(4):
                group.start_soon(migrate_queue, app)
        after = await queue_schema(app)
        rows = await app.connector.execute_query_all_async(
            "SELECT component FROM jobping_queue_schema ORDER BY component"
        )

    assert before.pending == [
        f"procrastinate {procrastinate.__version__}",
        "worker 0001",
        "worker 0002",
    ]
    assert after.pending == []
    assert [row["component"] for row in rows] == ["jobping_worker", "procrastinate"]


@pytest.mark.anyio
async def test_a_schema_created_by_procrastinate_itself_is_adopted(postgres_url: str) -> None:
    """``procrastinate schema --apply`` done by hand: migrate records it, creates nothing twice."""
    async with open_queue(postgres_url) as app:
        await app.schema_manager.apply_schema_async()
        after = await migrate_queue(app)

    assert after.procrastinate == procrastinate.__version__
    assert after.pending == []
