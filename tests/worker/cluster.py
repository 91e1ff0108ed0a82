"""Real ``jobping worker`` processes against a sandbox, and a way to wait for a run.

Each worker is ``python -m jobping worker`` with its output in ``worker-N.out/.err`` in the
working directory. Nothing here waits for a fixed time: every wait polls for a condition
within a generous bound. ``scripts/workers_check.py`` runs the same harness at full scale.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shlex
import signal
import sys
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import anyio
import anyio.abc
import psycopg
from pydantic import SecretStr

from jobping.models import Job, RunRecord
from jobping.sandbox._server import PLACEHOLDER_KEY, Sandbox
from jobping.scraping import discover_scrapers
from jobping.settings import Settings, load_settings
from jobping.store import Store
from jobping.worker import open_queue
from tests.cli.test_run import output_files

WAIT_SECONDS = 300
"""The bound of every wait (a loaded machine is slow, never this slow)."""


def sandbox_env(sandbox: Sandbox, database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a process working against ``sandbox`` and ``database_url``.

    Every sandboxed scraper whose target shape accepts the sandbox's targets (a scaled
    sandbox names them ``board-NNNN``) is enabled with them; credentials get the
    placeholder key; no OpenAI key (no enrichment) unless ``extra`` sets one.
    """
    base = load_settings(env_file=None)
    applied = sandbox.apply(base)
    shapes = {
        row.name: row.scraper.target_shape for row in discover_scrapers(applied) if row.scraper
    }
    scrapers = {
        name: config.model_dump(exclude_unset=True)
        | {"enabled": name in sandbox.base_urls and all(map(shapes[name].fits, config.targets))}
        for name, config in applied.scrapers.items()
    }
    keys = {
        name.upper(): PLACEHOLDER_KEY
        for name in Settings.model_fields
        if isinstance(getattr(applied, name), SecretStr)
        and getattr(base, name) is None
        and name != "openai_api_key"
    }
    return {
        **os.environ,
        **keys,
        "DATABASE_URL": database_url,
        "SCRAPERS": json.dumps(scrapers),
        "HTTP_DEFAULTS": json.dumps({"retry_attempts": 2, "retry_max_wait_seconds": 0.5}),
        **extra,
    }


class Cluster:
    """Worker processes started on demand; every one still alive is killed at the end.

    Each process in ``processes`` leads a session (and process group) of its own: a worker,
    or a shell whose workers share its group (``start_group``). Signals go to the group.
    """

    def __init__(self, env: Mapping[str, str], *args: str) -> None:
        self.env = dict(env)
        self.args = args
        self.processes: list[anyio.abc.Process] = []
        self._names: list[str] = []

    def _command(self) -> list[str]:
        return [sys.executable, "-m", "jobping", "-v", "worker", *self.args]

    async def start(self, count: int = 1) -> list[anyio.abc.Process]:
        """Start ``count`` more workers, each in a session (and process group) of its own."""
        started = []
        for _ in range(count):
            name = self._name()
            out, err = output_files(name)
            try:
                process = await anyio.open_process(
                    self._command(), stdout=out, stderr=err, env=self.env, start_new_session=True
                )
            finally:
                out.close()
                err.close()
            self.processes.append(process)
            started.append(process)
        return started

    async def start_group(self, count: int) -> anyio.abc.Process:
        """Start ``count`` workers sharing one new process group (under a shell that waits).

        The shell outlives a SIGTERM to the group and exits with the last failing worker's
        code (0 when every worker exited 0).
        """
        names = [self._name() for _ in range(count)]
        command = shlex.join(self._command())
        starts = "".join(f'{command} >{n}.out 2>{n}.err & pids="$pids $!"; ' for n in names)
        script = (
            f"trap : TERM; pids=; {starts}code=0; for p in $pids; do"
            " while :; do wait $p; c=$?; kill -0 $p 2>/dev/null || break; done;"
            ' [ "$c" -eq 0 ] || code=$c; done; exit $code'
        )
        process = await anyio.open_process(
            ["sh", "-c", script], stdout=None, stderr=None, env=self.env, start_new_session=True
        )
        self.processes.append(process)
        return process

    def _name(self) -> str:
        self._names.append(f"worker-{len(self._names)}")
        return self._names[-1]

    def logs(self) -> str:
        """Every worker's stderr so far (for failure messages)."""
        return "\n".join(
            f"--- {name}\n{Path(f'{name}.err').read_text()[-3000:]}" for name in self._names
        )

    def signal(self, process: anyio.abc.Process, number: int) -> None:
        """Send signal ``number`` to the process group ``process`` leads."""
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):  # it exited meanwhile
                os.killpg(process.pid, number)

    async def stop(self, seconds: float = WAIT_SECONDS) -> list[int]:
        """SIGTERM every live worker; their exit codes."""
        for process in self.processes:
            self.signal(process, signal.SIGTERM)
        with anyio.fail_after(seconds):
            return [await process.wait() for process in self.processes]

    async def close(self) -> None:
        """Kill whatever is still running."""
        for process in self.processes:
            self.signal(process, signal.SIGKILL)
            await process.aclose()


