-- One row per run; counts (an object) and errors (an array) are JSON text.
CREATE TABLE runs (
    run_id      TEXT PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    status      TEXT NOT NULL,
    counts      TEXT NOT NULL DEFAULT '{}',
    errors      TEXT NOT NULL DEFAULT '[]'
);

-- The latest runs first.
CREATE INDEX runs_started ON runs (started_at);
