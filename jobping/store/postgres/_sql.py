"""The SQL the PostgreSQL backend runs (``%s`` placeholders, psycopg style).

Kept apart from the driver code so that tests can ``EXPLAIN`` the very statements the store
runs. Rows go in as one ``jsonb`` array (``jsonb_populate_recordset``: one parameter per
batch, decoded by the server into the table's row type) and come out as ``to_jsonb(row)``,
the JSON objects that ``jobping.store._rows`` reads for every backend. Quotas,
leases, the budget ledger and the enrichment failure counter change only in the SQL
functions of ``migrations/postgres``.
"""

from __future__ import annotations

from jobping.store._rows import (
    BREAKER_COLUMNS,
    CLAIM_COLUMNS,
    CONTENT_COLUMNS,
    ENRICHED_COLUMNS,
    RUN_COLUMNS,
    SCRAPED_COLUMNS,
    SIGHTING_ROW,
    WRITTEN_COLUMNS,
)

__all__ = [
    "BACKLOG",
    "BUDGET_COUNTERS",
    "COUNT_BACKLOG",
    "COUNT_JOBS",
    "GET_JOB",
    "GET_RUN",
    "HAS_MIGRATIONS_TABLE",
    "INSERT_NEW_JOBS",
    "LEASE_HOLDER",
    "LOAD_BREAKERS",
    "LOCK_AND_COMPARE_JOBS",
    "MARK_SEEN_UNCHANGED",
    "MIGRATION_LOCK",
    "MIGRATION_UNLOCK",
    "QUOTA_USAGE",
    "QUOTA_USED",
    "RECENT_ACTIVE_JOBS",
    "RECENT_RUNS",
    "REFRESH_JOBS",
    "SAVE_BREAKER",
    "SAVE_ENRICHMENT",
    "SAVE_RUN",
    "SCHEMA_VERSION",
    "SELECT_JOBS",
    "SESSION_SETTINGS",
    "SLEEP",
    "UPSERT_SIGHTINGS",
    "USAGE_BY_DAY",
    "USAGE_BY_MODEL",
]


def _row(prefix: str, columns: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"{prefix}.{name}" for name in columns) + ")"


def _kept_if_enriched(name: str) -> str:
    """An upsert's new value of a column: an enriched job keeps its enriched columns."""
    if name in ENRICHED_COLUMNS:
        return f"CASE WHEN j.enriched_at IS NULL THEN i.{name} ELSE j.{name} END"
    return f"i.{name}"


_INCOMING = "jsonb_populate_recordset(NULL::jobs, %s::jsonb)"
_INSERTED = (*WRITTEN_COLUMNS, "created_at")
_REWRITTEN = WRITTEN_COLUMNS[1:]  # all but job_hash and created_at
_NEW_VALUES = "(" + ", ".join(map(_kept_if_enriched, _REWRITTEN)) + ")"

# One session's settings, applied to every new connection (milliseconds as text).
SESSION_SETTINGS = """
SELECT set_config('statement_timeout', %s, false),
       set_config('idle_in_transaction_session_timeout', %s, false),
       set_config('TimeZone', 'UTC', false)"""

# Migrations of one schema are serialized across processes by this session lock.
MIGRATION_LOCK = "SELECT pg_advisory_lock(hashtext('jobping.migrate:' || current_schema()))"
MIGRATION_UNLOCK = "SELECT pg_advisory_unlock(hashtext('jobping.migrate:' || current_schema()))"
HAS_MIGRATIONS_TABLE = "SELECT to_regclass('schema_migrations') IS NOT NULL"
SCHEMA_VERSION = "SELECT coalesce(max(version), 0) FROM schema_migrations"

# upsert_jobs: first jobping_mark_seen_unchanged (migration 10) marks seen the jobs whose
# stored content digest is theirs (writing only their job_sightings rows); then four
# statements in one transaction, each given the rest of the batch (sorted by hash, so
# concurrent batches lock rows in one order):
MARK_SEEN_UNCHANGED = "SELECT jobping_mark_seen_unchanged(%s::jsonb, %s)"
# 1. insert the new jobs; the hashes returned are the new ones (a row that another
#    transaction is inserting waits for it, and then counts as known);
INSERT_NEW_JOBS = f"""
INSERT INTO jobs ({", ".join(_INSERTED)}) SELECT {", ".join(_INSERTED)} FROM {_INCOMING}
ORDER BY job_hash ON CONFLICT (job_hash) DO NOTHING RETURNING job_hash"""  # noqa: S608
# 2. lock the batch's rows in hash order and count those whose content changes (for an
#    enriched job, the scraped content only);
LOCK_AND_COMPARE_JOBS = f"""
WITH locked AS MATERIALIZED (
    SELECT CASE WHEN j.enriched_at IS NULL
        THEN {_row("j", CONTENT_COLUMNS)} IS DISTINCT FROM {_row("i", CONTENT_COLUMNS)}
        ELSE {_row("j", SCRAPED_COLUMNS)} IS DISTINCT FROM {_row("i", SCRAPED_COLUMNS)}
    END AS changed
    FROM jobs AS j JOIN {_INCOMING} AS i USING (job_hash)
    ORDER BY job_hash FOR UPDATE OF j
)
SELECT count(*) FILTER (WHERE changed) FROM locked"""  # noqa: S608
# 3. rewrite the rows that differ at all (content, is_active); created_at and the enrichment
#    record stay;
REFRESH_JOBS = f"""
UPDATE jobs AS j SET ({", ".join(_REWRITTEN)}) = {_NEW_VALUES}
FROM {_INCOMING} AS i
WHERE j.job_hash = i.job_hash AND {_row("j", _REWRITTEN)} IS DISTINCT FROM {_NEW_VALUES}"""  # noqa: S608
# 4. write the sightings (and digests) of them all.
UPSERT_SIGHTINGS = f"""
INSERT INTO job_sightings ({", ".join(SIGHTING_ROW)})
SELECT {", ".join(SIGHTING_ROW)} FROM jsonb_populate_recordset(NULL::job_sightings, %s::jsonb)
ORDER BY job_hash ON CONFLICT (job_hash) DO UPDATE
SET ({", ".join(SIGHTING_ROW[1:])}) = {_row("excluded", SIGHTING_ROW[1:])}"""  # noqa: S608

