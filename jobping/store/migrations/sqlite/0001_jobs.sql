-- Job postings: one row per job_hash; the columns are the fields of jobping.models.Job.
-- Datetimes are ISO-8601 UTC text of fixed width (2026-11-23T09:30:00.000000Z), so text
-- order is time order; categories and language_requirements are JSON arrays; booleans 0/1.
CREATE TABLE jobs (
    job_hash              TEXT PRIMARY KEY,
    title                 TEXT NOT NULL,
    company               TEXT NOT NULL,
    job_url               TEXT NOT NULL,
    source                TEXT NOT NULL,
    source_id             TEXT,
    location              TEXT,
    city                  TEXT,
    country               TEXT,
    description           TEXT NOT NULL DEFAULT '',
    experience_required   TEXT,
    work_environment      TEXT NOT NULL DEFAULT 'unknown',
    categories            TEXT NOT NULL DEFAULT '[]',
    language_requirements TEXT NOT NULL DEFAULT '[]',
    company_profile_url   TEXT,
    posted_at             TEXT,
    original_posted_date  TEXT,
    scrape_timestamp      TEXT,
    last_seen_at          TEXT,
    is_active             INTEGER NOT NULL DEFAULT 1,
    scraper_run_id        TEXT,
    is_internship         INTEGER,
    is_graduate           INTEGER,
    visa_friendly         INTEGER,
    salary_min            REAL,
    salary_max            REAL,
    salary_currency       TEXT,
    salary_period         TEXT,
    created_at            TEXT NOT NULL
);

-- Backfill: active jobs posted since a date, newest first.
CREATE INDEX jobs_active_posted ON jobs (is_active, posted_at);

-- Deactivation: one source's active jobs last seen before a cutoff.
CREATE INDEX jobs_source_active_seen ON jobs (source, is_active, last_seen_at);
