"""Fixtures of the sandbox tests: asyncio, and a client that never waits for real."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from jobping.http import DomainPolicy, ScrapeClient
from jobping.testing import FakeClock

ClientFactory = Callable[..., ScrapeClient]


@pytest.fixture
def sleeps() -> FakeClock:
    """The waits the client asked for."""
    return FakeClock()


@pytest.fixture
def make_client(sleeps: FakeClock) -> ClientFactory:
    """Build a ScrapeClient on ``sleeps`` with a policy from keyword arguments."""

    def build(read_timeout_seconds: float = 30.0, **policy: Any) -> ScrapeClient:
        return ScrapeClient(
            policy=DomainPolicy(**policy),
            sleep=sleeps.sleep,
            random=lambda: 1.0,
            read_timeout_seconds=read_timeout_seconds,
        )

    return build
