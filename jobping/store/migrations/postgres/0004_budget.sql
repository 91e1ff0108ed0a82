-- JobPing schema, version 4: the LLM enrichment of jobs and the ledger of the LLM budget,
-- with the SQL functions that change the ledger atomically (see the Store protocol).

-- The enrichment record of a job (store-owned: an upsert never writes these). A job waits in
-- the backlog while it is active and enriched_at is NULL; enrichment_failures counts failed
-- attempts, so a job the model keeps failing on stops coming back.
ALTER TABLE jobs ADD COLUMN summary text;
ALTER TABLE jobs ADD COLUMN enriched_at timestamptz;
ALTER TABLE jobs ADD COLUMN enrichment_model text;
ALTER TABLE jobs ADD COLUMN enrichment_failures integer NOT NULL DEFAULT 0;

-- The backlog, newest first.
CREATE INDEX jobs_backlog ON jobs (created_at DESC, job_hash)
    WHERE enriched_at IS NULL AND is_active;

-- One row per budget window instance (window_key: day:2026-11-23, month:2026-11, in the
-- budget timezone). Amounts are tokens (prompt + completion) and whole micro-dollars (µUSD).
-- *_reserved is the sum of the window's rows in budget_reservations.
CREATE TABLE budget_counters (
    window_key          text PRIMARY KEY,
    tokens_reserved     bigint NOT NULL DEFAULT 0 CHECK (tokens_reserved >= 0),
    micro_usd_reserved  bigint NOT NULL DEFAULT 0 CHECK (micro_usd_reserved >= 0),
    tokens_committed    bigint NOT NULL DEFAULT 0 CHECK (tokens_committed >= 0),
    micro_usd_committed bigint NOT NULL DEFAULT 0 CHECK (micro_usd_committed >= 0)
);

-- Live reservations: the worst case of a call in flight, one row per window it is held in.
CREATE TABLE budget_reservations (
    reservation_id text NOT NULL,
    window_key     text NOT NULL,
    tokens         bigint NOT NULL CHECK (tokens >= 0),
    micro_usd      bigint NOT NULL CHECK (micro_usd >= 0),
    expires_at     timestamptz NOT NULL,
    PRIMARY KEY (reservation_id, window_key)
);

CREATE INDEX budget_reservations_window ON budget_reservations (window_key, expires_at);
CREATE INDEX budget_reservations_expiry ON budget_reservations (expires_at);

-- What each call really used, once committed (one row per reservation: commit is idempotent).
CREATE TABLE budget_usage (
    reservation_id    text PRIMARY KEY,
    model             text NOT NULL,
    day               date NOT NULL,
    prompt_tokens     bigint NOT NULL,
    cached_tokens     bigint NOT NULL,
    completion_tokens bigint NOT NULL,
    reasoning_tokens  bigint NOT NULL,
    micro_usd         bigint NOT NULL,
    committed_at      timestamptz NOT NULL
);

-- Reports: per day and per model over a range of days.
CREATE INDEX budget_usage_day ON budget_usage (day, model);

ALTER TABLE budget_counters ENABLE ROW LEVEL SECURITY;
ALTER TABLE budget_reservations ENABLE ROW LEVEL SECURITY;
ALTER TABLE budget_usage ENABLE ROW LEVEL SECURITY;

-- Count one more failed enrichment of a job (nothing if no job has that hash).
CREATE FUNCTION jobping_record_enrichment_failure(p_job_hash text) RETURNS void
LANGUAGE sql
SET search_path FROM CURRENT
AS $$
    UPDATE jobs SET enrichment_failures = enrichment_failures + 1 WHERE job_hash = p_job_hash;
$$;

-- The ledger functions below first take one transaction-level advisory lock per schema, so
-- ledger changes are serialized (LLM calls are slow: this costs nothing) and can never
-- deadlock on the counter rows. The guards stay in the statements all the same.

-- Drop a hold's rows and take exactly their amounts off the reserved counters; idempotent.
CREATE FUNCTION jobping_release_budget(p_reservation_id text) RETURNS void
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('jobping.budget:' || current_schema()));
    WITH dropped AS (
        DELETE FROM budget_reservations WHERE reservation_id = p_reservation_id
        RETURNING window_key, tokens, micro_usd
    )
    UPDATE budget_counters AS c
    SET tokens_reserved = c.tokens_reserved - d.tokens,
        micro_usd_reserved = c.micro_usd_reserved - d.micro_usd
    FROM dropped AS d WHERE c.window_key = d.window_key;
END;
$$;

