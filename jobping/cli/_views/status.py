"""``jobping status`` as tables: the domains' breakers and quotas, the lease, the last runs."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

from jobping.cli._console import stdout

__all__ = ["render_status"]


def render_status(data: dict[str, Any]) -> None:
    """The status (``jobping.services.gather_status``) on stdout."""
    console = stdout()
    domains = Table(
        "domain", "breaker", "retry at", "quota used / limit (left)", "reason", title="domains"
    )
    for domain in data["domains"]:
        quotas = ", ".join(
            f"{window} {q['used']}/{q['limit']} ({q['left']} left)"
            for window, q in domain["quotas"].items()
        )
        reason = Text(domain["reason"] or "")
        domains.add_row(
            domain["domain"], domain["breaker"], domain["retry_at"] or "", quotas, reason
        )
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
