"""Request quotas of one domain, kept in the store, reserved in blocks.

Every attempt takes one unit. Units come from a block reserved in the store with one atomic
``consume_quota`` over all of the domain's windows (minute, day, week, month: the tightest
governs), so the hot path is a decrement. The block follows demand: it doubles when the last
one was used up within a second and halves when one lasted over ten seconds, between one
unit and a tenth of the tightest limit (at most 1,024), so a busy domain is not held back by
trips to the store and a dead process strands little. It also halves each time the store
refuses it, down to one unit, so the total used can never pass a limit. Unused units go back
to the store on ``close()`` and whenever a window rolls over; a process that dies keeps its
block unused, which errs on the safe side. Window boundaries are computed in the configured
timezone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import anyio

from jobping.errors import QuotaExhausted
from jobping.http._policy import DomainPolicy
from jobping.store import QuotaLedger, QuotaWindow

logger = logging.getLogger("jobping.http")

__all__ = ["QuotaGate", "Window", "quota_windows"]

_MAX_BLOCK = 1024
_GROW_WITHIN = timedelta(seconds=1)
_SHRINK_AFTER = timedelta(seconds=10)


@dataclass(frozen=True, slots=True)
class Window:
    """One window instance of a quota: its store key, limit and end."""

    name: str
    key: str
    limit: int
    ends_at: datetime

    def to_store(self) -> QuotaWindow:
        """The store's view of the window."""
        return QuotaWindow(self.key, self.limit)


def quota_windows(policy: DomainPolicy, now: datetime, tz: ZoneInfo) -> list[Window]:
    """The windows of ``policy`` that contain ``now`` (an aware datetime), in ``tz``."""
    local = now.astimezone(tz)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    windows: list[Window] = []
    if policy.minute_quota:
        minute = local.replace(second=0, microsecond=0)
        key = f"minute:{minute:%Y-%m-%dT%H:%M}"
        windows.append(Window("minute", key, policy.minute_quota, minute + timedelta(minutes=1)))
    if policy.daily_quota:
        end = _midnight(day.date() + timedelta(days=1), tz)
        windows.append(Window("day", f"day:{day:%Y-%m-%d}", policy.daily_quota, end))
    if policy.weekly_quota:
        year, week, weekday = local.isocalendar()
        end = _midnight(day.date() + timedelta(days=8 - weekday), tz)
        windows.append(Window("week", f"week:{year}-W{week:02d}", policy.weekly_quota, end))
    if policy.monthly_quota:
        first = day.date().replace(day=1)
        end = _midnight((first + timedelta(days=32)).replace(day=1), tz)
        windows.append(Window("month", f"month:{day:%Y-%m}", policy.monthly_quota, end))
    return windows


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=tz)


class QuotaGate:
    """Hands out the quota units of one domain from blocks reserved in the store."""

    def __init__(
        self,
        domain: str,
        policy: DomainPolicy,
        store: QuotaLedger,
        *,
        tz: ZoneInfo,
        now: Callable[[], datetime],
        block: int = 16,
    ) -> None:
        self.domain = domain
        self._policy = policy
        self._store = store
        self._tz = tz
        self._now = now
        self._windows = quota_windows(policy, now(), tz)
        tightest = min(w.limit for w in self._windows)
        self._max_block = max(1, min(_MAX_BLOCK, tightest // 10))
        self._min_block = max(1, min(block, self._max_block))
        self._block = self._min_block
        self._reserved_at: datetime | None = None
        self._left = 0
        self._rolls_at = min(w.ends_at for w in self._windows)
        self._lock = anyio.Lock()

    @property
    def limits(self) -> dict[str, int]:
        """The limit of each window, by window name."""
        return {w.name: w.limit for w in self._windows}

    async def take(self) -> None:
        """Take one unit for an attempt, or raise ``QuotaExhausted``."""
        if self._left <= 0 or self._now() >= self._rolls_at:
            async with self._lock:
                await self._refill()
                self._left -= 1
        else:
            self._left -= 1

    def give_back(self) -> None:
        """Return a unit taken for an attempt that was never sent."""
        self._left += 1

    async def close(self) -> None:
        """Return the unused units of the current block to the store."""
        async with self._lock:
            await self._release()

    async def used(self) -> dict[str, tuple[int, int]]:
        """Units used and the limit of each current window, by window name.

        The store's count, less the units this gate holds reserved but has not used.
        """
        held = {w.key: self._left for w in self._windows}
        windows = quota_windows(self._policy, self._now(), self._tz)
        return {
            w.name: (await self._store.quota_used(self.domain, w.key) - held.get(w.key, 0), w.limit)
            for w in windows
        }

    async def _refill(self) -> None:
        now = self._now()
        if now >= self._rolls_at:
            await self._release()
            self._windows = quota_windows(self._policy, now, self._tz)
            self._rolls_at = min(w.ends_at for w in self._windows)
        if self._left > 0:
            return
        self._adapt_block(now)
        windows = [w.to_store() for w in self._windows]
        while True:
            if await self._store.consume_quota(self.domain, windows, self._block, now=now):
                self._left = self._block
                self._reserved_at = now
                logger.debug(
                    "quota of %s: reserved a block of %d requests (%s)",
                    self.domain,
                    self._block,
                    ", ".join(f"{w.name} limit {w.limit}" for w in self._windows),
                )
                return
            if self._block == 1:
                exhausted = await self._exhausted()
                logger.debug("quota of %s: refused, %s", self.domain, exhausted)
                raise exhausted
            logger.debug(
                "quota of %s: a block of %d does not fit, trying %d",
                self.domain,
                self._block,
                self._block // 2,
            )
            self._block //= 2

    def _adapt_block(self, now: datetime) -> None:
        """Double the block if the last one went within a second; halve it if it lasted long."""
        if self._reserved_at is None:
            return
        lasted = now - self._reserved_at
        if lasted < _GROW_WITHIN:
            self._block = min(self._block * 2, self._max_block)
        elif lasted > _SHRINK_AFTER:
            self._block = max(self._block // 2, self._min_block)

    @property
    def block(self) -> int:
        """The size of the next block this gate will reserve."""
        return self._block

    async def _release(self) -> None:
        if self._left > 0:
            left, self._left = self._left, 0
            await self._store.release_quota(
                self.domain, [w.to_store() for w in self._windows], left
            )

    async def _exhausted(self) -> QuotaExhausted:
        full = [
            w for w in self._windows if await self._store.quota_used(self.domain, w.key) >= w.limit
        ] or self._windows
        window = max(full, key=lambda w: w.ends_at)
        return QuotaExhausted(self.domain, window.ends_at, window.name)
