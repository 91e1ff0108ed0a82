-- JobPing schema for PostgreSQL and Supabase, version 8: conditional requests (#16). Per
-- target of a scraper scraped whole in one request, the validators of that answer (ETag,
-- Last-Modified, a hash of its body) and the hashes of the jobs it produced. The next run
-- sends the validators; a 304 (or the same body) marks those jobs seen without fetching or
-- parsing the body.
CREATE TABLE target_validators (
    scraper       text NOT NULL,
    target        text NOT NULL,
    url           text NOT NULL,
    etag          text,
    last_modified text,
    body_hash     text,
    job_hashes    jsonb NOT NULL,
    saved_at      timestamptz NOT NULL,
    PRIMARY KEY (scraper, target)
);

-- The saved validators of the targets of a scraper, or of its target p_target when it is
-- not null (a JSON array of objects).
CREATE FUNCTION jobping_load_validators(p_scraper text, p_target text)
RETURNS jsonb
LANGUAGE sql STABLE
SET search_path FROM CURRENT
AS $$
    SELECT coalesce(jsonb_agg(to_jsonb(v)), '[]') FROM target_validators AS v
    WHERE v.scraper = p_scraper AND (p_target IS NULL OR v.target = p_target)
$$;

-- Insert or replace the validators of one target.
CREATE FUNCTION jobping_save_validators(
    p_scraper text, p_target text, p_url text, p_etag text, p_last_modified text,
    p_body_hash text, p_job_hashes text[], p_saved_at timestamptz
)
RETURNS void
LANGUAGE sql
SET search_path FROM CURRENT
AS $$
    INSERT INTO target_validators AS v (
        scraper, target, url, etag, last_modified, body_hash, job_hashes, saved_at
    ) VALUES (
        p_scraper, p_target, p_url, p_etag, p_last_modified, p_body_hash,
        to_jsonb(p_job_hashes), p_saved_at
    )
    ON CONFLICT (scraper, target) DO UPDATE SET
        url = excluded.url, etag = excluded.etag, last_modified = excluded.last_modified,
        body_hash = excluded.body_hash, job_hashes = excluded.job_hashes,
        saved_at = excluded.saved_at
$$;

-- Mark the stored jobs of p_job_hashes seen: last_seen_at, scrape_timestamp, is_active and
-- scraper_run_id, nothing else. The rows are locked in hash order first, as the upserts lock
-- them, so a concurrent upsert cannot deadlock with it. How many were marked.
CREATE FUNCTION jobping_mark_jobs_seen(p_job_hashes text[], p_seen_at timestamptz, p_run_id text)
RETURNS integer
LANGUAGE sql
SET search_path FROM CURRENT
AS $$
    WITH locked AS MATERIALIZED (
        SELECT job_hash FROM jobs WHERE job_hash = ANY (p_job_hashes)
        ORDER BY job_hash FOR UPDATE
    ), marked AS (
        UPDATE jobs AS j
        SET last_seen_at = p_seen_at, scrape_timestamp = p_seen_at, is_active = true,
            scraper_run_id = p_run_id
        FROM locked WHERE j.job_hash = locked.job_hash
        RETURNING 1
    )
    SELECT count(*)::integer FROM marked
$$;

INSERT INTO schema_migrations (version, name) VALUES (8, 'target_validators');
