-- A run spread over workers: the run (its tiers and settings snapshot), then one row per
-- unit of work (a scraper target, or an enrichment batch) with its result once done.
CREATE TABLE IF NOT EXISTS jobping_worker_runs (
    run_id      text PRIMARY KEY,
    started_at  timestamptz NOT NULL,
    tiers       integer[] NOT NULL,
    snapshot    jsonb NOT NULL,
    phase       text NOT NULL DEFAULT 'scrape',
    tier        integer NOT NULL DEFAULT 1,
    decisions   jsonb NOT NULL DEFAULT '{}'::jsonb,
    finished_at timestamptz
);

CREATE TABLE IF NOT EXISTS jobping_worker_units (
    run_id  text NOT NULL REFERENCES jobping_worker_runs (run_id) ON DELETE CASCADE,
    unit    text NOT NULL,
    tier    integer NOT NULL,
    scraper text NOT NULL,
    target  text NOT NULL,
    result  jsonb,
    PRIMARY KEY (run_id, unit)
);

-- What procrastinate's worker table lacks for `jobping status`: where each worker runs.
CREATE TABLE IF NOT EXISTS jobping_workers (
    worker_id   bigint PRIMARY KEY REFERENCES procrastinate_workers (id) ON DELETE CASCADE,
    host        text NOT NULL,
    pid         integer NOT NULL,
    queues      text[] NOT NULL,
    concurrency integer NOT NULL
);