@asynccontextmanager
async def cluster(env: Mapping[str, str], *args: str) -> AsyncIterator[Cluster]:
    """A ``Cluster`` whose processes do not outlive the block."""
    workers = Cluster(env, *args)
    try:
        yield workers
    finally:
        with anyio.CancelScope(shield=True):
            await workers.close()


async def run_phase(database_url: str, run_id: str) -> str | None:
    """The run's phase in the queue's tables (None: not created yet)."""
    async with open_queue(database_url, pool_max_size=1) as app:
        rows = await app.connector.execute_query_all_async(
            "SELECT phase FROM jobping_worker_runs WHERE run_id = %(run_id)s", run_id=run_id
        )
    return str(rows[0]["phase"]) if rows else None


async def until_done(
    database_url: str, run_id: str, workers: Cluster, seconds: float = WAIT_SECONDS
) -> None:
    """Return once the run is done; fail (with the workers' logs) after ``seconds``."""
    try:
        with anyio.fail_after(seconds):
            while await run_phase(database_url, run_id) != "done":  # noqa: ASYNC110 - other processes
                await anyio.sleep(0.2)
    except TimeoutError:
        raise AssertionError(f"run {run_id} not done:\n{workers.logs()}") from None


async def finished_run(store: Store, run_id: str) -> RunRecord:
    """The run's record in the store (it must exist)."""
    record = await store.get_run(run_id)
    assert record is not None
    return record


def per_scraper(record: RunRecord) -> dict[tuple[int, str], dict[str, Any]]:
    """A report's counts that do not depend on timing, per (tier, scraper)."""
    keep = ("status", "found", "invalid")
    return {
        (row["tier"], row["name"]): {key: row[key] for key in keep}
        | {
            "seen": row["new"] + row["updated"] + row["unchanged"],
            "targets": row["targets"]["total"],
            "ok": row["targets"]["ok"],
        }
        for row in record.counts["scrapers"]
    }


def differences(got: dict[str, tuple[Any, ...]], want: dict[str, tuple[Any, ...]]) -> str:
    """What differs between two jobs tables, briefly (empty when they are equal)."""
    missing, extra = want.keys() - got.keys(), got.keys() - want.keys()
    changed = [h for h in want.keys() & got.keys() if got[h] != want[h]]
    if not (missing or extra or changed):
        return ""
    sample = [(got[h], want[h]) for h in changed[:2]]
    return f"{len(missing)} missing, {len(extra)} extra, {len(changed)} changed, e.g. {sample}"


async def all_jobs(store: Store) -> dict[str, tuple[Any, ...]]:
    """Every stored job by hash, without what depends on when or by which run it was seen."""
    since = datetime(1970, 1, 1, tzinfo=UTC)
    jobs = await store.recent_active_jobs(posted_since=since, limit=10**7)
    return {job.job_hash: _timeless(job) for job in jobs}


def _timeless(job: Job) -> tuple[Any, ...]:
    stamped = ("scrape_timestamp", "last_seen_at", "scraper_run_id", "created_at")
    return tuple(getattr(job, f.name) for f in dataclasses.fields(job) if f.name not in stamped)


@asynccontextmanager
async def migrated_schema(server: str) -> AsyncIterator[str]:
    """A new schema on ``server``, migrated by ``jobping db migrate`` (store and queue).

    Yields its URL; the schema is dropped afterwards.
    """
    schema = f"jobping_check_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in server else "?"
    url = f"{server}{separator}options={quote(f'-csearch_path={schema}')}"
    try:
        command = [sys.executable, "-m", "jobping", "db", "migrate"]
        await anyio.run_process(command, env={**os.environ, "DATABASE_URL": url})
        yield url
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")
