"""Retries from small tenacity strategies, on an injectable clock and sleep.

tenacity lives only here. A fresh ``AsyncRetrying`` is built per logical request (a shared
one mixes up its state across coroutines). Retried: connection errors, timeouts and the
statuses 408, 425, 429, 500, 502, 503, 504; never a block page, never another 4xx. Waits are
exponential with full jitter, or what ``Retry-After`` asked for (seconds or HTTP-date), and
always at most ``cap``; a retry whose wait would end past the request's deadline, or that
would start while the domain's breaker is open, is not made. The caller gets the last error
itself, never tenacity's ``RetryError``.
"""

from __future__ import annotations

import random as _random
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt
from tenacity.stop import stop_base
from tenacity.wait import wait_base

from jobping.errors import Blocked, HTTPStatusError, TransportError

__all__ = [
    "RETRYABLE_STATUSES",
    "is_retryable",
    "parse_retry_after",
    "retrying",
    "stop_at_deadline",
    "stop_when",
    "wait_retry_after",
]

RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


def is_retryable(exc: BaseException) -> bool:
    """Whether an attempt that raised ``exc`` may be tried again."""
    if isinstance(exc, HTTPStatusError):
        return not isinstance(exc, Blocked) and exc.status in RETRYABLE_STATUSES
    return isinstance(exc, TransportError)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delay-seconds or HTTP-date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


class wait_retry_after(wait_base):  # named like tenacity's
    """Wait what the server asked for, else exponential backoff with full jitter; capped."""

    def __init__(
        self,
        retry_after: Callable[[], float | None],
        *,
        base: float,
        cap: float,
        random: Callable[[], float] = _random.random,
    ) -> None:
        self._retry_after = retry_after
        self._base = base
        self._cap = cap
        self._random = random

    def __call__(self, retry_state: RetryCallState) -> float:
        """The wait before the next attempt."""
        asked = self._retry_after()
        if asked is not None:
            return min(asked, self._cap)
        ceiling = min(self._cap, self._base * 2 ** (retry_state.attempt_number - 1))
        return float(self._random() * ceiling)


class stop_at_deadline(stop_base):  # named like tenacity's
    """Stop when the upcoming wait would end at or past ``deadline`` (on ``clock``)."""

    def __init__(self, deadline: float, clock: Callable[[], float]) -> None:
        self._deadline = deadline
        self._clock = clock

    def __call__(self, retry_state: RetryCallState) -> bool:
        """Whether to give up."""
        return self._clock() + retry_state.upcoming_sleep >= self._deadline


class stop_when(stop_base):  # named like tenacity's
    """Stop when ``predicate()`` is true (the domain's breaker opened meanwhile)."""

    def __init__(self, predicate: Callable[[], bool]) -> None:
        self._predicate = predicate

    def __call__(self, retry_state: RetryCallState) -> bool:
        """Whether to give up."""
        return self._predicate()


def retrying(
    *,
    attempts: int,
    wait: wait_base,
    deadline: float,
    clock: Callable[[], float],
    sleep: Callable[[float], Awaitable[None]],
    give_up: Callable[[], bool],
    before_sleep: Callable[[float], None],
) -> AsyncRetrying:
    """A fresh retrying controller for one logical request; it re-raises the last error.

    ``before_sleep`` is told the wait before each retry.
    """
    return AsyncRetrying(
        sleep=sleep,
        stop=stop_after_attempt(attempts) | stop_at_deadline(deadline, clock) | stop_when(give_up),
        wait=wait,
        retry=retry_if_exception(is_retryable),
        before_sleep=lambda retry_state: before_sleep(retry_state.upcoming_sleep),
        reraise=True,
    )
