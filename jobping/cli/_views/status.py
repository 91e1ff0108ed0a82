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
    for name in ("domain", "breaker", "retry at", "quota used / limit (left)"):
        domains.add_column(name, overflow="fold")  # a domain or a time wraps, never cut
    for domain in data["domains"]:
        quotas = ", ".join(
            f"{window} {q['used']}/{q['limit']} ({q['left']} left)"
            for window, q in domain["quotas"].items()
        )
        domains.add_row(domain["domain"], domain["breaker"], domain["retry_at"] or "", quotas)
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
