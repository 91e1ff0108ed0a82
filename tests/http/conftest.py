"""Fixtures of the HTTP tests: a fake clock, a SQLite store, a hostile server, clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from jobping.http import DomainPolicy, RequestEvent, ScrapeClient
from jobping.store import Store
from jobping.testing import FakeClock
from tests.helpers import opened_store
from tests.servers import HostileServer, hostile_server


class Events:
    """A hook that keeps every event."""

    def __init__(self) -> None:
        self.events: list[RequestEvent] = []

    def __call__(self, event: RequestEvent, /) -> None:
        """Keep the event."""
        self.events.append(event)


@pytest.fixture
def clock() -> FakeClock:
    """A fresh fake clock."""
    return FakeClock()


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    """A real SQLite store in a temporary file."""
    async with opened_store(f"sqlite:///{tmp_path / 'jobping.db'}") as opened:
        yield opened


@pytest.fixture
async def server() -> AsyncIterator[HostileServer]:
    """A hostile HTTP server on 127.0.0.1."""
    async with hostile_server() as running:
        yield running


ClientFactory = Callable[..., ScrapeClient]


@pytest.fixture
def make_client(store: Store, clock: FakeClock) -> ClientFactory:
    """Build a client on the store and the fake clock; keyword arguments override."""

    def build(policy: DomainPolicy | None = None, **kwargs: Any) -> ScrapeClient:
        options: dict[str, Any] = {
            "store": store,
            "policy": policy or DomainPolicy(),
            "monotonic": clock.monotonic,
            "now": clock,
            "sleep": clock.sleep,
            "random": lambda: 1.0,
        }
        return ScrapeClient(**(options | kwargs))

    return build
