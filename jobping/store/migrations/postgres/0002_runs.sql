-- JobPing schema, version 2: one row per run; counts (an object) and errors (an array) are jsonb.
CREATE TABLE runs (
    run_id      text PRIMARY KEY,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,
    status      text NOT NULL,
    counts      jsonb NOT NULL DEFAULT '{}',
    errors      jsonb NOT NULL DEFAULT '[]'
);

-- Run history: the latest runs first.
CREATE INDEX runs_history ON runs (started_at DESC, run_id DESC);

ALTER TABLE runs ENABLE ROW LEVEL SECURITY;

INSERT INTO schema_migrations (version, name) VALUES (2, 'runs');