-- Hold p_tokens and p_micro_usd in every window, or refuse (false) and change nothing:
-- 1. drop the expired reservations (any window) and give their amounts back;
-- 2. per window, in key order: create its counters if missing, then add the amounts only
--    where reserved + committed + amount stays within both limits;
-- 3. a refusal (JPB01) rolls steps 1 and 2 back; otherwise record one row per window.
CREATE FUNCTION jobping_reserve_budget(
    p_reservation_id text,
    p_window_keys text[],
    p_token_limits bigint[],
    p_cost_limits_micro_usd bigint[],
    p_tokens bigint,
    p_micro_usd bigint,
    p_expires_at timestamptz,
    p_now timestamptz
) RETURNS boolean
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
    w record;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('jobping.budget:' || current_schema()));
    IF EXISTS (SELECT FROM budget_reservations WHERE reservation_id = p_reservation_id) THEN
        RAISE EXCEPTION 'budget reservation % is already held', p_reservation_id;
    END IF;
    BEGIN
        WITH dropped AS (
            DELETE FROM budget_reservations WHERE expires_at <= p_now
            RETURNING window_key, tokens, micro_usd
        ), given_back AS (
            SELECT window_key, sum(tokens) AS tokens, sum(micro_usd) AS micro_usd
            FROM dropped GROUP BY window_key
        )
        UPDATE budget_counters AS c
        SET tokens_reserved = c.tokens_reserved - g.tokens,
            micro_usd_reserved = c.micro_usd_reserved - g.micro_usd
        FROM given_back AS g WHERE c.window_key = g.window_key;

        FOR w IN
            SELECT k, token_limit, cost_limit
            FROM unnest(p_window_keys, p_token_limits, p_cost_limits_micro_usd)
                AS t (k, token_limit, cost_limit)
            ORDER BY k
        LOOP
            IF p_tokens > w.token_limit OR p_micro_usd > w.cost_limit THEN
                RAISE EXCEPTION 'budget window % is full', w.k USING ERRCODE = 'JPB01';
            END IF;
            INSERT INTO budget_counters AS c (window_key, tokens_reserved, micro_usd_reserved)
            VALUES (w.k, p_tokens, p_micro_usd)
            ON CONFLICT (window_key) DO UPDATE
            SET tokens_reserved = c.tokens_reserved + excluded.tokens_reserved,
                micro_usd_reserved = c.micro_usd_reserved + excluded.micro_usd_reserved
            WHERE c.tokens_reserved + c.tokens_committed + excluded.tokens_reserved
                    <= w.token_limit
                AND c.micro_usd_reserved + c.micro_usd_committed + excluded.micro_usd_reserved
                    <= w.cost_limit;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'budget window % is full', w.k USING ERRCODE = 'JPB01';
            END IF;
            INSERT INTO budget_reservations (reservation_id, window_key, tokens, micro_usd,
                expires_at)
            VALUES (p_reservation_id, w.k, p_tokens, p_micro_usd, p_expires_at);
        END LOOP;
        RETURN true;
    EXCEPTION WHEN SQLSTATE 'JPB01' THEN
        RETURN false;
    END;
END;
$$;

-- Replace a hold by the real usage; false (and nothing changed) if already committed.
-- Committed usage is never refused: the money is spent. Tokens are prompt + completion.
CREATE FUNCTION jobping_commit_budget(
    p_reservation_id text,
    p_window_keys text[],
    p_model text,
    p_day date,
    p_prompt_tokens bigint,
    p_cached_tokens bigint,
    p_completion_tokens bigint,
    p_reasoning_tokens bigint,
    p_micro_usd bigint,
    p_now timestamptz
) RETURNS boolean
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('jobping.budget:' || current_schema()));
    INSERT INTO budget_usage (reservation_id, model, day, prompt_tokens, cached_tokens,
        completion_tokens, reasoning_tokens, micro_usd, committed_at)
    VALUES (p_reservation_id, p_model, p_day, p_prompt_tokens, p_cached_tokens,
        p_completion_tokens, p_reasoning_tokens, p_micro_usd, p_now)
    ON CONFLICT (reservation_id) DO NOTHING;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    PERFORM jobping_release_budget(p_reservation_id);
    INSERT INTO budget_counters AS c (window_key, tokens_committed, micro_usd_committed)
    SELECT k, p_prompt_tokens + p_completion_tokens, p_micro_usd
    FROM unnest(p_window_keys) AS k ORDER BY k
    ON CONFLICT (window_key) DO UPDATE
    SET tokens_committed = c.tokens_committed + excluded.tokens_committed,
        micro_usd_committed = c.micro_usd_committed + excluded.micro_usd_committed;
    RETURN true;
END;
$$;

INSERT INTO schema_migrations (version, name) VALUES (4, 'budget');
