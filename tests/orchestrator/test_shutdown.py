from __future__ import annotations

import os
import signal
from collections.abc import Mapping
from typing import Any

import anyio
import anyio.lowlevel
import pytest

from jobping.orchestrator._shutdown import RunStopped, Shutdown, StopFlag, StoppableClient
from jobping.testing import FakeClock

pytestmark = pytest.mark.anyio


class Answering:
    """A JsonClient that answers every GET with the URL it was asked for."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    async def get_json(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Record and echo the URL."""
        self.urls.append(url)
        return {"url": url}

    async def post_json(
        self,
        url: str,
        *,
        json: Any,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Record and echo the URL and the body."""
        self.urls.append(url)
        return {"url": url, "json": json}

    async def get_text(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> str:
        """Record and echo the URL as text."""
        self.urls.append(url)
        return url


async def test_no_request_starts_once_a_stop_is_requested() -> None:
    """The guard passes requests through until a flag is raised, then raises RunStopped."""
    inner, run_flag, tier_flag = Answering(), StopFlag(), StopFlag()
    client = StoppableClient(inner, [run_flag, tier_flag])

    assert await client.get_json("https://a.example/1") == {"url": "https://a.example/1"}
    tier_flag.request("run_target_jobs=10 reached")
    with pytest.raises(RunStopped, match="run_target_jobs=10 reached"):
        await client.get_json("https://a.example/2")
    assert inner.urls == ["https://a.example/1"]


async def test_posts_and_text_gets_are_guarded_too() -> None:
    """post_json and get_text pass through until a flag is raised, then raise RunStopped."""
    inner, flag = Answering(), StopFlag()
    client = StoppableClient(inner, [flag])

    assert await client.post_json("https://a.example/p", json={"offset": 0}) == {
        "url": "https://a.example/p",
        "json": {"offset": 0},
    }
    assert await client.get_text("https://a.example/t") == "https://a.example/t"
    flag.request("interrupted by SIGTERM")
    with pytest.raises(RunStopped, match="SIGTERM"):
        await client.post_json("https://a.example/p2", json={})
    with pytest.raises(RunStopped, match="SIGTERM"):
        await client.get_text("https://a.example/t2")
    assert inner.urls == ["https://a.example/p", "https://a.example/t"]


def test_a_flag_keeps_its_first_reason() -> None:
    """A second request does not change the reason."""
    flag = StopFlag()
    flag.request("interrupted by SIGTERM")
    flag.request("lost the lease")

    assert (flag.requested, flag.reason) == (True, "interrupted by SIGTERM")


async def test_work_in_flight_is_cancelled_after_the_grace_period() -> None:
    """The guard waits for a stop, sleeps the grace period, then cancels the work scope."""
    sleeps = FakeClock()
    shutdown = Shutdown(grace_seconds=7.5, sleep=sleeps.sleep)
    finished = False
    async with anyio.create_task_group() as group:
        with anyio.CancelScope() as work:
            group.start_soon(shutdown.guard, work)
            await anyio.lowlevel.checkpoint()
            assert sleeps.sleeps == []
            shutdown.request("test")
            await anyio.sleep_forever()
            finished = True

    assert work.cancelled_caught
    assert not finished
    assert sleeps.sleeps == [7.5]


async def test_force_without_a_callback_cancels_the_work_at_once() -> None:
    """force() skips the grace period when no on_force is given."""
    shutdown = Shutdown(grace_seconds=3600)
    async with anyio.create_task_group() as group:
        with anyio.CancelScope() as work:
            group.start_soon(shutdown.guard, work)
            await anyio.lowlevel.checkpoint()
            shutdown.request("test")
            shutdown.force()
            await anyio.sleep_forever()
        group.cancel_scope.cancel()

    assert work.cancelled_caught


async def test_signals_stop_the_run_and_a_second_one_forces() -> None:
    """SIGTERM requests the stop (naming the signal); a second SIGINT calls on_force."""
    forced = anyio.Event()
    shutdown = Shutdown(grace_seconds=3600, on_force=forced.set)
    async with anyio.create_task_group() as group:
        await group.start(shutdown.watch_signals)
        os.kill(os.getpid(), signal.SIGTERM)
        with anyio.fail_after(5):
            await shutdown.wait()
        assert not forced.is_set()
        os.kill(os.getpid(), signal.SIGINT)
        with anyio.fail_after(5):
            await forced.wait()
        group.cancel_scope.cancel()

    assert shutdown.reason == "interrupted by SIGTERM"
