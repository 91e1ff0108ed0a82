"""The LLM budget ledger on SQLite, a mixin of the store (``BudgetLedger`` has the semantics).

Every operation is one ``BEGIN IMMEDIATE`` transaction, so reservations of several
processes on one file are serialized by SQLite's write lock; the guards live in the SQL
statements (an upsert whose ``WHERE`` refuses), as they will in PostgreSQL's functions.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import date, datetime

from jobping.store._values import BudgetCounters, BudgetHold, BudgetUsage, UsageTotal
from jobping.store.sqlite._connection import SqliteConnection, to_text

__all__ = ["SqliteBudgetLedger"]

# Hold an amount in a window: a new row takes it (the caller checked it is within the
# limits); an existing one only while reserved + committed + amount stays within both.
_HOLD = """
INSERT INTO budget_counters (window_key, tokens_reserved, micro_usd_reserved) VALUES (?, ?, ?)
ON CONFLICT (window_key) DO UPDATE SET
    tokens_reserved = tokens_reserved + excluded.tokens_reserved,
    micro_usd_reserved = micro_usd_reserved + excluded.micro_usd_reserved
WHERE tokens_reserved + tokens_committed + excluded.tokens_reserved <= ?
    AND micro_usd_reserved + micro_usd_committed + excluded.micro_usd_reserved <= ?
RETURNING 1"""
_INSERT_HOLD = """
INSERT INTO budget_reservations (reservation_id, window_key, tokens, micro_usd, expires_at)
VALUES (?, ?, ?, ?, ?)"""
_DROP_EXPIRED = """
DELETE FROM budget_reservations WHERE expires_at <= ? RETURNING window_key, tokens, micro_usd"""
_DROP_HOLD = """
DELETE FROM budget_reservations WHERE reservation_id = ? RETURNING window_key, tokens, micro_usd"""
_GIVE_BACK = """
UPDATE budget_counters SET tokens_reserved = tokens_reserved - ?,
    micro_usd_reserved = micro_usd_reserved - ?
WHERE window_key = ?"""
_RECORD_USAGE = """
INSERT INTO budget_usage (reservation_id, model, day, prompt_tokens, cached_tokens,
    completion_tokens, reasoning_tokens, micro_usd, committed_at, outcome)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (reservation_id) DO NOTHING RETURNING 1"""
# Sums that decay by a tenth per call: about the last ten calls weigh.
_FEED_RATIO = """
INSERT INTO budget_prompt_ratios (model, estimated, reported) VALUES (?, ?, ?)
ON CONFLICT (model) DO UPDATE SET estimated = estimated * 0.9 + excluded.estimated,
    reported = reported * 0.9 + excluded.reported"""
_RATIOS = "SELECT model, reported / estimated FROM budget_prompt_ratios"
# Commit in a window: add the usage and give back what its dropped hold held there (zero if
# the hold had expired and was swept), in one statement per window.
_ADD_COMMITTED = """
INSERT INTO budget_counters (window_key, tokens_committed, micro_usd_committed) VALUES (?, ?, ?)
ON CONFLICT (window_key) DO UPDATE SET
    tokens_committed = tokens_committed + excluded.tokens_committed,
    micro_usd_committed = micro_usd_committed + excluded.micro_usd_committed,
    tokens_reserved = tokens_reserved - ?, micro_usd_reserved = micro_usd_reserved - ?"""
# One statement, so committed and reserved come from one snapshot.
_COUNTERS = """
SELECT keys.value, coalesce(c.tokens_committed, 0), coalesce(c.micro_usd_committed, 0),
    (SELECT coalesce(sum(r.tokens), 0) FROM budget_reservations AS r
     WHERE r.window_key = keys.value AND r.expires_at > ?),
    (SELECT coalesce(sum(r.micro_usd), 0) FROM budget_reservations AS r
     WHERE r.window_key = keys.value AND r.expires_at > ?)
FROM json_each(?) AS keys LEFT JOIN budget_counters AS c ON c.window_key = keys.value"""
_SUMS = """count(*), sum(prompt_tokens), sum(cached_tokens), sum(completion_tokens),
    sum(reasoning_tokens), sum(micro_usd), sum(outcome = 'lost'),
    sum(CASE WHEN outcome = 'lost' THEN micro_usd ELSE 0 END), sum(outcome = 'overshoot')
