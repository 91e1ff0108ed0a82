"""Enrichment batches on SQLite, a mixin of the store (``EnrichmentBatches`` has the semantics).

Taking and finishing a batch are one guarded ``UPDATE`` each (a compare-and-set on the
state and the collector), so two processes collecting the same batch settle it once.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from typing import Any

from jobping.store._rows import batch_from_row, batch_line_rows, batch_row
from jobping.store._values import EnrichmentBatch
from jobping.store.sqlite._connection import SqliteConnection, to_text

__all__ = ["SqliteBatches"]

_INSERT_BATCH = """
INSERT INTO enrichment_batches (batch_id, model, input_file_id, holder, max_output_tokens,
    reserved_tokens, reserved_micro_usd, submitted_at, expires_at)
VALUES (:batch_id, :model, :input_file_id, :holder, :max_output_tokens, :reserved_tokens,
    :reserved_micro_usd, :submitted_at, :expires_at)"""
_INSERT_LINE = """
INSERT INTO enrichment_batch_jobs (batch_id, job_hash, reservation_id, prompt_tokens,
    estimated_prompt_tokens, tokens, micro_usd)
VALUES (:batch_id, :job_hash, :reservation_id, :prompt_tokens, :estimated_prompt_tokens,
    :tokens, :micro_usd)"""
_BATCHES = """
SELECT b.batch_id, b.model, b.input_file_id, b.holder, b.max_output_tokens, b.state,
    b.micro_usd, b.submitted_at, b.expires_at, b.collected_at,
    (SELECT json_group_array(json_object('job_hash', l.job_hash,
        'reservation_id', l.reservation_id, 'prompt_tokens', l.prompt_tokens,
        'estimated_prompt_tokens', l.estimated_prompt_tokens, 'tokens', l.tokens,
        'micro_usd', l.micro_usd))
     FROM (SELECT * FROM enrichment_batch_jobs WHERE batch_id = b.batch_id
           ORDER BY job_hash) AS l) AS lines
FROM enrichment_batches AS b
WHERE NOT ? OR b.state = 'submitted'
ORDER BY b.submitted_at DESC, b.batch_id
LIMIT ?"""
_COLUMNS = (
    "batch_id",
    "model",
    "input_file_id",
    "holder",
    "max_output_tokens",
    "state",
    "micro_usd",
    "submitted_at",
    "expires_at",
    "collected_at",
    "lines",
)
_TAKE = """
UPDATE enrichment_batches SET collector = ?, collector_expires_at = ?
WHERE batch_id = ? AND state = 'submitted'
    AND (collector IS NULL OR collector = ? OR collector_expires_at <= ?)
RETURNING 1"""
_FINISH = """
UPDATE enrichment_batches SET state = ?, micro_usd = ?, collected_at = ?,
    collector_expires_at = NULL
WHERE batch_id = ? AND state = 'submitted' AND collector = ?
RETURNING 1"""


class SqliteBatches:
    """The enrichment-batches role of the SQLite store (a mixin over ``_db``)."""

    _db: SqliteConnection

    async def save_batch(self, batch: EnrichmentBatch) -> None:
        """Record a submitted batch and its jobs, in one transaction."""
        row, lines = batch_row(batch, to_text), batch_line_rows(batch)

        def save(connection: sqlite3.Connection) -> None:
            connection.execute(_INSERT_BATCH, row)
            connection.executemany(_INSERT_LINE, lines)

        await self._db.write(save)

    async def enrichment_batches(
        self, *, open_only: bool = False, limit: int = 100
    ) -> list[EnrichmentBatch]:
        """The batches (only the submitted ones if ``open_only``), newest first."""
        rows: list[Any] = await self._db.read(_BATCHES, (open_only, limit))
        return [batch_from_row(dict(zip(_COLUMNS, row, strict=True))) for row in rows]

    async def take_batch(
        self, batch_id: str, collector: str, *, ttl_seconds: float, now: datetime
    ) -> bool:
        """Take a submitted batch to collect it; False if another collector holds it."""
        expires = to_text(now + timedelta(seconds=ttl_seconds))
        params = (collector, expires, batch_id, collector, to_text(now))
        rows = await self._db.write(lambda connection: connection.execute(_TAKE, params).fetchall())
        return bool(rows)

    async def finish_batch(
        self, batch_id: str, collector: str, *, state: str, micro_usd: int, now: datetime
    ) -> bool:
        """Set the final state of a batch ``collector`` took; False if not its own."""
        params = (state, micro_usd, to_text(now), batch_id, collector)
        rows = await self._db.write(
            lambda connection: connection.execute(_FINISH, params).fetchall()
        )
        return bool(rows)
