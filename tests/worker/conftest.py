"""Fixtures of the worker tests: migrated PostgreSQL schemas (store and queue) per test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from tests.helpers import run_main
from tests.store.conftest import (
    create_schema,
    postgres_admin,
    postgres_schema,
    postgres_url,
    postgres_url_for,
)

__all__ = ["postgres_admin", "postgres_schema", "postgres_url"]  # shared with the store tests


def migrated(admin: psycopg.Connection[tuple[Any, ...]], monkeypatch: pytest.MonkeyPatch) -> str:
    """A new schema with the store's and the queue's tables (``jobping db migrate``); its URL."""
    url = postgres_url_for(create_schema(admin))
    with monkeypatch.context() as patch:
        patch.setenv("DATABASE_URL", url)
        assert run_main(["db", "migrate"]) == 0
    return url


@pytest.fixture
def queue_db(
    postgres_admin: psycopg.Connection[tuple[Any, ...]], monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The URL of a fresh, migrated PostgreSQL schema (store and queue), dropped afterwards."""
    url = migrated(postgres_admin, monkeypatch)
    yield url
    postgres_admin.execute(f"DROP SCHEMA {_schema_of(url)} CASCADE")


@pytest.fixture
def other_db(
    postgres_admin: psycopg.Connection[tuple[Any, ...]], monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A second fresh, migrated schema (to compare two executions of one run)."""
    url = migrated(postgres_admin, monkeypatch)
    yield url
    postgres_admin.execute(f"DROP SCHEMA {_schema_of(url)} CASCADE")


def _schema_of(url: str) -> str:
    return url.rpartition("search_path%3D")[2]
