"""The run tables: what the tasks of a run read and change, one statement at a time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from jobping.orchestrator import Outcome, ScraperReport
from jobping.worker import open_queue
from jobping.worker._book import RunBook, UnitRow

pytestmark = [pytest.mark.postgres, pytest.mark.anyio]


def done(new: int, updated: int, unchanged: int) -> dict[str, object]:
    """The result of a unit that saw these jobs."""
    report = ScraperReport("greenhouse", "greenhouse", 1, targets=1)
    report.record(Outcome.OK)
    report.new, report.updated, report.unchanged = new, updated, unchanged
    return report.to_dict() | {"hashes": ["h"] * (new + updated + unchanged)}


async def test_seen_sums_the_done_scrape_units_in_the_database(queue_db: str) -> None:
    """``seen`` (tier 2's "target reached" test, asked by each unit) counts done units only.

    New, updated and unchanged jobs of every done scrape unit, whatever its tier; pending
    units and enrichment batches count nothing.
    """
    async with open_queue(queue_db, pool_max_size=1) as app:
        book = RunBook(app)
        await book.create("r", started_at=datetime.now(UTC), tiers=[1, 2, 3], snapshot={})
        assert await book.seen("r") == 0
        await book.add_units(
            "r",
            [
                UnitRow("1:greenhouse:a", 1, "greenhouse", "a", done(3, 1, 2)),
                UnitRow("1:greenhouse:b", 1, "greenhouse", "b"),
                UnitRow("2:lever:c", 2, "lever", "c", done(0, 0, 4)),
                UnitRow("enrich:0000", 0, "enrich", "25", {"enriched": 25}),
            ],
        )
        assert await book.seen("r") == 10
        await book.record("r", "1:greenhouse:b", done(5, 0, 0))
        assert await book.seen("r") == 15
