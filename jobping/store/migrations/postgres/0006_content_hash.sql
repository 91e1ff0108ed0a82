-- JobPing schema for PostgreSQL and Supabase, version 6: the content digest of each job
-- (jobping.store._rows.content_hash), so that a job scraped again unchanged is only marked
-- seen, in bulk, without comparing or rewriting its columns. Rows stored before have none:
-- their next upsert compares them in full and writes it.
ALTER TABLE jobs ADD COLUMN content_hash text;

-- Mark seen the jobs of p_rows (job_hash, content_hash, scrape_timestamp, scraper_run_id)
-- whose stored digest is the one given: last_seen_at, is_active, and the two sighting fields.
-- Every stored row of the batch is locked, in hash order, before any is compared: the rest
-- of the upsert then locks no other stored row, so concurrent upserts cannot deadlock. The
-- hashes marked, as one array (a JSON array through rpc()).
CREATE FUNCTION jobping_mark_seen_unchanged(p_rows jsonb, p_seen_at timestamptz)
RETURNS text[]
LANGUAGE sql
SET search_path FROM CURRENT
AS $$
    WITH incoming AS (
        SELECT * FROM jsonb_to_recordset(p_rows) AS i (
            job_hash text, content_hash text, scrape_timestamp timestamptz, scraper_run_id text
        )
    ), locked AS MATERIALIZED (
        SELECT j.job_hash, j.content_hash = i.content_hash AS unchanged
        FROM jobs AS j JOIN incoming AS i USING (job_hash)
        ORDER BY j.job_hash FOR UPDATE OF j
    ), marked AS (
        UPDATE jobs AS j
        SET last_seen_at = p_seen_at, is_active = true,
            scrape_timestamp = i.scrape_timestamp, scraper_run_id = i.scraper_run_id
        FROM incoming AS i
        WHERE j.job_hash = i.job_hash
            AND j.job_hash IN (SELECT job_hash FROM locked WHERE unchanged)
        RETURNING j.job_hash
    )
    SELECT coalesce(array_agg(job_hash), '{}') FROM marked
$$;

INSERT INTO schema_migrations (version, name) VALUES (6, 'content_hash');
