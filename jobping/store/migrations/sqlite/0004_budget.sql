-- LLM enrichment of jobs, and the ledger of the LLM budget.

-- The enrichment record of a job (store-owned: an upsert never writes these). A job waits in
-- the backlog while it is active and enriched_at is NULL; enrichment_failures counts failed
-- attempts (an invalid answer, an API error), so a job the model keeps failing on stops
-- coming back.
ALTER TABLE jobs ADD COLUMN summary TEXT;
ALTER TABLE jobs ADD COLUMN enriched_at TEXT;
ALTER TABLE jobs ADD COLUMN enrichment_model TEXT;
ALTER TABLE jobs ADD COLUMN enrichment_failures INTEGER NOT NULL DEFAULT 0;

-- The backlog, newest first.
CREATE INDEX jobs_backlog ON jobs (created_at) WHERE enriched_at IS NULL AND is_active = 1;

-- One row per budget window instance (window_key: day:2026-11-23, month:2026-11, in the
-- budget timezone). Amounts are tokens (prompt + completion) and whole micro-dollars (µUSD).
-- *_reserved is the sum of the window's rows in budget_reservations; a reservation is
-- refused unless reserved + committed + its amount stays within each limit.
CREATE TABLE budget_counters (
    window_key          TEXT PRIMARY KEY,
    tokens_reserved     INTEGER NOT NULL DEFAULT 0 CHECK (tokens_reserved >= 0),
    micro_usd_reserved  INTEGER NOT NULL DEFAULT 0 CHECK (micro_usd_reserved >= 0),
    tokens_committed    INTEGER NOT NULL DEFAULT 0 CHECK (tokens_committed >= 0),
    micro_usd_committed INTEGER NOT NULL DEFAULT 0 CHECK (micro_usd_committed >= 0)
);

-- Live reservations: the worst case of a call in flight, one row per window it is held in.
-- A row counts until expires_at; the next reservation drops the expired rows (a crashed
-- process's) and gives their amounts back.
CREATE TABLE budget_reservations (
    reservation_id TEXT NOT NULL,
    window_key     TEXT NOT NULL,
    tokens         INTEGER NOT NULL CHECK (tokens >= 0),
    micro_usd      INTEGER NOT NULL CHECK (micro_usd >= 0),
    expires_at     TEXT NOT NULL,
    PRIMARY KEY (reservation_id, window_key)
);

CREATE INDEX budget_reservations_expiry ON budget_reservations (expires_at);

-- What each call really used, once committed (one row per reservation: commit is idempotent).
-- day is the budget day the call was reserved in (2026-11-23, budget timezone).
CREATE TABLE budget_usage (
    reservation_id    TEXT PRIMARY KEY,
    model             TEXT NOT NULL,
    day               TEXT NOT NULL,
    prompt_tokens     INTEGER NOT NULL,
    cached_tokens     INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    reasoning_tokens  INTEGER NOT NULL,
    micro_usd         INTEGER NOT NULL,
    committed_at      TEXT NOT NULL
);

-- Reports: per day and per model over a range of days.
CREATE INDEX budget_usage_day ON budget_usage (day, model);
