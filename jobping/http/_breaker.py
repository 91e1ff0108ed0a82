"""The circuit breaker of one domain: closed, open, half-open. Pure: no I/O, clock injected.

Policy (consecutive failures, not a failure rate: a scraper makes few requests to a domain,
too few for a rate over a window to mean much):

- A *failure* is a connection error, a timeout, a 5xx, a 408 or a block page. It adds one to
  the count of consecutive failures; at ``threshold`` the breaker opens for ``cooldown``.
- A 429 is a throttle signal: a lone one does not count. From the second 429 in a row on,
  each counts as a failure (the throttling persists).
- Any other answer (2xx, 3xx, 404, a body that is not JSON) shows the site is up: the count
  goes back to zero.
- Open: every call fails fast with ``CircuitOpen``. Once ``retry_at`` has passed the breaker
  is half-open and admits exactly one probe at a time. The probe's success closes it (and
  resets the cooldown); its failure (a 429 included) re-opens it with the cooldown doubled,
  capped at ``max_cooldown``; a probe that is cancelled counts as neither and frees the slot.
- Outcomes of requests admitted before the breaker opened are ignored while it is not closed.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import datetime, timedelta

from jobping.errors import CircuitOpen
from jobping.store import BreakerSnapshot

__all__ = ["BreakerSignal", "BreakerState", "CircuitBreaker", "Transition"]


class BreakerState(enum.StrEnum):
    """The three states of a circuit breaker."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class BreakerSignal(enum.Enum):
    """What one attempt tells the breaker about the health of the domain."""

    SUCCESS = "success"
    FAILURE = "failure"
    THROTTLED = "throttled"


Transition = tuple[BreakerState, BreakerState]


class CircuitBreaker:
    """The state machine of one domain's breaker; see the module docstring for the policy."""

    def __init__(
        self,
        domain: str,
        *,
        threshold: int,
        cooldown_seconds: float,
        max_cooldown_seconds: float,
        clock: Callable[[], datetime],
        snapshot: BreakerSnapshot | None = None,
    ) -> None:
        self.domain = domain
        self._threshold = threshold
        self._base_cooldown = cooldown_seconds
        self._max_cooldown = max(max_cooldown_seconds, cooldown_seconds)
        self._clock = clock
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._throttled = False
        self._cooldown = cooldown_seconds
        self._opened_at: datetime | None = None
        self._retry_at: datetime | None = None
        self._probing = False
        if snapshot is not None:
            self._restore(snapshot)

    @property
    def state(self) -> BreakerState:
        """The current state (an open breaker whose cooldown ended reads as half-open)."""
        if self._state is BreakerState.OPEN and self._cooldown_over():
            return BreakerState.HALF_OPEN
        return self._state

    @property
    def retry_at(self) -> datetime | None:
        """When an open breaker admits its next probe."""
        return self._retry_at

    @property
    def is_open(self) -> bool:
        """Whether a call made now would fail fast (open, or half-open with a probe out)."""
        state = self.state
        return state is BreakerState.OPEN or (state is BreakerState.HALF_OPEN and self._probing)

    def admit(self) -> tuple[bool, Transition | None]:
        """Let one call through, or raise ``CircuitOpen``; returns (is_probe, transition)."""
        if self._state is BreakerState.CLOSED:
            return False, None
        transition = None
        if self._state is BreakerState.OPEN:
            if not self._cooldown_over():
                raise CircuitOpen(self.domain, self._retry_at)
            transition = self._move(BreakerState.HALF_OPEN)
        if self._probing:
            raise CircuitOpen(self.domain, None)
        self._probing = True
        return True, transition

    def cancel(self, probe: bool) -> None:
        """The admitted call ended without an answer about the domain (it was cancelled)."""
        if probe:
            self._probing = False

    def record(self, signal: BreakerSignal, probe: bool) -> Transition | None:
        """Account for the signal of an admitted call; returns the transition it caused."""
        if probe:
            self._probing = False
            if signal is BreakerSignal.SUCCESS:
                self._failures, self._throttled = 0, False
                self._cooldown = self._base_cooldown
                return self._move(BreakerState.CLOSED)
            self._cooldown = min(self._cooldown * 2, self._max_cooldown)
            return self._open()
        if self._state is not BreakerState.CLOSED:
            return None
        if signal is BreakerSignal.SUCCESS:
            self._failures, self._throttled = 0, False
            return None
        if signal is BreakerSignal.FAILURE or self._throttled:
            self._failures += 1
        self._throttled = signal is BreakerSignal.THROTTLED
        return self._open() if self._failures >= self._threshold else None

    def snapshot(self) -> BreakerSnapshot:
        """The state to persist in the store."""
        return BreakerSnapshot(
            domain=self.domain,
            state=str(self._state),
            failures=self._failures,
            opened_at=self._opened_at,
            retry_at=self._retry_at,
            cooldown_seconds=self._cooldown,
        )

    def __repr__(self) -> str:
        retry = f" retry_at={self._retry_at.isoformat()}" if self._retry_at else ""
        return (
            f"<CircuitBreaker {self.domain} {self.state.name} failures={self._failures}"
            f" cooldown={self._cooldown:g}s{retry}>"
        )

    def _open(self) -> Transition | None:
        now = self._clock()
        self._opened_at = now
        self._retry_at = now + timedelta(seconds=self._cooldown)
        return self._move(BreakerState.OPEN)

    def _move(self, state: BreakerState) -> Transition | None:
        old, self._state = self._state, state
        if state is BreakerState.CLOSED:
            self._opened_at = self._retry_at = None
        return (old, state) if old is not state else None

    def _cooldown_over(self) -> bool:
        return self._retry_at is None or self._clock() >= self._retry_at

    def _restore(self, snapshot: BreakerSnapshot) -> None:
        self._state = BreakerState(snapshot.state)
        self._failures = snapshot.failures
        self._opened_at = snapshot.opened_at
        self._retry_at = snapshot.retry_at
        self._cooldown = min(
            max(snapshot.cooldown_seconds, self._base_cooldown), self._max_cooldown
        )
        if self._state is BreakerState.HALF_OPEN:  # its probe died with the process that sent it
            self._state = BreakerState.OPEN
