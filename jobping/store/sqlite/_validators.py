"""The ``target_validators`` table on SQLite, and the bulk sighting it allows: a store mixin."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime

from jobping.store._rows import validators_from_row, validators_row
from jobping.store._values import TargetValidators
from jobping.store.sqlite._connection import SqliteConnection, to_text
from jobping.store.sqlite._jobs import REACTIVATE

__all__ = ["SqliteValidators"]

_COLUMNS = (
    "scraper",
    "target",
    "url",
    "etag",
    "last_modified",
    "body_hash",
    "job_hashes",
    "saved_at",
)
_LOAD = (
    f"SELECT {', '.join(_COLUMNS)} FROM target_validators"  # noqa: S608 (constant column names)
    " WHERE scraper = ? AND (? IS NULL OR target = ?)"
)
_SAVE = (
    f"INSERT OR REPLACE INTO target_validators ({', '.join(_COLUMNS)})"  # noqa: S608 (constant column names)
    f" VALUES ({', '.join('?' * len(_COLUMNS))})"
)
_MARK_SEEN = """
UPDATE job_sightings SET last_seen_at = ?, scrape_timestamp = ?, scraper_run_id = ?
WHERE job_hash IN (SELECT value FROM json_each(?))"""


class SqliteValidators:
    """The validator role of the SQLite store (a mixin over ``_db``)."""

    _db: SqliteConnection

    async def load_validators(
        self, scraper: str, *, target: str | None = None
    ) -> dict[str, TargetValidators]:
        """The validators saved for the targets of a scraper (or that one), by target."""
        rows = await self._db.read(_LOAD, (scraper, target, target))
        saved = [validators_from_row(dict(zip(_COLUMNS, row, strict=True))) for row in rows]
        return {validators.target: validators for validators in saved}

    async def save_validators(self, validators: TargetValidators) -> None:
        """Insert or replace the validators of one target."""
        row = validators_row(validators)
        params = [json.dumps(row["job_hashes"]) if c == "job_hashes" else row[c] for c in _COLUMNS]
        await self._db.write(lambda connection: connection.execute(_SAVE, params))

    async def mark_jobs_seen(
        self, job_hashes: Sequence[str], *, seen_at: datetime, run_id: str
    ) -> int:
        """Mark the stored jobs with these hashes seen, in one statement; how many."""
        if not job_hashes:
            return 0
        seen, hashes = to_text(seen_at), json.dumps(list(job_hashes))

        def mark(connection: sqlite3.Connection) -> int:
            connection.execute(REACTIVATE, (hashes,))
            marked: int = connection.execute(_MARK_SEEN, (seen, seen, run_id, hashes)).rowcount
            return marked

        return await self._db.write(mark)
