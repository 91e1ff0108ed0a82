-- JobPing schema, version 9: enrichment batches (#11), the backlog sent through OpenAI's
-- Batch API (24 h window). A batch's jobs are claimed by its holder until expires_at, and
-- each job's worst case is held in the budget ledger (one reservation per job, at the batch
-- rates) until then. The batch is collected once: a collector takes it (a guarded UPDATE on
-- state and collector), commits each answer's usage, releases the rest, and sets the final
-- state. Every change is one of the functions below (Supabase calls them through rpc()).
CREATE TABLE enrichment_batches (
    batch_id             text PRIMARY KEY,
    model                text NOT NULL,
    input_file_id        text NOT NULL,
    holder               text NOT NULL,
    max_output_tokens    integer NOT NULL CHECK (max_output_tokens > 0),
    state                text NOT NULL DEFAULT 'submitted'
        CHECK (state IN ('submitted', 'completed', 'expired', 'failed', 'cancelled')),
    reserved_tokens      bigint NOT NULL CHECK (reserved_tokens >= 0),
    reserved_micro_usd   bigint NOT NULL CHECK (reserved_micro_usd >= 0),
    micro_usd            bigint NOT NULL DEFAULT 0 CHECK (micro_usd >= 0),
    submitted_at         timestamptz NOT NULL,
    expires_at           timestamptz NOT NULL,
    collector            text,
    collector_expires_at timestamptz,
    collected_at         timestamptz
);
CREATE INDEX enrichment_batches_submitted ON enrichment_batches (submitted_at);

-- The jobs of a batch, each with the hold of its worst case (reservation_id in the ledger).
CREATE TABLE enrichment_batch_jobs (
    batch_id                text NOT NULL REFERENCES enrichment_batches (batch_id),
    job_hash                text NOT NULL,
    reservation_id          text NOT NULL,
    prompt_tokens           bigint NOT NULL,
    estimated_prompt_tokens bigint NOT NULL,
    tokens                  bigint NOT NULL,
    micro_usd               bigint NOT NULL,
    PRIMARY KEY (batch_id, job_hash)
);
ALTER TABLE enrichment_batches ENABLE ROW LEVEL SECURITY;
ALTER TABLE enrichment_batch_jobs ENABLE ROW LEVEL SECURITY;

-- Record a submitted batch and its jobs (p_batch: the batch row; p_lines: its job rows).
CREATE FUNCTION jobping_save_batch(p_batch jsonb, p_lines jsonb) RETURNS void
LANGUAGE sql
SET search_path FROM CURRENT
AS $$
    INSERT INTO enrichment_batches (batch_id, model, input_file_id, holder, max_output_tokens,
        reserved_tokens, reserved_micro_usd, submitted_at, expires_at)
    SELECT b.batch_id, b.model, b.input_file_id, b.holder, b.max_output_tokens,
        b.reserved_tokens, b.reserved_micro_usd, b.submitted_at, b.expires_at
    FROM jsonb_populate_record(NULL::enrichment_batches, p_batch) AS b;
    INSERT INTO enrichment_batch_jobs
    SELECT * FROM jsonb_populate_recordset(NULL::enrichment_batch_jobs, p_lines);
$$;

-- The batches (only those still submitted if p_open_only), newest first, each with a
-- "lines" array of its jobs.
CREATE FUNCTION jobping_enrichment_batches(p_open_only boolean, p_limit integer)
RETURNS jsonb
LANGUAGE sql STABLE
SET search_path FROM CURRENT
AS $$
    SELECT coalesce(jsonb_agg(picked.row ORDER BY picked.submitted_at DESC, picked.batch_id),
        '[]'::jsonb)
    FROM (
        SELECT b.batch_id, b.submitted_at, to_jsonb(b) || jsonb_build_object('lines', (
            SELECT coalesce(jsonb_agg(to_jsonb(l) ORDER BY l.job_hash), '[]'::jsonb)
            FROM enrichment_batch_jobs AS l WHERE l.batch_id = b.batch_id
        )) AS row
        FROM enrichment_batches AS b
        WHERE NOT p_open_only OR b.state = 'submitted'
        ORDER BY b.submitted_at DESC, b.batch_id
        LIMIT p_limit
    ) AS picked;
$$;

-- Take a submitted batch to collect it: only if nobody else collects it (or their take
-- expired). True if taken.
CREATE FUNCTION jobping_take_batch(
    p_batch_id text, p_collector text, p_ttl_seconds double precision, p_now timestamptz
) RETURNS boolean
LANGUAGE sql
SET search_path FROM CURRENT
AS $$
    WITH taken AS (
        UPDATE enrichment_batches SET collector = p_collector,
            collector_expires_at = p_now + make_interval(secs => p_ttl_seconds)
        WHERE batch_id = p_batch_id AND state = 'submitted'
            AND (collector IS NULL OR collector = p_collector OR collector_expires_at <= p_now)
        RETURNING 1
    )
    SELECT count(*) = 1 FROM taken;
$$;

-- Set the final state of a batch its collector settled, with what it cost. True if set
-- (false: not this collector's, or already final).
CREATE FUNCTION jobping_finish_batch(
    p_batch_id text, p_collector text, p_state text, p_micro_usd bigint, p_now timestamptz
) RETURNS boolean
LANGUAGE sql
SET search_path FROM CURRENT
AS $$
    WITH finished AS (
        UPDATE enrichment_batches SET state = p_state, micro_usd = p_micro_usd,
            collected_at = p_now, collector_expires_at = NULL
        WHERE batch_id = p_batch_id AND state = 'submitted' AND collector = p_collector
        RETURNING 1
    )
    SELECT count(*) = 1 FROM finished;
$$;

INSERT INTO schema_migrations (version, name) VALUES (9, 'enrichment_batches');
