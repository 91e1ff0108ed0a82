"""``[schedule]``: five workers start each occurrence once, lose none, never overlap runs."""

from __future__ import annotations

import itertools
import json
import signal
from datetime import UTC, datetime

import anyio
import pytest

from jobping.models import RunStatus
from jobping.sandbox import Scale, serve_sandbox
from jobping.worker import open_queue
from tests.helpers import opened_store, run_cli
from tests.worker.cluster import WAIT_SECONDS, cluster, sandbox_env

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

OCCURRENCES = 5


async def scheduled_jobs(database_url: str) -> list[tuple[int, str]]:
    """(occurrence timestamp, job status) of every scheduled run deferred so far."""
    async with open_queue(database_url, pool_max_size=1) as app:
        rows = await app.connector.execute_query_all_async(
            "SELECT (j.args->>'timestamp')::bigint AS at, j.status::text AS status"
            " FROM procrastinate_jobs j WHERE j.task_name = 'jobping:scheduled_run'"
            " ORDER BY at"
        )
    return [(int(row["at"]), str(row["status"])) for row in rows]


@pytest.mark.anyio
async def test_five_workers_start_each_occurrence_exactly_once(queue_db: str) -> None:
    """A run every 4 s, five workers (two killed mid-way): one job per occurrence, none lost.

    Consecutive occurrences are 4 s apart (none skipped, though workers die), each deferred
    once; every run recorded was started by one of them, and no two runs overlap in time.
    """
    async with serve_sandbox({}, scale=Scale(2, 5)) as sandbox:
        env = sandbox_env(sandbox, queue_db, SCHEDULE__RUN="* * * * * */4")
        args = ("--heartbeat-seconds", "1", "--stalled-after-seconds", "15")
        async with cluster(env, *args) as workers:
            await workers.start(5)
            with anyio.fail_after(WAIT_SECONDS):
                while len(done := await scheduled_jobs(queue_db)) < 2:  # noqa: ASYNC110
                    await anyio.sleep(0.5)
                for victim in workers.processes[:2]:  # the deferring may be theirs: no matter
                    victim.send_signal(signal.SIGKILL)
                while len(done := await scheduled_jobs(queue_db)) < 2 + OCCURRENCES:  # noqa: ASYNC110
                    await anyio.sleep(0.5)
                await workers.stop()

    stamps = [at for at, _status in done]
    assert stamps == sorted(set(stamps)), "an occurrence was deferred twice"
    assert [b - a for a, b in itertools.pairwise(stamps)] == [4] * (len(stamps) - 1)
    async with opened_store(queue_db) as store:
        runs = sorted(await store.recent_runs(100), key=lambda run: run.started_at)
    assert runs, "no scheduled run was recorded"
    assert {run.run_id.removesuffix("-scheduled") for run in runs} <= {_stamp(at) for at in stamps}
    finished = [run for run in runs if run.status is not RunStatus.RUNNING]
    for earlier, later in itertools.pairwise(finished):
        assert earlier.finished_at is not None
        assert earlier.finished_at <= later.started_at, "two runs overlapped"


def _stamp(timestamp: int) -> str:
    return f"{datetime.fromtimestamp(timestamp, UTC):%Y%m%dT%H%M%SZ}"


def test_a_bad_cron_expression_is_a_configuration_error_naming_the_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``schedule.run`` that is not cron: exit 2 naming it, before any connection."""
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:9/none")
    monkeypatch.setenv("SCHEDULE", json.dumps({"run": "every hour"}))

    code, _out, err = run_cli(["worker"], capsys)

    assert code == 2
    assert "schedule.run: not a cron expression: 'every hour'" in err
