"""Fixtures of the orchestrator tests: asyncio, a SQLite store, quick settings."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from jobping.http import DomainPolicy
from jobping.settings import Settings, load_settings
from jobping.store import Store
from tests.helpers import opened_store

QUICK_POLICY = DomainPolicy(retry_attempts=1, breaker_failure_threshold=1000)
"""No retries, and a breaker that does not open: each test switches on what it is about."""


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """A SQLite file in the test's directory."""
    return f"sqlite:///{tmp_path / 'jobping.db'}"


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    """An open store on a fresh SQLite file."""
    async with opened_store(database_url) as opened:
        yield opened


SettingsFactory = Callable[..., Settings]


@pytest.fixture
def make_settings(database_url: str) -> SettingsFactory:
    """Settings on the test's database with quick HTTP policy; keyword arguments override."""

    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {"database_url": database_url, "http_defaults": QUICK_POLICY}
        return load_settings(env_file=None, **(values | overrides))

    return build
