"""The PG_* and SUPABASE_* settings reach open_store as the options of the chosen backend."""

from __future__ import annotations

import pytest

from jobping.errors import ConfigError
from jobping.settings import load_settings
from jobping.store import store_options


def test_postgres_settings_become_pool_and_timeout_options(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A postgresql:// URL gets the pool sizes and the three timeouts from PG_*."""
    monkeypatch.setenv("DATABASE_URL", "postgres://jobping@127.0.0.1/jobs")
    monkeypatch.setenv("PG_POOL_MAX_SIZE", "4")
    monkeypatch.setenv("PG_STATEMENT_TIMEOUT_SECONDS", "2.5")

    options = store_options(load_settings(env_file=None))

    assert options == {
        "pool_min_size": 1,
        "pool_max_size": 4,
        "connect_timeout_seconds": 10.0,
        "statement_timeout_seconds": 2.5,
        "idle_in_transaction_timeout_seconds": 60.0,
    }


def test_supabase_settings_become_url_key_and_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """DATABASE_URL=supabase gets the project URL, the key's value and a request timeout."""
    monkeypatch.setenv("DATABASE_URL", "supabase")
    monkeypatch.setenv("SUPABASE_URL", "https://abc.supabase.co")
    monkeypatch.setenv("SUPABASE_SERVICE_ROLE_KEY", "service-role-key")

    options = store_options(load_settings(env_file=None))

    assert options == {
        "url": "https://abc.supabase.co",
        "service_role_key": "service-role-key",
        "timeout_seconds": 30.0,
    }


def test_sqlite_needs_no_options(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SQLite backend takes its defaults: no options."""
    monkeypatch.setenv("DATABASE_URL", "sqlite:///jobs.db")

    assert store_options(load_settings(env_file=None)) == {}


def test_a_pool_maximum_below_its_minimum_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """PG_POOL_MAX_SIZE below PG_POOL_MIN_SIZE stops at the settings, naming the key."""
    monkeypatch.setenv("PG_POOL_MIN_SIZE", "5")
    monkeypatch.setenv("PG_POOL_MAX_SIZE", "2")

    with pytest.raises(ConfigError, match=r"PG_POOL_MAX_SIZE .*at least PG_POOL_MIN_SIZE \(5\)"):
        load_settings(env_file=None)