GET_JOB = "SELECT to_jsonb(j) FROM jobs_view AS j WHERE job_hash = %s"
COUNT_JOBS = "SELECT count(*) FROM jobs"
SELECT_JOBS = "SELECT to_jsonb(j), created_at, job_hash FROM jobs_view AS j"
# Backfill: served by the index jobs_backfill (is_active, posted_at DESC, job_hash).
RECENT_ACTIVE_JOBS = """
SELECT to_jsonb(j) FROM jobs_view AS j
WHERE is_active AND posted_at >= %s AND job_hash <> ALL (%s::text[])
ORDER BY posted_at DESC, job_hash LIMIT %s"""
# The enrichment backlog: served by the partial index jobs_backlog (created_at DESC, job_hash).
_IN_BACKLOG = "WHERE enriched_at IS NULL AND is_active AND enrichment_failures < %s"
BACKLOG = f"""
SELECT to_jsonb(j) FROM jobs_view AS j {_IN_BACKLOG}
ORDER BY created_at DESC, job_hash LIMIT %s"""  # noqa: S608
COUNT_BACKLOG = f"SELECT count(*) FROM jobs {_IN_BACKLOG}"  # noqa: S608
_ENRICHMENT = (*ENRICHED_COLUMNS, "summary", "enrichment_model", "enriched_at", *CLAIM_COLUMNS)
SAVE_ENRICHMENT = f"""
UPDATE jobs AS j SET ({", ".join(_ENRICHMENT)}) = {_row("e", _ENRICHMENT)}
FROM jsonb_populate_record(NULL::jobs, %s::jsonb) AS e WHERE j.job_hash = %s RETURNING 1"""  # noqa: S608

_RUN_LIST = ", ".join(RUN_COLUMNS)
SAVE_RUN = f"""
INSERT INTO runs ({_RUN_LIST}) SELECT {_RUN_LIST} FROM jsonb_populate_record(NULL::runs, %s::jsonb)
ON CONFLICT (run_id) DO UPDATE SET ({_RUN_LIST}) = {_row("excluded", RUN_COLUMNS)}"""  # noqa: S608
GET_RUN = "SELECT to_jsonb(r) FROM runs AS r WHERE run_id = %s"
# Run history: served by the index runs_history (started_at DESC, run_id DESC).
RECENT_RUNS = "SELECT to_jsonb(r) FROM runs AS r ORDER BY started_at DESC, run_id DESC LIMIT %s"

QUOTA_USED = "SELECT used FROM quota_usage WHERE domain = %s AND window_key = %s"
QUOTA_USAGE = """
SELECT domain, sum(used)::bigint FROM quota_usage WHERE starts_with(window_key, %s)
GROUP BY domain"""

_BREAKER_LIST = ", ".join(BREAKER_COLUMNS)
SAVE_BREAKER = f"""
INSERT INTO breakers ({_BREAKER_LIST})
SELECT {_BREAKER_LIST} FROM jsonb_populate_record(NULL::breakers, %s::jsonb)
ON CONFLICT (domain) DO UPDATE SET ({_BREAKER_LIST}) = {_row("excluded", BREAKER_COLUMNS)}"""  # noqa: S608
LOAD_BREAKERS = "SELECT to_jsonb(b) FROM breakers AS b"

LEASE_HOLDER = "SELECT holder, expires_at FROM leases WHERE name = %s AND expires_at > %s"

# One statement, so committed and reserved amounts come from one snapshot.
BUDGET_COUNTERS = """
SELECT k, coalesce(c.tokens_committed, 0), coalesce(c.micro_usd_committed, 0),
    coalesce(r.tokens, 0), coalesce(r.micro_usd, 0)
FROM unnest(%s::text[]) AS k
LEFT JOIN budget_counters AS c ON c.window_key = k
LEFT JOIN LATERAL (
    SELECT sum(tokens)::bigint AS tokens, sum(micro_usd)::bigint AS micro_usd
    FROM budget_reservations WHERE window_key = k AND expires_at > %s
) AS r ON true"""
_SUMS = """count(*), sum(prompt_tokens)::bigint, sum(cached_tokens)::bigint,
    sum(completion_tokens)::bigint, sum(reasoning_tokens)::bigint, sum(micro_usd)::bigint,
    count(*) FILTER (WHERE outcome = 'lost'),
    coalesce(sum(micro_usd) FILTER (WHERE outcome = 'lost'), 0)::bigint,
    count(*) FILTER (WHERE outcome = 'overshoot')
FROM budget_usage WHERE day BETWEEN %s AND %s"""
PROMPT_RATIOS = "SELECT model, reported / estimated FROM budget_prompt_ratios"
USAGE_BY_MODEL = f"SELECT model, {_SUMS} GROUP BY model ORDER BY model"
USAGE_BY_DAY = f"SELECT day::text, {_SUMS} GROUP BY day ORDER BY day"

# For tests of the statement timeout only.
SLEEP = "SELECT pg_sleep(%s)"
