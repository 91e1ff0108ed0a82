-- JobPing schema, version 5: the terms of employment a source states (issue #15).
-- employment_type is one of full_time, part_time, contract, temporary, internship, other
-- (NULL: not stated); employment_type_raw keeps the source's own words.
ALTER TABLE jobs ADD COLUMN employment_type text
    CHECK (employment_type IN
        ('full_time', 'part_time', 'contract', 'temporary', 'internship', 'other'));
ALTER TABLE jobs ADD COLUMN employment_type_raw text;

INSERT INTO schema_migrations (version, name) VALUES (5, 'employment_type');
