"""What ``jobping jobs`` asks of the store: a filter, and its translation to SQL.

One filter for every backend; SQLite and PostgreSQL share the SQL built here (they differ
in the placeholder, the case-insensitive LIKE and how a time is passed), Supabase's REST
backend applies the same filter with PostgREST operators. Results are newest first
(``created_at`` descending, then ``job_hash``: the order of the ``jobs_backlog`` index on
PostgreSQL) and read page by page, so memory stays constant: SQLite fetches the pages of
one cursor, PostgreSQL continues after the last row of the previous page (keyset),
Supabase asks for ranges.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from jobping.models import WorkEnvironment

__all__ = ["JobFilter", "after_clause", "filter_clauses", "like_pattern"]


@dataclass(frozen=True, slots=True, kw_only=True)
class JobFilter:
    """Which stored jobs to read; each field left None does not filter."""

    source: str | None = None
    """Only this source (exact)."""
    company: str | None = None
    """Company name containing this text (case-insensitive)."""
    remote: bool | None = None
    """Only remote jobs (True), or only jobs not known to be remote (False)."""
    active: bool | None = None
    """Only active jobs (True) or only inactive ones (False)."""
    since: datetime | None = None
    """Only jobs first stored (``created_at``) at or after this time."""
    search: str | None = None
    """Title, company or location containing this text (case-insensitive)."""


def like_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, its ``%``, ``_`` and backslash literal."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def filter_clauses(
    where: JobFilter, *, mark: str, ilike: str, moment: Callable[[datetime], object]
) -> tuple[list[str], list[object]]:
    """The SQL conditions of ``where`` and their parameters.

    Args:
        where: The filter.
        mark: The placeholder (``?`` or ``%s``).
        ilike: The case-insensitive LIKE with ``{}`` for the placeholder (SQLite's names
            the backslash as its escape character).
        moment: How a datetime is passed as a parameter.
    """
    clauses: list[str] = []
    params: list[object] = []
    contains = ilike.format(mark)
    if where.source is not None:
        clauses.append(f"source = {mark}")
        params.append(where.source)
    if where.company is not None:
        clauses.append(f"company {contains}")
        params.append(like_pattern(where.company))
    if where.remote is not None:
        clauses.append(f"work_environment {'=' if where.remote else '<>'} {mark}")
        params.append(WorkEnvironment.REMOTE.value)
    if where.active is not None:
        clauses.append(f"is_active = {mark}")
        params.append(where.active)
    if where.since is not None:
        clauses.append(f"created_at >= {mark}")
        params.append(moment(where.since))
    if where.search is not None:
        pattern = like_pattern(where.search)
        columns = ("title", "company", "location")
        clauses.append("(" + " OR ".join(f"{c} {contains}" for c in columns) + ")")
        params.extend([pattern] * len(columns))
    return clauses, params


def after_clause(mark: str) -> str:
    """The keyset condition: rows after a row's ``created_at, created_at, job_hash``."""
    return f"(created_at < {mark} OR (created_at = {mark} AND job_hash > {mark}))"
