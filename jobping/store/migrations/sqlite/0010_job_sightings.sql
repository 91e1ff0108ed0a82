-- Version 10 (#16): what each sighting of a job rewrites lives in a narrow table of its own,
-- so a job seen again unchanged is one small row updated, not its whole ~1 KB jobs row:
-- last_seen_at, scrape_timestamp, scraper_run_id, and the content digest it is checked
-- against (jobping.store._rows.content_hash). One row per job, written with it. is_active
-- stays in jobs (the backfill and backlog indexes need it). jobs_view is the jobs table
-- with its sighting: every Job field, what the store reads.
CREATE TABLE job_sightings (
    job_hash         TEXT PRIMARY KEY,
    content_hash     TEXT,
    last_seen_at     TEXT,
    scrape_timestamp TEXT,
    scraper_run_id   TEXT
) WITHOUT ROWID;

INSERT INTO job_sightings (job_hash, content_hash, last_seen_at, scrape_timestamp, scraper_run_id)
SELECT job_hash, content_hash, last_seen_at, scrape_timestamp, scraper_run_id FROM jobs;

DROP INDEX jobs_source_active_seen;
ALTER TABLE jobs DROP COLUMN content_hash;
ALTER TABLE jobs DROP COLUMN last_seen_at;
ALTER TABLE jobs DROP COLUMN scrape_timestamp;
ALTER TABLE jobs DROP COLUMN scraper_run_id;

-- Deactivation: one source's active jobs (their sightings are looked up by job_hash).
CREATE INDEX jobs_source_active ON jobs (source, is_active);

CREATE VIEW jobs_view AS
SELECT j.*, s.last_seen_at, s.scrape_timestamp, s.scraper_run_id
FROM jobs AS j LEFT JOIN job_sightings AS s ON s.job_hash = j.job_hash;
