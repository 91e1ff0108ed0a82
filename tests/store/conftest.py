"""The store contract suite runs over every backend: one ``store_url`` per backend.

Adding a backend is one more entry in ``BACKENDS``; every test of this folder taking
``store_url`` or ``store`` then runs against it too. PostgreSQL tests (marked ``postgres``)
get a fresh schema each, named in the URL's ``search_path`` and dropped afterwards. The
server is the local test server (user ``postgres`` on 127.0.0.1:5432, database ``test``);
when it does not answer they skip, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any
from urllib.parse import quote

import psycopg
import pytest

from jobping.store import Store
from tests.helpers import opened_store

POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432/test"


def postgres_url_for(schema: str) -> str:
    """The test server's URL with ``schema`` as the only schema on the search path."""
    separator = "&" if "?" in POSTGRES_SERVER else "?"
    return f"{POSTGRES_SERVER}{separator}options={quote(f'-csearch_path={schema}')}"


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[psycopg.Connection[tuple[Any, ...]]]:
    """A connection to the test server for creating and dropping schemas (checks it answers)."""
    try:
        connection = psycopg.connect(POSTGRES_SERVER, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        reason = f"PostgreSQL at {POSTGRES_SERVER} does not answer: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason.splitlines()[0])
    with connection:
        yield connection


def create_schema(admin: psycopg.Connection[tuple[Any, ...]]) -> str:
    """A new, empty schema on the test server; its name."""
    schema = f"jobping_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f"CREATE SCHEMA {schema}")
    return schema


@pytest.fixture
def postgres_schema(postgres_admin: psycopg.Connection[tuple[Any, ...]]) -> Iterator[str]:
    """A fresh, empty schema on the test server, dropped (with its contents) after the test."""
    schema = create_schema(postgres_admin)
    yield schema
    postgres_admin.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def postgres_url(postgres_schema: str) -> str:
    """The URL of a fresh, empty PostgreSQL schema."""
    return postgres_url_for(postgres_schema)


def _sqlite_url(request: pytest.FixtureRequest) -> str:
    return f"sqlite:///{request.getfixturevalue('tmp_path') / 'jobping.db'}"


def _postgres_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue("postgres_url")
    return url


BACKENDS: dict[str, Callable[[pytest.FixtureRequest], str]] = {
    "postgres": _postgres_url,
    "sqlite": _sqlite_url,
}
MARKS = {"postgres": pytest.mark.postgres}


@pytest.fixture(params=[pytest.param(name, marks=MARKS.get(name, ())) for name in BACKENDS])
def store_url(request: pytest.FixtureRequest) -> str:
    """The URL of a fresh, empty database of each backend."""
    backend: str = request.param
    return BACKENDS[backend](request)


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[Store]:
    """An open store on a fresh database, closed after the test."""
    async with opened_store(store_url) as opened:
        yield opened
