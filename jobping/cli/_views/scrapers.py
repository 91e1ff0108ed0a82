"""``jobping scrapers``' table: name, tier, domains, targets, status."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table

from jobping.cli._console import stdout
from jobping.scraping import ScraperInfo

__all__ = ["render_scrapers"]


def render_scrapers(rows: Sequence[ScraperInfo]) -> None:
    """One row per installed scraper, on stdout."""
    table = Table(title="scrapers (--json adds where each comes from)")
    table.add_column("name", no_wrap=True)
    table.add_column("tier", no_wrap=True)
    for column in ("domains", "targets", "status"):
        table.add_column(column)
    for row in rows:
        tier = row.tier or "-"
        table.add_row(
            row.name,
            tier if row.enabled else f"{tier} (disabled)",
            ", ".join(row.domains),
            ", ".join(row.targets),
            row.status,
        )
    stdout().print(table)
