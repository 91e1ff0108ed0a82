"""The database URL forms JobPing knows, listed once; a leaf: imports nothing from jobping.

The settings validate ``DATABASE_URL`` against them and ``open_store`` picks its backend by
them, so a new scheme is added here and nowhere else.
"""

from __future__ import annotations

__all__ = [
    "KNOWN_DATABASE_URLS",
    "POSTGRES_PREFIXES",
    "SQLITE_PREFIX",
    "SUPABASE",
    "is_known_database_url",
]

SQLITE_PREFIX = "sqlite:///"
"""The embedded SQLite file: ``sqlite:///relative/path``, ``sqlite:////absolute/path``."""
POSTGRES_PREFIXES = ("postgresql://", "postgres://")
"""PostgreSQL, Supabase's own database included."""
SUPABASE = "supabase"
"""Supabase's REST API (with SUPABASE_URL and its key)."""
KNOWN_DATABASE_URLS = "sqlite:///path, postgresql://... (postgres://...) or 'supabase'"
"""The known forms, for error messages."""


def is_known_database_url(url: str) -> bool:
    """Whether ``url`` names a backend JobPing has."""
    return url == SUPABASE or url.startswith((SQLITE_PREFIX, *POSTGRES_PREFIXES))
