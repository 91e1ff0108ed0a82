"""Fixtures of the sandbox tests: asyncio, and a client that never waits for real."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
import pytest

from jobping.http import DomainPolicy, ScrapeClient


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio (the sandbox is an aiohttp server)."""
    return "asyncio"


class Sleeps:
    """An injectable sleep that records each wait and returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        """Record the wait instead of waiting."""
        self.waits.append(seconds)
        await anyio.lowlevel.checkpoint()


ClientFactory = Callable[..., ScrapeClient]


@pytest.fixture
def sleeps() -> Sleeps:
    """The waits the client asked for."""
    return Sleeps()


@pytest.fixture
def make_client(sleeps: Sleeps) -> ClientFactory:
    """Build a ScrapeClient on ``sleeps`` with a policy from keyword arguments."""

    def build(read_timeout_seconds: float = 30.0, **policy: Any) -> ScrapeClient:
        return ScrapeClient(
            policy=DomainPolicy(**policy),
            sleep=sleeps,
            random=lambda: 1.0,
            read_timeout_seconds=read_timeout_seconds,
        )

    return build
