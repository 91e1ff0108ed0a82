-- The last error of each task attempt that failed (redacted), for `jobping status`:
-- procrastinate keeps a task's status, not why it failed.
CREATE TABLE IF NOT EXISTS jobping_task_errors (
    job_id    bigint NOT NULL,
    task_name text NOT NULL,
    attempt   integer NOT NULL,
    error     text NOT NULL,
    failed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, attempt)
);
