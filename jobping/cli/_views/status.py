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
    domains = Table(title="domains")
    for name in ("domain", "breaker", "retry at", "quota used / limit (left)", "reason"):
        domains.add_column(name, overflow="fold")  # a domain or a time wraps, never cut
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
    console.print(Text(f"run lease: {_lease_line(data['lease'])}"))
    runs = Table()
    for name in ("run", "status", "started", "finished", "new", "updated", "errors", "reason"):
        runs.add_column(name, overflow="fold")  # ids and times wrap, never cut
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


def _lease_line(lease: dict[str, Any] | None) -> str:
    """``free``, or who holds the lease: holder, host, pid, process, age and expiry."""
    if lease is None:
        return "free"
    pid = lease["pid"] if lease["pid"] is not None else "?"
    age = f"{_duration(lease['age_seconds'])} old" if lease["age_seconds"] is not None else "age ?"
    return (
        f"held by {lease['holder']} (host {lease['host']}, pid {pid}, process"
        f" {lease['process']}, {age}), expires {lease['expires_at']}"
        f" (in {_duration(lease['expires_in_seconds'])})"
    )


def _duration(seconds: float) -> str:
    """``42s``, ``3m05s``, ``2h07m``."""
    whole = max(int(seconds), 0)
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"
