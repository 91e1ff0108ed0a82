-- Enrichment batches (#11): the backlog sent through OpenAI's Batch API (24 h window).
-- A batch's jobs are claimed by its holder until expires_at, and each job's worst case is
-- held in the budget ledger (one reservation per job, at the batch rates) until then. The
-- batch is collected once: a collector takes it (a guarded UPDATE on state and collector),
-- commits each answer's usage, releases the rest, and sets the final state.
CREATE TABLE enrichment_batches (
    batch_id             TEXT PRIMARY KEY,
    model                TEXT NOT NULL,
    input_file_id        TEXT NOT NULL,
    holder               TEXT NOT NULL,
    max_output_tokens    INTEGER NOT NULL CHECK (max_output_tokens > 0),
    state                TEXT NOT NULL DEFAULT 'submitted'
        CHECK (state IN ('submitted', 'completed', 'expired', 'failed', 'cancelled')),
    reserved_tokens      INTEGER NOT NULL CHECK (reserved_tokens >= 0),
    reserved_micro_usd   INTEGER NOT NULL CHECK (reserved_micro_usd >= 0),
    micro_usd            INTEGER NOT NULL DEFAULT 0 CHECK (micro_usd >= 0),
    submitted_at         TEXT NOT NULL,
    expires_at           TEXT NOT NULL,
    collector            TEXT,
    collector_expires_at TEXT,
    collected_at         TEXT
);

CREATE INDEX enrichment_batches_submitted ON enrichment_batches (submitted_at);

-- The jobs of a batch, each with the hold of its worst case (reservation_id in the ledger).
CREATE TABLE enrichment_batch_jobs (
    batch_id                TEXT NOT NULL REFERENCES enrichment_batches (batch_id),
    job_hash                TEXT NOT NULL,
    reservation_id          TEXT NOT NULL,
    prompt_tokens           INTEGER NOT NULL,
    estimated_prompt_tokens INTEGER NOT NULL,
    tokens                  INTEGER NOT NULL,
    micro_usd               INTEGER NOT NULL,
    PRIMARY KEY (batch_id, job_hash)
);
