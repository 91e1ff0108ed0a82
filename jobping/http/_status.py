"""What ``jobping status`` shows: each known domain's breaker and quota, from the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from jobping.http._policy import DomainPolicies
from jobping.http._quota import quota_windows
from jobping.http._transport import DomainStateStore
from jobping.settings import Settings

__all__ = ["DomainStatus", "QuotaUsage", "domain_status"]


@dataclass(frozen=True, slots=True)
class QuotaUsage:
    """One quota window of a domain: used, limit, left, and when it resets."""

    window: str
    used: int
    limit: int
    resets_at: datetime

    @property
    def left(self) -> int:
        """Units left in the window."""
        return max(0, self.limit - self.used)


@dataclass(frozen=True, slots=True)
class DomainStatus:
    """A domain's breaker state (as of ``now``) and its quota windows."""

    domain: str
    breaker: str
    retry_at: datetime | None
    quotas: list[QuotaUsage] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return {
            "domain": self.domain,
            "breaker": self.breaker,
            "retry_at": self.retry_at.isoformat() if self.retry_at else None,
            "quotas": {
                q.window: {
                    "used": q.used,
                    "limit": q.limit,
                    "left": q.left,
                    "resets_at": q.resets_at.isoformat(),
                }
                for q in self.quotas
            },
        }


async def domain_status(
    store: DomainStateStore, settings: Settings, *, now: datetime | None = None
) -> list[DomainStatus]:
    """Every known domain (configured, with a saved breaker, or used today), sorted by name."""
    now = now or datetime.now(UTC)
    policies = DomainPolicies.from_settings(settings)
    tz = ZoneInfo(settings.quota_timezone)
    breakers = await store.load_breakers()
    today = await store.quota_usage(f"day:{now.astimezone(tz):%Y-%m-%d}")
    statuses = []
    for domain in sorted(set(policies.domains) | set(breakers) | set(today)):
        snapshot = breakers.get(domain)
        state, retry_at = (snapshot.state, snapshot.retry_at) if snapshot else ("closed", None)
        if state == "open" and (retry_at is None or retry_at <= now):
            state = "half_open"
        quotas = [
            QuotaUsage(w.name, await store.quota_used(domain, w.key), w.limit, w.ends_at)
            for w in quota_windows(policies(domain), now, tz)
        ]
        statuses.append(DomainStatus(domain, state, retry_at, quotas))
    return statuses
