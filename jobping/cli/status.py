"""``jobping status``: each known domain's breaker and today's quota, the lease, the last runs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import anyio
import typer
from rich.table import Table
from rich.text import Text

from jobping.cli._console import emit_json, stdout
from jobping.cli._state import AppState
from jobping.http import domain_status
from jobping.models import RunRecord
from jobping.orchestrator import LEASE_NAME
from jobping.settings import Settings
from jobping.store import open_store, store_options

__all__ = ["gather_status", "status"]


def status(
    ctx: typer.Context,
    *,
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON.")] = False,
    runs: Annotated[
        int,
        typer.Option(
            "--runs", min=1, max=1000, metavar="N", help="How many of the last runs to show."
        ),
    ] = 10,
) -> None:
    """Show each domain's breaker and quota used/left today, the run lease and the last runs."""
    state: AppState = ctx.obj
    settings = state.settings()
    data = anyio.run(lambda: gather_status(settings, runs=runs))
    if as_json:
        emit_json(data)
    else:
        _render(data)


async def gather_status(
    settings: Settings, *, runs: int = 10, now: datetime | None = None
) -> dict[str, Any]:
    """The status as plain data: ``domains``, ``lease`` and ``runs`` (newest first)."""
    now = now or datetime.now(UTC)
    store = await open_store(settings.database_url, **store_options(settings))
    try:
        domains = await domain_status(store, settings, now=now)
        holder = await store.lease_holder(LEASE_NAME, now=now)
        recent = await store.recent_runs(runs)
    finally:
        await store.close()
    queue = await _queue(settings, now)
    return {
        "domains": [domain.to_dict() for domain in domains],
        "lease": {"holder": holder[0], "expires_at": holder[1].isoformat()} if holder else None,
        "runs": [_run(record) for record in recent],
    } | ({"queue": queue} if queue is not None else {})


async def _queue(settings: Settings, now: datetime) -> dict[str, Any] | None:
    """The workers' queue (workers, depth, failures, next occurrences), if there is one."""
    if not settings.database_url.startswith(("postgresql://", "postgres://")):
        return None
    try:
        from jobping.worker import queue_status_at  # noqa: PLC0415 (optional extra)
    except ImportError:
        return None
    queue: dict[str, Any] = await queue_status_at(settings.database_url, settings.schedule, now=now)
    return queue


def _run(record: RunRecord) -> dict[str, Any]:
    return {
        "run_id": record.run_id,
        "status": record.status.value,
        "reason": record.counts.get("reason", ""),
        "started_at": record.started_at.isoformat(),
        "finished_at": record.finished_at.isoformat() if record.finished_at else None,
        "totals": record.counts.get("totals", {}),
        "errors": len(record.errors),
    }


def _render(data: dict[str, Any]) -> None:
    console = stdout()
    domains = Table("domain", "breaker", "retry at", "quota used / limit (left)", title="domains")
    for domain in data["domains"]:
        quotas = ", ".join(
            f"{window} {q['used']}/{q['limit']} ({q['left']} left)"
            for window, q in domain["quotas"].items()
        )
        domains.add_row(domain["domain"], domain["breaker"], domain["retry_at"] or "", quotas)
    console.print(domains if data["domains"] else Text("no known domains yet"))
    lease = data["lease"]
    holder = f"held by {lease['holder']} until {lease['expires_at']}" if lease else "free"
    console.print(Text(f"run lease: {holder}"))
    runs = Table("run", "status", "started", "finished", "new", "updated", "errors", "reason")
    for run in data["runs"]:
        totals = run["totals"]
        runs.add_row(
            run["run_id"],
            run["status"],
            run["started_at"],
            run["finished_at"] or "",
            str(totals.get("new", "")),
            str(totals.get("updated", "")),
            str(run["errors"]),
            Text(run["reason"]),
        )
    console.print(runs if data["runs"] else Text("no runs yet"))
    if "queue" in data:
        _render_queue(data["queue"])


def _render_queue(queue: dict[str, Any]) -> None:
    """Workers, queue depth, failed tasks and the next scheduled occurrences."""
    console = stdout()
    if "pending" in queue:
        console.print(Text(f"worker queue: not migrated ({', '.join(queue['pending'])})"))
        return
    workers = Table("worker", "host", "pid", "last heartbeat", "running", title="workers")
    for w in queue["workers"]:
        host, pid = w["host"] or "?", str(w["pid"] or "?")
        workers.add_row(str(w["id"]), host, pid, w["last_heartbeat"], str(w["running"]))
    console.print(workers if queue["workers"] else Text("no workers running"))
    depth = ", ".join(
        f"{name} {q['todo']} waiting / {q['doing']} running / {q['failed']} failed"
        for name, q in queue["queues"].items()
    )
    console.print(Text(f"queues: {depth}"))
    for failed in queue["failed"]:
        console.print(Text(f"failed task {failed['id']} {failed['task']}: {failed['error']}"))
    for key, at in queue["next"].items():
        console.print(Text(f"next scheduled {key}: {at}"))
