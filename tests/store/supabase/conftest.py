"""Fixtures of the Supabase REST tests: the mocked API and a store on it (from test_rest)."""

from tests.store.supabase.test_rest import api, supabase

__all__ = ["api", "supabase"]
