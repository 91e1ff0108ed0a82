-- Version 6: the content digest of each job (jobping.store._rows.content_hash), so that a job
-- scraped again unchanged is only marked seen, in bulk, without comparing or rewriting its
-- columns. Rows stored before have none: their next upsert compares them in full and writes it.
ALTER TABLE jobs ADD COLUMN content_hash TEXT;
