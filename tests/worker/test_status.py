"""``jobping status`` on PostgreSQL: the workers, each queue's depth, failures, what is next."""

from __future__ import annotations

import json

import anyio
import pytest
from procrastinate.jobs import Status

from jobping.worker import open_queue
from jobping.worker._status import record_failure
from tests.helpers import run_cli
from tests.worker.cluster import WAIT_SECONDS, cluster

pytestmark = [pytest.mark.postgres]

SECRET = "sk-sentinel-0123456789abcdef"  # noqa: S105 - a planted sentinel, not a password


def status_json(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    """``jobping status --json``, parsed (it must exit 0)."""
    code, out, err = run_cli(["status", "--json"], capsys)
    assert code == 0, err
    data: dict[str, object] = json.loads(out)
    return data


@pytest.mark.slow
@pytest.mark.anyio
async def test_status_shows_a_live_worker_and_the_tasks_waiting_per_queue(
    queue_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A worker on ``runs`` only: listed with host and pid; scrape tasks wait; next run shown.

    Its ``--metrics-file`` holds the same figures as Prometheus text.
    """
    monkeypatch.setenv("DATABASE_URL", queue_db)
    monkeypatch.setenv("SCHEDULE__RUN", "0 3 * * *")
    env = {"DATABASE_URL": queue_db, "PATH": "/usr/bin:/bin", "SCHEDULE__RUN": "0 3 * * *"}
    metrics = anyio.Path("worker.prom")
    async with cluster(env, "--queues", "runs", "--metrics-file", str(metrics)) as workers:
        [process] = await workers.start(1)
        async with open_queue(queue_db) as app:
            for unit in ("a", "b", "c"):
                await app.configure_task("jobping:scrape_unit").defer_async(run_id="r", unit=unit)
        with anyio.fail_after(WAIT_SECONDS):
            while not _workers(data := await anyio.to_thread.run_sync(status_json, capsys)):  # noqa: ASYNC110 - another process
                await anyio.sleep(0.2)
            # the file is rewritten periodically: wait for a writing that knows the pid too
            known = f'pid="{process.pid}"'
            while known not in (prom := await _text(metrics)):  # noqa: ASYNC110
                await anyio.sleep(0.2)
        await workers.stop()

    queue = data["queue"]
    assert isinstance(queue, dict)
    [worker] = queue["workers"]
    assert (worker["pid"], worker["running"]) == (process.pid, 0)
    assert queue["queues"]["scrape"] == {"todo": 3, "doing": 0, "failed": 0}
    assert queue["next"]["run"].endswith("T03:00:00+00:00")
    # `prom` is the file as it was while the worker ran: on stop it rewrites it with none
    assert 'jobping_queue_tasks{queue="scrape",status="todo"} 3.0\n' in prom
    assert f'jobping_worker_tasks_running{{host="{worker["host"]}",pid="{worker["pid"]}"' in prom
    assert 'jobping_schedule_next_timestamp_seconds{entry="run"}' in prom


@pytest.mark.anyio
async def test_a_failed_task_is_listed_with_its_error_redacted(
    queue_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The recorded error of a failed task shows in status, its secret replaced."""
    monkeypatch.setenv("DATABASE_URL", queue_db)
    async with open_queue(queue_db) as app:
        job_id = await app.configure_task("jobping:advance").defer_async(run_id="r")
        [job] = [j for j in await app.job_manager.list_jobs_async() if j.id == job_id]
        error = RuntimeError(f"refused key {SECRET}")
        await record_failure(app, job.evolve(attempts=1), error, [SECRET])
        await app.job_manager.finish_job_by_id_async(job_id, Status.FAILED, delete_job=False)

    data = await anyio.to_thread.run_sync(status_json, capsys)
    text = json.dumps(data)

    [failed] = data["queue"]["failed"]  # type: ignore[index]
    assert (failed["id"], failed["task"]) == (job_id, "jobping:advance")
    assert failed["error"].startswith("RuntimeError: refused key ")
    assert SECRET not in text
    assert data["queue"]["queues"]["runs"]["failed"] == 1  # type: ignore[index]


def _workers(data: dict[str, object]) -> list[object]:
    """The workers ``status`` lists once each has told where it runs (host and pid)."""
    queue = data["queue"]
    assert isinstance(queue, dict)
    workers: list[dict[str, object]] = queue["workers"]
    return [worker for worker in workers if worker["pid"] is not None]


async def _text(path: anyio.Path) -> str:
    return await path.read_text() if await path.exists() else ""
