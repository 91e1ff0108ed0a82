"""The state of runs spread over workers, in the queue's database: runs, units, results.

A unit is one piece of a run a task does: one target of one scraper (tier 1 or 2), or one
enrichment batch (tier 0). Its ``result`` is NULL until a task records it, once: a unit done
twice (a worker died after writing its jobs, before its task was marked done) keeps the
first result. Every change is one statement, so any worker may die between two of them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from procrastinate import App

__all__ = ["Phase", "RunBook", "RunRow", "UnitRow"]


class Phase:
    """The phases of a run, in order."""

    NEW = "new"
    """Recorded, not planned yet (``advance`` plans tier 1)."""
    SCRAPE = "scrape"
    """Tier ``tier``'s units are being worked on."""
    ENRICH = "enrich"
    FINISH = "finish"
    DONE = "done"


@dataclass(slots=True)
class RunRow:
    """A run as its row holds it."""

    run_id: str
    started_at: datetime
    tiers: list[int]
    snapshot: dict[str, Any]
    phase: str
    tier: int
    decisions: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class UnitRow:
    """One unit of a run: its key, tier, scraper and target, and its result once done."""

    unit: str
    tier: int
    scraper: str
    target: str
    result: dict[str, Any] | None = None


class RunBook:
    """Reads and changes the run tables through the queue's connection pool."""

    def __init__(self, app: App) -> None:
        self._connector = app.connector

    async def create(
        self, run_id: str, *, started_at: datetime, tiers: list[int], snapshot: dict[str, Any]
    ) -> None:
        """Record a new run, in phase ``new`` (unless it is recorded already)."""
        await self._connector.execute_query_async(
            "INSERT INTO jobping_worker_runs (run_id, started_at, tiers, snapshot, phase, tier)"
            " VALUES (%(run_id)s, %(started_at)s, %(tiers)s, %(snapshot)s::jsonb, 'new', 0)"
            " ON CONFLICT (run_id) DO NOTHING",
            run_id=run_id,
            started_at=started_at,
            tiers=tiers,
            snapshot=json.dumps(snapshot),
        )

    async def run(self, run_id: str) -> RunRow | None:
        """The run's row, or None."""
        rows = await self._connector.execute_query_all_async(
            "SELECT run_id, started_at, tiers, snapshot, phase, tier, decisions"
            " FROM jobping_worker_runs WHERE run_id = %(run_id)s",
            run_id=run_id,
        )
        return RunRow(**rows[0]) if rows else None

    async def add_units(self, run_id: str, units: list[UnitRow]) -> None:
        """Add units to the run (those it already has are kept as they are)."""
        if not units:
            return
        rows = [
            {
                "unit": u.unit,
                "tier": u.tier,
                "scraper": u.scraper,
                "target": u.target,
                "result": u.result,
            }
            for u in units
        ]
        await self._connector.execute_query_async(
            "INSERT INTO jobping_worker_units (run_id, unit, tier, scraper, target, result)"
            " SELECT %(run_id)s, r.unit, r.tier, r.scraper, r.target, r.result"
            " FROM jsonb_to_recordset(%(rows)s::jsonb)"
            " AS r(unit text, tier integer, scraper text, target text, result jsonb)"
            " ON CONFLICT (run_id, unit) DO NOTHING",
            run_id=run_id,
            rows=json.dumps(rows),
        )

    async def units(self, run_id: str) -> list[UnitRow]:
        """Every unit of the run, in the order they were planned (tier, then key)."""
        rows = await self._connector.execute_query_all_async(
            "SELECT unit, tier, scraper, target, result FROM jobping_worker_units"
            " WHERE run_id = %(run_id)s ORDER BY tier = 0, tier, unit",
            run_id=run_id,
        )
        return [UnitRow(**row) for row in rows]

    async def unit(self, run_id: str, unit: str) -> UnitRow | None:
        """One unit of the run, or None."""
        rows = await self._connector.execute_query_all_async(
            "SELECT unit, tier, scraper, target, result FROM jobping_worker_units"
            " WHERE run_id = %(run_id)s AND unit = %(unit)s",
            run_id=run_id,
            unit=unit,
        )
        return UnitRow(**rows[0]) if rows else None

    async def record(self, run_id: str, unit: str, result: dict[str, Any]) -> bool:
        """Set the unit's result unless it has one; whether this call set it."""
        rows = await self._connector.execute_query_all_async(
            "UPDATE jobping_worker_units SET result = %(result)s::jsonb"
            " WHERE run_id = %(run_id)s AND unit = %(unit)s AND result IS NULL RETURNING unit",
            run_id=run_id,
            unit=unit,
            result=json.dumps(result),
        )
        return bool(rows)

    async def pending(self, run_id: str, tier: int) -> int:
        """How many units of ``tier`` have no result yet."""
        row = await self._connector.execute_query_one_async(
            "SELECT count(*) AS pending FROM jobping_worker_units"
            " WHERE run_id = %(run_id)s AND tier = %(tier)s AND result IS NULL",
            run_id=run_id,
            tier=tier,
        )
        return int(row["pending"])

    async def seen(self, run_id: str) -> int:
        """Jobs the run's scrape units done so far saw: new, updated or unchanged.

        Summed in the database: the units' results hold every job's hash, too much to
        fetch for each unit a run of thousands starts.
        """
        row = await self._connector.execute_query_one_async(
            "SELECT coalesce(sum((result->>'new')::bigint + (result->>'updated')::bigint"
            "   + (result->>'unchanged')::bigint), 0) AS seen"
            " FROM jobping_worker_units"
            " WHERE run_id = %(run_id)s AND tier > 0 AND result IS NOT NULL",
            run_id=run_id,
        )
        return int(row["seen"])

    async def move(self, run: RunRow, phase: str, tier: int, decisions: dict[str, Any]) -> bool:
        """Move the run from where ``run`` says it is; False if another task moved it first."""
        rows = await self._connector.execute_query_all_async(
            "UPDATE jobping_worker_runs"
            " SET phase = %(phase)s, tier = %(tier)s, decisions = %(decisions)s::jsonb,"
            "     finished_at = CASE WHEN %(phase)s = 'done' THEN now() END"
            " WHERE run_id = %(run_id)s AND phase = %(was_phase)s AND tier = %(was_tier)s"
            " RETURNING run_id",
            run_id=run.run_id,
            phase=phase,
            tier=tier,
            decisions=json.dumps(decisions),
            was_phase=run.phase,
            was_tier=run.tier,
        )
        if rows:
            run.phase, run.tier, run.decisions = phase, tier, decisions
        return bool(rows)
