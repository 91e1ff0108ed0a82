-- Requests used per domain and quota window (window_key names the instance: day:2026-11-23).
CREATE TABLE quota_usage (
    domain     TEXT NOT NULL,
    window_key TEXT NOT NULL,
    used       INTEGER NOT NULL DEFAULT 0 CHECK (used >= 0),
    PRIMARY KEY (domain, window_key)
);

-- The persisted circuit breaker of each domain.
CREATE TABLE breakers (
    domain           TEXT PRIMARY KEY,
    state            TEXT NOT NULL,
    failures         INTEGER NOT NULL,
    opened_at        TEXT,
    retry_at         TEXT,
    cooldown_seconds REAL NOT NULL
);

-- Named leases (the run lease): live while expires_at is after now.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
