"""Tests of the PostgreSQL backend itself: the pool, the schema, several processes."""