FROM budget_usage WHERE day BETWEEN ? AND ?"""
_BY_MODEL = f"SELECT model, {_SUMS} GROUP BY model ORDER BY model"
_BY_DAY = f"SELECT day, {_SUMS} GROUP BY day ORDER BY day"


class SqliteBudgetLedger:
    """The budget-ledger role of the SQLite store (a mixin over ``_db``)."""

    _db: SqliteConnection

    async def reserve_budget(self, hold: BudgetHold, *, now: datetime) -> bool:
        """Hold the worst case in every window if all stay within their limits, or refuse.

        Expired reservations are dropped first, in the same transaction.
        """
        if any(
            hold.tokens > window.token_limit or hold.micro_usd > window.cost_limit_micro_usd
            for window in hold.windows
        ):
            return False
        sweep_at, expires_at = to_text(now), to_text(hold.expires_at)

        def reserve(connection: sqlite3.Connection) -> bool:
            _drop(connection, _DROP_EXPIRED, sweep_at)
            for window in hold.windows:
                params = (window.key, hold.tokens, hold.micro_usd)
                limits = (window.token_limit, window.cost_limit_micro_usd)
                if not connection.execute(_HOLD, (*params, *limits)).fetchall():
                    connection.rollback()
                    return False
            rows = [
                (hold.reservation_id, window.key, hold.tokens, hold.micro_usd, expires_at)
                for window in hold.windows
            ]
            connection.executemany(_INSERT_HOLD, rows)
            return True

        return await self._db.write(reserve)

    async def commit_budget(self, hold: BudgetHold, usage: BudgetUsage, *, now: datetime) -> bool:
        """Replace the hold by the real usage; False if this reservation was already committed."""
        record = (
            hold.reservation_id,
            usage.model,
            usage.day.isoformat(),
            usage.prompt_tokens,
            usage.cached_tokens,
            usage.completion_tokens,
            usage.reasoning_tokens,
            usage.micro_usd,
            to_text(now),
            usage.outcome,
        )
        ratio = (usage.model, usage.estimated_prompt_tokens, usage.prompt_tokens)

        def commit(connection: sqlite3.Connection) -> bool:
            if not connection.execute(_RECORD_USAGE, record).fetchall():
                return False
            held = connection.execute(_DROP_HOLD, (hold.reservation_id,)).fetchall()
            given_back = {key: (tokens, micro_usd) for key, tokens, micro_usd in held}
            counters = [
                (window.key, usage.tokens, usage.micro_usd, *given_back.get(window.key, (0, 0)))
                for window in hold.windows  # the hold's rows are in these windows only
            ]
            connection.executemany(_ADD_COMMITTED, counters)
            if usage.estimated_prompt_tokens > 0:
                connection.execute(_FEED_RATIO, ratio)
            return True

        return await self._db.write(commit)

    async def release_budget(self, reservation_id: str) -> None:
        """Drop the hold and give its amounts back; idempotent."""
        await self._db.write(lambda connection: _drop(connection, _DROP_HOLD, reservation_id))

    async def budget_counters(
        self, keys: Sequence[str], *, now: datetime
    ) -> dict[str, BudgetCounters]:
        """Committed usage and live reservations of each window (zeros if never used)."""
        live_after = to_text(now)
        rows = await self._db.read(_COUNTERS, (live_after, live_after, json.dumps(list(keys))))
        return {row[0]: BudgetCounters(*row) for row in rows}

    async def prompt_token_ratios(self) -> dict[str, float]:
        """Per model, reported over estimated prompt tokens of the recent calls."""
        return {model: float(ratio) for model, ratio in await self._db.read(_RATIOS)}

    async def budget_usage_by_model(self, first_day: date, last_day: date) -> list[UsageTotal]:
        """Committed usage per model over the days ``first_day..last_day``."""
        rows = await self._db.read(_BY_MODEL, (first_day.isoformat(), last_day.isoformat()))
        return [UsageTotal(*row) for row in rows]

    async def budget_usage_by_day(self, first_day: date, last_day: date) -> list[UsageTotal]:
        """Committed usage per day over ``first_day..last_day``, oldest first."""
        rows = await self._db.read(_BY_DAY, (first_day.isoformat(), last_day.isoformat()))
        return [UsageTotal(*row) for row in rows]


def _drop(connection: sqlite3.Connection, sql: str, param: str) -> None:
    """Delete reservation rows and take exactly their amounts off their windows."""
    dropped = connection.execute(sql, (param,)).fetchall()
    given_back = [(tokens, micro_usd, key) for key, tokens, micro_usd in dropped]
    connection.executemany(_GIVE_BACK, given_back)
