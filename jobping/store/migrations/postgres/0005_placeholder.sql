-- Placeholder (h-llm): migration number 5 belongs to another branch, which ships the real
-- file; this one only keeps versions gapless on h-llm. Delete it when merging that branch.
INSERT INTO schema_migrations (version, name) VALUES (5, 'placeholder');
