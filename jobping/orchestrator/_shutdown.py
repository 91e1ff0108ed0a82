"""Stopping a run: stop flags, the client guard that honours them, and signal handling.

On the first SIGINT/SIGTERM the run stops starting new work: no new target starts and no
new request is sent (a scraper's next request raises :class:`RunStopped`), while requests
in flight may finish. ``grace_seconds`` later whatever still runs is cancelled. The sink
flushes the batches either way. A second signal calls ``on_force`` (the CLI exits at
once), or without one cancels the in-flight work immediately.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
from anyio.abc import TaskStatus

from jobping.scraping import ConditionalClient, JsonClient
from jobping.scraping._base import fetch_json_body

if TYPE_CHECKING:
    from jobping.http import Revalidated, Validators
    from jobping.http._conditional import BodyAs
    from jobping.orchestrator._timings import RunTimings

__all__ = ["RunStopped", "Shutdown", "StopFlag", "StoppableClient"]

logger = logging.getLogger("jobping.orchestrator")
_T = TypeVar("_T")


class RunStopped(Exception):
    """Raised instead of sending a request once the run (or its tier) is told to stop."""


class StopFlag:
    """A one-way flag with the reason it was raised."""

    def __init__(self) -> None:
        self.reason: str | None = None
        self._raised = anyio.Event()

    @property
    def requested(self) -> bool:
        """Whether a stop was requested."""
        return self.reason is not None

    def request(self, reason: str) -> None:
        """Ask for the stop; the first reason is kept."""
        if self.reason is None:
            self.reason = reason
            self._raised.set()

    async def wait(self) -> None:
        """Return once a stop is requested."""
        await self._raised.wait()


class StoppableClient:
    """A ``JsonClient`` that refuses to start a request once one of ``flags`` is raised.

    With ``timings`` it also adds the time its requests take to ``timings.fetch``;
    ``waited`` is this client's share (one target's requests).
    """

    def __init__(
        self, client: JsonClient, flags: Sequence[StopFlag], timings: RunTimings | None = None
    ) -> None:
        self._client = client
        self._flags = tuple(flags)
        self._timings = timings
        self.waited = 0.0
        """Seconds this client's requests took."""

    async def get_json(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """GET through the wrapped client, unless a stop was requested."""
        return await self._send(lambda: self._client.get_json(url, params=params, headers=headers))

    async def get_json_body(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """GET leaving the JSON body undecoded when the wrapped client can, else decoded."""
        return await self._send(
            lambda: fetch_json_body(self._client, url, params=params, headers=headers)
        )

    async def post_json(
        self,
        url: str,
        *,
        json: Any,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """POST through the wrapped client, unless a stop was requested."""
        return await self._send(
            lambda: self._client.post_json(url, json=json, params=params, headers=headers)
        )

    async def get_text(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> str:
        """GET text through the wrapped client, unless a stop was requested."""
        return await self._send(lambda: self._client.get_text(url, params=params, headers=headers))

    async def get_if_changed(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
        previous: tuple[str, Validators] | None = None,
        body_as: BodyAs = "json",
    ) -> Revalidated:
        """A conditional GET through the wrapped client, unless a stop was requested.

        Raises:
            TypeError: the wrapped client cannot send conditional requests.
        """
        client = self._client
        if not isinstance(client, ConditionalClient):
            raise TypeError(f"{type(client).__name__} cannot send conditional requests")
        return await self._send(
            lambda: client.get_if_changed(
                url, params=params, headers=headers, previous=previous, body_as=body_as
            )
        )

    async def _send(self, request: Callable[[], Awaitable[_T]]) -> _T:
        """``request()`` unless a stop was requested, its time counted."""
        self._check()
        started = time.perf_counter()
        try:
            return await request()
        finally:
            seconds = time.perf_counter() - started
            self.waited += seconds
            if self._timings is not None:
                self._timings.fetch += seconds

    def _check(self) -> None:
        """Raise ``RunStopped`` once a stop was requested."""
        for flag in self._flags:
            if flag.reason is not None:
                raise RunStopped(flag.reason)


class Shutdown(StopFlag):
    """The run-wide stop: from a signal (or a caller), with a grace period before cancelling."""

    def __init__(
        self,
        *,
        grace_seconds: float = 10.0,
        on_force: Callable[[], None] | None = None,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    ) -> None:
        super().__init__()
        self.grace_seconds = grace_seconds
        self._on_force = on_force
        self._sleep = sleep
        self._work: anyio.CancelScope | None = None

    async def guard(self, work: anyio.CancelScope) -> None:
        """Cancel ``work`` once the grace period after a stop request is over."""
        self._work = work
        await self.wait()
        await self._sleep(self.grace_seconds)
        logger.warning(
            "grace period of %gs over: cancelling the work in flight", self.grace_seconds
        )
        work.cancel()

    def force(self) -> None:
        """Stop at once: ``on_force`` if given, else cancel the work without grace."""
        if self._on_force is not None:
            self._on_force()
        elif self._work is not None:
            self._work.cancel()

    async def watch_signals(
        self, *, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        """Turn SIGINT/SIGTERM into a stop request, and a second one into :meth:`force`."""
        with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
            task_status.started()
            async for signum in signals:
                name = signal.Signals(signum).name
                if self.requested:
                    logger.warning("second %s: stopping at once", name)
                    self.force()
                    continue
                logger.warning(
                    "%s: no new work; requests in flight get %gs to finish (again to force)",
                    name,
                    self.grace_seconds,
                )
                self.request(f"interrupted by {name}")
