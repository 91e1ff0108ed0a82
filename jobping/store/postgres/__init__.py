"""The PostgreSQL backend (Supabase's own database too): psycopg 3 async over one pool.

The only package importing psycopg; ``jobping.store.open_store`` imports it only when the
database URL names PostgreSQL. ``PostgresOptions`` holds the pool and timeout settings that
``PostgresStore.open`` takes.
"""

from jobping.store.postgres._store import PostgresOptions, PostgresStore

__all__ = ["PostgresOptions", "PostgresStore"]
