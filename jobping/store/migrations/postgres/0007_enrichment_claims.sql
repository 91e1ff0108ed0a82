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

INSERT INTO schema_migrations (version, name) VALUES (7, 'enrichment_claims');
