"""Tests of the Supabase backend against a mocked REST API."""
