-- JobPing schema for PostgreSQL and Supabase, version 10 (#16): what each sighting of a job
-- rewrites lives in a narrow table of its own, so a job seen again unchanged is one small
-- row updated (a HOT update: no index changes), not a new version of its whole ~1 KB jobs
-- row: last_seen_at, scrape_timestamp, scraper_run_id, and the content digest it is checked
-- against (jobping.store._rows.content_hash). One row per job, written with it. is_active
-- stays in jobs (the backfill and backlog indexes need it). jobs_view is the jobs table with
-- its sighting, every Job field: what the store (and PostgREST) reads.
CREATE TABLE job_sightings (
    job_hash         text PRIMARY KEY,
    content_hash     text,
    last_seen_at     timestamptz,
    scrape_timestamp timestamptz,
    scraper_run_id   text
) WITH (fillfactor = 50);  -- room on each page for the next version of its rows (HOT)
ALTER TABLE job_sightings ENABLE ROW LEVEL SECURITY;

INSERT INTO job_sightings (job_hash, content_hash, last_seen_at, scrape_timestamp, scraper_run_id)
SELECT job_hash, content_hash, last_seen_at, scrape_timestamp, scraper_run_id FROM jobs;

-- Dropping last_seen_at drops the index jobs_deactivation (source, is_active, last_seen_at).
ALTER TABLE jobs DROP COLUMN content_hash, DROP COLUMN last_seen_at,
    DROP COLUMN scrape_timestamp, DROP COLUMN scraper_run_id;
-- Deactivation: one source's active jobs (their sightings are looked up by job_hash).
CREATE INDEX jobs_deactivation ON jobs (source, is_active);

-- A later migration adding a column to jobs recreates this view (j.* is expanded here).
CREATE VIEW jobs_view AS
SELECT j.*, s.last_seen_at, s.scrape_timestamp, s.scraper_run_id
FROM jobs AS j LEFT JOIN job_sightings AS s USING (job_hash);
-- Read with the rights of who reads (PostgreSQL 15+, as on Supabase): through PostgREST, the
-- row level security of jobs applies to the view too.
DO $$
BEGIN
    IF current_setting('server_version_num')::integer >= 150000 THEN
        ALTER VIEW jobs_view SET (security_invoker = true);
    END IF;
END
$$;

-- Mark seen the jobs of p_rows (job_hash, content_hash, scrape_timestamp, scraper_run_id)
-- whose stored digest is the one given: their sightings, and is_active of the inactive ones.
-- Every stored sighting of the batch is locked, in hash order, before any is compared: the
-- rest of the upsert then locks no other sighting (and its jobs rows in hash order), so
-- concurrent upserts cannot deadlock. The hashes marked, as one array (JSON through rpc()).
CREATE OR REPLACE FUNCTION jobping_mark_seen_unchanged(p_rows jsonb, p_seen_at timestamptz)
RETURNS text[]
LANGUAGE sql
SET search_path FROM CURRENT
AS $$
    WITH incoming AS (
        SELECT * FROM jsonb_to_recordset(p_rows) AS i (
            job_hash text, content_hash text, scrape_timestamp timestamptz, scraper_run_id text
        )
    ), locked AS MATERIALIZED (
        SELECT s.job_hash, s.content_hash = i.content_hash AS unchanged
        FROM job_sightings AS s JOIN incoming AS i USING (job_hash)
        ORDER BY s.job_hash FOR UPDATE OF s
    ), marked AS (
        UPDATE job_sightings AS s
        SET last_seen_at = p_seen_at,
            scrape_timestamp = i.scrape_timestamp, scraper_run_id = i.scraper_run_id
        FROM incoming AS i
        WHERE s.job_hash = i.job_hash
            AND s.job_hash IN (SELECT job_hash FROM locked WHERE unchanged)
        RETURNING s.job_hash
    ), reactivated AS (
        UPDATE jobs SET is_active = true
        WHERE job_hash IN (SELECT job_hash FROM marked) AND NOT is_active
    )
    SELECT coalesce(array_agg(job_hash), '{}') FROM marked
$$;

-- Mark the stored jobs of p_job_hashes seen: last_seen_at, scrape_timestamp and
-- scraper_run_id of their sightings (locked in hash order first, as the upserts lock them,
-- so a concurrent upsert cannot deadlock with it), is_active of the inactive ones. How many.
CREATE OR REPLACE FUNCTION jobping_mark_jobs_seen(
    p_job_hashes text[], p_seen_at timestamptz, p_run_id text
)
RETURNS integer
LANGUAGE sql
SET search_path FROM CURRENT
AS $$
    WITH locked AS MATERIALIZED (
        SELECT job_hash FROM job_sightings WHERE job_hash = ANY (p_job_hashes)
        ORDER BY job_hash FOR UPDATE
    ), marked AS (
        UPDATE job_sightings AS s
        SET last_seen_at = p_seen_at, scrape_timestamp = p_seen_at, scraper_run_id = p_run_id
        FROM locked WHERE s.job_hash = locked.job_hash
        RETURNING s.job_hash
    ), reactivated AS (
        UPDATE jobs SET is_active = true
        WHERE job_hash IN (SELECT job_hash FROM marked) AND NOT is_active
    )
    SELECT count(*)::integer FROM marked
$$;

-- Mark the active jobs of p_source last seen before p_last_seen_before inactive; how many.
CREATE FUNCTION jobping_deactivate_stale(p_source text, p_last_seen_before timestamptz)
RETURNS integer
LANGUAGE sql
SET search_path FROM CURRENT
AS $$
    WITH deactivated AS (
        UPDATE jobs AS j SET is_active = false
        FROM job_sightings AS s
        WHERE j.source = p_source AND j.is_active
            AND s.job_hash = j.job_hash AND s.last_seen_at < p_last_seen_before
        RETURNING 1
    )
    SELECT count(*)::integer FROM deactivated
$$;

-- Claims as in version 7, the claimed jobs read with their sightings.
CREATE OR REPLACE FUNCTION jobping_claim_enrichment(
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
    SELECT coalesce(
        jsonb_agg(
            to_jsonb(c) || jsonb_build_object('last_seen_at', s.last_seen_at,
                'scrape_timestamp', s.scrape_timestamp, 'scraper_run_id', s.scraper_run_id)
            ORDER BY c.created_at DESC, c.job_hash
        ),
        '[]'::jsonb
    )
    FROM claimed AS c LEFT JOIN job_sightings AS s USING (job_hash);
$$;

INSERT INTO schema_migrations (version, name) VALUES (10, 'job_sightings');
