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
