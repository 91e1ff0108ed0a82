"""The SQLite backend: one file, no server; safe with several processes on one file."""

from jobping.store.sqlite._store import SqliteStore

__all__ = ["SqliteStore"]
