-- Placeholder (h-batch): migration number 8 belongs to another branch, which ships the real
-- file; this one only keeps versions gapless on h-batch. Delete it when merging that branch.
INSERT INTO schema_migrations (version, name) VALUES (8, 'placeholder');
