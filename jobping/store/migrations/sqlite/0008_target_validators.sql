-- Conditional requests (#16): per target of a scraper scraped whole in one request, the
-- validators of that answer (ETag, Last-Modified, a hash of its body) and the hashes of the
-- jobs it produced. The next run sends the validators; a 304 (or the same body) marks those
-- jobs seen without fetching or parsing the body. job_hashes is a JSON array.
CREATE TABLE target_validators (
    scraper       TEXT NOT NULL,
    target        TEXT NOT NULL,
    url           TEXT NOT NULL,
    etag          TEXT,
    last_modified TEXT,
    body_hash     TEXT,
    job_hashes    TEXT NOT NULL,
    saved_at      TEXT NOT NULL,
    PRIMARY KEY (scraper, target)
);
