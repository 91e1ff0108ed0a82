-- JobPing schema, version 3: request quotas, circuit breakers, the run lease, and the SQL
-- functions that change quotas and leases atomically. The backends call these functions
-- (psycopg directly, Supabase through rpc()), so concurrency is the database's job.
-- `SET search_path FROM CURRENT` binds each function to the schema it was created in.

-- Requests used per domain and quota window (window_key names the instance: day:2026-11-23).
CREATE TABLE quota_usage (
    domain     text NOT NULL,
    window_key text NOT NULL,
    used       bigint NOT NULL DEFAULT 0 CHECK (used >= 0),
    PRIMARY KEY (domain, window_key)
);

-- The persisted circuit breaker of each domain.
CREATE TABLE breakers (
    domain           text PRIMARY KEY,
    state            text NOT NULL,
    failures         integer NOT NULL,
    opened_at        timestamptz,
    retry_at         timestamptz,
    cooldown_seconds double precision NOT NULL
);

-- Named leases (the run lease): live while expires_at is after now.
CREATE TABLE leases (
    name       text PRIMARY KEY,
    holder     text NOT NULL,
    expires_at timestamptz NOT NULL
);

ALTER TABLE quota_usage ENABLE ROW LEVEL SECURITY;
ALTER TABLE breakers ENABLE ROW LEVEL SECURITY;
ALTER TABLE leases ENABLE ROW LEVEL SECURITY;

-- Add p_amount to every window of p_domain if all stay within their limits: all or none.
-- Windows are charged in key order (no deadlock between callers); a full window raises
-- JPQ01, which rolls back the windows already charged, and the answer is false.
CREATE FUNCTION jobping_consume_quota(
    p_domain text, p_window_keys text[], p_limits bigint[], p_amount bigint
) RETURNS boolean
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
    w record;
BEGIN
    IF p_amount < 0 THEN
        RAISE EXCEPTION 'a quota amount must not be negative, got %', p_amount;
    END IF;
    IF cardinality(p_window_keys) <> cardinality(p_limits) THEN
        RAISE EXCEPTION 'each quota window needs one limit';
    END IF;
    IF EXISTS (SELECT FROM unnest(p_limits) AS l (lim) WHERE p_amount > l.lim) THEN
        RETURN false;
    END IF;
    FOR w IN SELECT k, lim FROM unnest(p_window_keys, p_limits) AS t (k, lim) ORDER BY k LOOP
        INSERT INTO quota_usage AS q (domain, window_key, used)
        VALUES (p_domain, w.k, p_amount)
        ON CONFLICT (domain, window_key) DO UPDATE SET used = q.used + excluded.used
        WHERE q.used + excluded.used <= w.lim;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'quota window % of % is full', w.k, p_domain USING ERRCODE = 'JPQ01';
        END IF;
    END LOOP;
    RETURN true;
EXCEPTION WHEN SQLSTATE 'JPQ01' THEN
    RETURN false;
END;
$$;

-- Give back p_amount unused units to every window of p_domain, never below zero.
CREATE FUNCTION jobping_release_quota(
    p_domain text, p_window_keys text[], p_amount bigint
) RETURNS void
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
BEGIN
    IF p_amount < 0 THEN
        RAISE EXCEPTION 'a quota amount must not be negative, got %', p_amount;
    END IF;
    UPDATE quota_usage AS q SET used = greatest(q.used - p_amount, 0)
    FROM (
        SELECT window_key FROM quota_usage
        WHERE domain = p_domain AND window_key = ANY (p_window_keys)
        ORDER BY window_key
        FOR UPDATE
    ) AS locked
    WHERE q.domain = p_domain AND q.window_key = locked.window_key;
END;
$$;

-- Take the lease if it is free, expired, or already ours: the new expiry, or NULL if held.
CREATE FUNCTION jobping_acquire_lease(
    p_name text, p_holder text, p_ttl_seconds double precision, p_now timestamptz
) RETURNS timestamptz
LANGUAGE sql
SET search_path FROM CURRENT
AS $$
    INSERT INTO leases AS l (name, holder, expires_at)
    VALUES (p_name, p_holder, p_now + make_interval(secs => p_ttl_seconds))
    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
    WHERE l.holder = excluded.holder OR l.expires_at <= p_now
    RETURNING expires_at;
$$;

-- Extend a lease we hold (even past its expiry, if nobody took it): the new expiry, or NULL.
CREATE FUNCTION jobping_renew_lease(
    p_name text, p_holder text, p_ttl_seconds double precision, p_now timestamptz
) RETURNS timestamptz
LANGUAGE sql
SET search_path FROM CURRENT
AS $$
    UPDATE leases SET expires_at = p_now + make_interval(secs => p_ttl_seconds)
    WHERE name = p_name AND holder = p_holder
    RETURNING expires_at;
$$;

-- Give the lease up if we hold it.
CREATE FUNCTION jobping_release_lease(p_name text, p_holder text) RETURNS void
LANGUAGE sql
SET search_path FROM CURRENT
AS $$
    DELETE FROM leases WHERE name = p_name AND holder = p_holder;
$$;

INSERT INTO schema_migrations (version, name) VALUES (3, 'quotas_breakers_leases');
