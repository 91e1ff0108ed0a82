"""The Supabase backend: the store over Supabase's REST API, for a project URL and key.

The only package importing supabase; ``jobping.store.open_store`` imports it only when
``DATABASE_URL`` is ``supabase``.
"""

from jobping.store.supabase._store import SupabaseStore

__all__ = ["SupabaseStore"]
