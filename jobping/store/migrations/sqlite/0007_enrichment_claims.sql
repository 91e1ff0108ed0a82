-- Enrichment claims (#11): a job is enriched by one process at a time. A claim names its
-- holder and expires; a claimed job leaves the backlog for everyone else until the claim is
-- released (on failure, on a budget skip, at the end of the batch) or expires (a crashed
-- process's claim is taken over). Saving the enrichment or a failure clears the claim.
ALTER TABLE jobs ADD COLUMN enrichment_claimed_by TEXT;
ALTER TABLE jobs ADD COLUMN enrichment_claim_expires_at TEXT;
