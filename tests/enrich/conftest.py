"""Fixtures of the enrichment tests: the local OpenAI server, a store, settings, an Enricher."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from jobping.budget import TokenBudget
from jobping.enrich import Enricher
from jobping.models import Job
from jobping.settings import Settings, load_settings
from jobping.store import Store
from jobping.testing import FakeClock
from tests.budget import NOW
from tests.enrich.server import FakeOpenAI, serve_openai
from tests.helpers import opened_store
from tests.store.conftest import (  # noqa: F401 (fixtures for the tests on PostgreSQL)
    postgres_admin,
    postgres_schema,
    postgres_url,
)

SECRET = "sk-enrich-SENTINEL-5f4e3d2c1b0a9988"  # noqa: S105 (a sentinel, not a secret)
MakeSettings = Callable[..., Settings]
MakeEnricher = Callable[..., Enricher]


def build_jobs(count: int, *, words: int = 120) -> list[Job]:
    """``count`` jobs with descriptions of about ``words`` words."""
    text = "We build data pipelines in Python and SQL for payments. " * (words // 10)
    return [
        Job(
            job_hash=f"job-{n:04d}",
            title=f"Data engineer {n}",
            company="Acme",
            job_url=f"https://jobs.example.com/{n}",
            source="greenhouse",
            location="Berlin, Germany",
            description=text,
        )
        for n in range(count)
    ]


@pytest.fixture
async def openai_server() -> AsyncIterator[FakeOpenAI]:
    """The local OpenAI-compatible server."""
    async with serve_openai() as server:
        yield server


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """The URL of a fresh SQLite database."""
    return f"sqlite:///{tmp_path / 'enrich.db'}"


@pytest.fixture
async def store(db_url: str) -> AsyncIterator[Store]:
    """An open store on the fresh database."""
    async with opened_store(db_url) as opened:
        yield opened


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock at 2026-11-23 09:30 UTC."""
    return FakeClock(NOW)


@pytest.fixture
def make_settings(openai_server: FakeOpenAI, db_url: str) -> MakeSettings:
    """Settings pointing the SDK at the local server, with the sentinel key; overridable."""

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": db_url,
            "openai_api_key": SECRET,
            "openai_base_url": openai_server.base_url,
            "openai_timeout_seconds": 5.0,
        }
        return load_settings(env_file=None, **(values | overrides))

    return make


@pytest.fixture
def sleeps() -> list[float]:
    """The waits the Enricher asked for (it never sleeps for real in tests)."""
    return []


@pytest.fixture
def make_enricher(
    make_settings: MakeSettings, store: Store, clock: FakeClock, sleeps: list[float]
) -> MakeEnricher:
    """An Enricher with a TokenBudget on the store and the fake clock; settings overridable."""

    async def no_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    def make(*, sleep: Callable[[float], Awaitable[None]] = no_sleep, **overrides: Any) -> Enricher:
        settings = make_settings(**overrides)
        budget = TokenBudget.from_settings(settings, store, clock=clock)
        return Enricher(settings, store, budget, sleep=sleep, jitter=lambda: 0.5)

    return make
