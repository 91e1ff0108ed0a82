"""The one retry policy of HTTP requests and LLM calls, from small tenacity strategies.

tenacity lives only here, and this module imports neither httpx nor openai: each caller
says which errors are worth another attempt (``retry``) and what the server asked for
(``retry_after``). A fresh ``AsyncRetrying`` is built per logical call (a shared one mixes
up its state across coroutines). Waits are what the server asked for (``retry-after-ms``,
``Retry-After`` seconds or HTTP-date), else exponential with full jitter, and always at
most ``cap``. The caller gets the last error itself, never tenacity's ``RetryError``.
"""

from __future__ import annotations

import math
import random as _random
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt
from tenacity.stop import stop_base
from tenacity.wait import wait_base

__all__ = [
    "parse_retry_after",
    "retrying",
    "stop_at_deadline",
    "stop_when",
    "wait_retry_after",
]


def parse_retry_after(headers: Mapping[str, str], now: datetime) -> float | None:
    """Seconds the server asked to wait, or None.

    Read, first found wins: ``retry-after-ms`` (milliseconds, OpenAI's), then ``Retry-After``
    as delay-seconds or as an HTTP-date (counted from ``now``, an aware datetime). A date in
    the past is 0; a value that is none of these is ignored.
    """
    millis = _seconds(headers.get("retry-after-ms"))
    if millis is not None:
        return millis / 1000
    value = headers.get("retry-after")
    if value is None:
        return None
    seconds = _seconds(value)
    if seconds is not None:
        return seconds
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def _seconds(value: str | None) -> float | None:
    """A non-negative finite number, or None."""
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


class wait_retry_after(wait_base):  # named like tenacity's
    """Wait what the server asked for, else exponential backoff with full jitter; capped.

    ``retry_after`` is given the error of the attempt that just failed.
    """

    def __init__(
        self,
        retry_after: Callable[[BaseException | None], float | None],
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
        outcome = retry_state.outcome
        asked = self._retry_after(outcome.exception() if outcome is not None else None)
        if asked is not None:
            return min(asked, self._cap)
        ceiling = min(self._cap, self._base * 2 ** (retry_state.attempt_number - 1))
        return float(self._random() * ceiling)


class stop_at_deadline(stop_base):  # named like tenacity's
    """Stop when the upcoming wait would end at or past ``deadline`` (on ``monotonic``)."""

    def __init__(self, deadline: float, monotonic: Callable[[], float]) -> None:
        self._deadline = deadline
        self._monotonic = monotonic

    def __call__(self, retry_state: RetryCallState) -> bool:
        """Whether to give up."""
        return self._monotonic() + retry_state.upcoming_sleep >= self._deadline


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
    retry: Callable[[BaseException], bool],
    sleep: Callable[[float], Awaitable[None]],
    stop: stop_base | None = None,
    before_sleep: Callable[[float], None] = lambda _wait: None,
) -> AsyncRetrying:
    """A fresh retrying controller for one logical call; it re-raises the last error.

    At most ``attempts`` attempts, fewer when ``stop`` says so; an error for which ``retry``
    is false is raised at once. ``before_sleep`` is told the wait before each retry.
    """
    give_up = stop_after_attempt(attempts) if stop is None else stop_after_attempt(attempts) | stop
    return AsyncRetrying(
        sleep=sleep,
        stop=give_up,
        wait=wait,
        retry=retry_if_exception(retry),
        before_sleep=lambda retry_state: before_sleep(retry_state.upcoming_sleep),
        reraise=True,
    )
