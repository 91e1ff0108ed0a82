"""The store contract suite runs over every backend: one ``store_url`` per backend.

Adding a backend is one more entry in ``BACKENDS`` (PostgreSQL: a fresh schema per test,
marked ``pytest.mark.postgres``); every test of this folder then runs against it too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from jobping.store import Store, open_store


def _sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'jobping.db'}"


BACKENDS: dict[str, Callable[[Path], str]] = {"sqlite": _sqlite_url}


@pytest.fixture(params=sorted(BACKENDS))
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a fresh, empty database of each backend."""
    backend: str = request.param
    return BACKENDS[backend](tmp_path)


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[Store]:
    """An open store on a fresh database, closed after the test."""
    opened = await open_store(store_url)
    yield opened
    await opened.close()
