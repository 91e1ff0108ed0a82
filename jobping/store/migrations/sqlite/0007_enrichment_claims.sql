-- Enrichment claims (#11): a job is enriched by one process at a time. A claim names its
-- holder and expires; a claimed job leaves the backlog for everyone else until the claim is
-- released (on failure, on a budget skip, at the end of the batch) or expires (a crashed
-- process's claim is taken over). Saving the enrichment or a failure clears the claim.
ALTER TABLE jobs ADD COLUMN enrichment_claimed_by TEXT;
ALTER TABLE jobs ADD COLUMN enrichment_claim_expires_at TEXT;

-- What each committed call was: answered within its hold, answered past it (overshoot), or
-- charged its whole hold because its answer was lost (the provider may have billed it).
ALTER TABLE budget_usage ADD COLUMN outcome TEXT NOT NULL DEFAULT 'answered'
    CHECK (outcome IN ('answered', 'overshoot', 'lost'));

-- Per model, the prompt tokens the provider reported against the ones we counted, as sums
-- that decay by a tenth on each call: reservations scale our count by reported / estimated
-- when it is above 1.
CREATE TABLE budget_prompt_ratios (
    model     TEXT PRIMARY KEY,
    estimated REAL NOT NULL CHECK (estimated > 0),
    reported  REAL NOT NULL CHECK (reported >= 0)
);
