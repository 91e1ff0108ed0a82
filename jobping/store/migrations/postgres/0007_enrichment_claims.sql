-- JobPing schema, version 7: enrichment claims (#11). A job is enriched by one process at a
-- time. A claim names its holder and expires; a claimed job leaves the backlog for everyone
-- else until the claim is released (on failure, on a budget skip, at the end of the batch)
-- or expires (a crashed process's claim is taken over). Saving the enrichment or a failure
-- clears the claim.
ALTER TABLE jobs ADD COLUMN enrichment_claimed_by text;
ALTER TABLE jobs ADD COLUMN enrichment_claim_expires_at timestamptz;

-- Claim up to p_limit jobs of the backlog (newest first) that nobody holds, or whose claim
-- expired, in one statement: rows another transaction is claiming are skipped, not waited
-- for (SKIP LOCKED). The claimed jobs as a JSON array of rows, newest first.
CREATE FUNCTION jobping_claim_enrichment(
    p_holder text,
    p_limit integer,
    p_max_failures integer,
    p_ttl_seconds double precision,
    p_now timestamptz
) RETURNS jsonb
LANGUAGE sql
SET search_path FROM CURRENT
AS $$
    WITH picked AS (
        SELECT job_hash FROM jobs
        WHERE enriched_at IS NULL AND is_active AND enrichment_failures < p_max_failures
            AND (enrichment_claim_expires_at IS NULL OR enrichment_claim_expires_at <= p_now)
        ORDER BY created_at DESC, job_hash
        LIMIT p_limit
        FOR UPDATE SKIP LOCKED
    ), claimed AS (
        UPDATE jobs AS j SET enrichment_claimed_by = p_holder,
            enrichment_claim_expires_at = p_now + make_interval(secs => p_ttl_seconds)
        FROM picked WHERE j.job_hash = picked.job_hash
        RETURNING j.*
    )
    SELECT coalesce(jsonb_agg(to_jsonb(c) ORDER BY c.created_at DESC, c.job_hash), '[]'::jsonb)
    FROM claimed AS c;
$$;

-- Give back the claims p_holder still holds on these jobs (nothing for the others).
CREATE FUNCTION jobping_release_enrichment_claims(p_holder text, p_job_hashes text[])
RETURNS void
LANGUAGE sql
SET search_path FROM CURRENT
AS $$
    UPDATE jobs SET enrichment_claimed_by = NULL, enrichment_claim_expires_at = NULL
    WHERE job_hash = ANY (p_job_hashes) AND enrichment_claimed_by = p_holder;
$$;

-- A failure counts one more and releases the job's claim.
CREATE OR REPLACE FUNCTION jobping_record_enrichment_failure(p_job_hash text) RETURNS void
LANGUAGE sql
SET search_path FROM CURRENT
AS $$
    UPDATE jobs SET enrichment_failures = enrichment_failures + 1,
        enrichment_claimed_by = NULL, enrichment_claim_expires_at = NULL
    WHERE job_hash = p_job_hash;
$$;

-- What each committed call was (#11): answered within its hold, answered past it
-- (overshoot), or charged its whole hold because its answer was lost (a timeout, a
-- cancellation: the provider may have billed it).
ALTER TABLE budget_usage ADD COLUMN outcome text NOT NULL DEFAULT 'answered'
    CHECK (outcome IN ('answered', 'overshoot', 'lost'));

-- Per model, the prompt tokens the provider reported against the ones we counted, as sums
-- that decay by a tenth on each call (about the last ten calls weigh): reservations scale
-- our count by reported / estimated when it is above 1.
CREATE TABLE budget_prompt_ratios (
    model     text PRIMARY KEY,
    estimated double precision NOT NULL CHECK (estimated > 0),
    reported  double precision NOT NULL CHECK (reported >= 0)
);
ALTER TABLE budget_prompt_ratios ENABLE ROW LEVEL SECURITY;

-- Replace a hold by the real usage; false (and nothing changed) if already committed.
-- Committed usage is never refused: the money is spent. Tokens are prompt + completion.
-- p_outcome is recorded with the usage; p_estimated_prompt_tokens > 0 feeds the model's
-- prompt ratio, in the same transaction.
DROP FUNCTION jobping_commit_budget(
    text, text[], text, date, bigint, bigint, bigint, bigint, bigint, timestamptz
);
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
    p_now timestamptz,
    p_outcome text DEFAULT 'answered',
    p_estimated_prompt_tokens bigint DEFAULT 0
) RETURNS boolean
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('jobping.budget:' || current_schema()));
    INSERT INTO budget_usage (reservation_id, model, day, prompt_tokens, cached_tokens,
        completion_tokens, reasoning_tokens, micro_usd, committed_at, outcome)
    VALUES (p_reservation_id, p_model, p_day, p_prompt_tokens, p_cached_tokens,
        p_completion_tokens, p_reasoning_tokens, p_micro_usd, p_now, p_outcome)
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
    IF p_estimated_prompt_tokens > 0 THEN
        INSERT INTO budget_prompt_ratios AS r (model, estimated, reported)
        VALUES (p_model, p_estimated_prompt_tokens, p_prompt_tokens)
        ON CONFLICT (model) DO UPDATE
        SET estimated = r.estimated * 0.9 + excluded.estimated,
            reported = r.reported * 0.9 + excluded.reported;
    END IF;
    RETURN true;
END;
$$;

INSERT INTO schema_migrations (version, name) VALUES (7, 'enrichment_claims');
