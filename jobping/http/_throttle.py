"""Per-domain pacing on anyio primitives, with an injectable monotonic clock and sleep.

A minimum interval between request starts, a pause after a 429, and a limit on the requests
in flight.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import anyio

__all__ = ["Throttle"]


class Throttle:
    """Paces the requests to one domain.

    Each request reserves the next start time (``min_interval`` after the previous one, and
    not before a pause asked for by a ``Retry-After``) without holding a lock while it waits,
    then takes one of ``max_concurrency`` slots until its response has been read. A free
    slot is taken without a checkpoint: the hot path neither yields nor awaits.
    """

    def __init__(
        self,
        *,
        min_interval: float,
        max_concurrency: int,
        monotonic: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        self._interval = min_interval
        self._slots = anyio.Semaphore(max_concurrency, fast_acquire=True)
        self._monotonic = monotonic
        self._sleep = sleep
        self._next_start = float("-inf")

    def pause_until(self, when: float) -> None:
        """Start no request before ``when`` (monotonic seconds): the site asked for it."""
        self._next_start = max(self._next_start, when)

    async def acquire(self) -> None:
        """Wait for this request's turn, then take a concurrency slot; ``release()`` it after."""
        now = self._monotonic()
        start = max(now, self._next_start)
        if self._interval or start > now:
            self._next_start = start + self._interval
            if start > now:
                await self._sleep(start - now)
        try:
            self._slots.acquire_nowait()
        except anyio.WouldBlock:
            await self._slots.acquire()

    def release(self) -> None:
        """Give the concurrency slot back."""
        self._slots.release()
