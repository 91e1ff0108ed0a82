"""Per-domain and total request statistics, gathered by a hook from the request events."""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

from jobping.http._events import NOT_SENT, RequestEvent

__all__ = ["DomainStats", "StatsHook"]

_LATENCY_SAMPLES = 2048
OTHER = "(other)"
"""The bucket of the domains seen after ``StatsHook``'s ``max_domains``."""


@dataclass(slots=True)
class DomainStats:
    """Counters of one domain (or of all of them)."""

    requests: int = 0
    """Attempts that reached the network; each one counted against the quota."""
    retries: int = 0
    """Attempts followed by another attempt of the same logical request."""
    not_modified: int = 0
    """Conditional requests answered 304 Not Modified (a success without a body)."""
    failures: Counter[str] = field(default_factory=Counter)
    """Attempts by failed outcome (``timeout``, ``http_status``, ``circuit_open``, ...)."""
    breaker_transitions: Counter[str] = field(default_factory=Counter)
    """Breaker transitions, as ``closed->open``."""
    bytes: int = 0
    """Response body bytes (decoded)."""
    quota_used: dict[str, int] | None = None
    """Units used per quota window (store's view), when the client filled it in."""
    quota_left: dict[str, int] | None = None
    """Units left per quota window (store's view), when the client filled it in."""
    connections_opened: int | None = None
    """TCP connections the pool opened, where the transport can count them."""
    latencies: deque[float] = field(default_factory=lambda: deque(maxlen=_LATENCY_SAMPLES))
    """The latest attempt latencies, in seconds."""

    def add(self, event: RequestEvent) -> None:
        """Account for one event."""
        self.count(event.outcome, event.bytes, event.elapsed_seconds, event.retry_in)

    def count(self, outcome: str, size: int, elapsed: float, retry_in: float | None) -> None:
        """Account for one attempt, told field by field (no event built)."""
        if outcome not in NOT_SENT:
            self.requests += 1
            self.bytes += size
            self.latencies.append(elapsed)
        if retry_in is not None:
            self.retries += 1
        if outcome == "not_modified":
            self.not_modified += 1
        elif outcome != "ok":
            self.failures[outcome] += 1

    def percentile(self, fraction: float) -> float | None:
        """The latency below which ``fraction`` of the sampled attempts finished."""
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    def to_dict(self) -> dict[str, Any]:
        """Plain data for reports and ``--json``."""
        return {
            "requests": self.requests,
            "retries": self.retries,
            "not_modified": self.not_modified,
            "failures": dict(self.failures),
            "breaker_transitions": dict(self.breaker_transitions),
            "bytes": self.bytes,
            "quota_used": self.quota_used,
            "quota_left": self.quota_left,
            "connections_opened": self.connections_opened,
            "latency_seconds": {
                name: self.percentile(q) for name, q in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))
            },
        }


class StatsHook:
    """A ``RequestHook`` keeping ``DomainStats`` per domain (at most ``max_domains``) and total."""

    def __init__(self, max_domains: int = 1024) -> None:
        self.total = DomainStats()
        self.domains: dict[str, DomainStats] = {}
        self._max_domains = max_domains

    def __call__(self, event: RequestEvent, /) -> None:
        """Account for one event."""
        self.count(event.domain, event.outcome, event.bytes, event.elapsed_seconds, event.retry_in)

    def count(
        self, domain: str, outcome: str, size: int, elapsed: float, retry_in: float | None
    ) -> None:
        """Account for one attempt of ``domain`` without an event (the client's hot path)."""
        self.total.count(outcome, size, elapsed, retry_in)
        self.for_domain(domain).count(outcome, size, elapsed, retry_in)

    def transition(self, domain: str, old: str, new: str) -> None:
        """Count one breaker transition of ``domain``."""
        name = f"{old}->{new}"
        self.total.breaker_transitions[name] += 1
        self.for_domain(domain).breaker_transitions[name] += 1

    def for_domain(self, domain: str) -> DomainStats:
        """The stats of ``domain`` (or of the overflow bucket once ``max_domains`` are known)."""
        stats = self.domains.get(domain)
        if stats is None:
            if len(self.domains) >= self._max_domains:
                domain = OTHER
            stats = self.domains.setdefault(domain, DomainStats())
        return stats

    def to_dict(self) -> dict[str, Any]:
        """Total and per-domain stats as plain data."""
        return {
            "total": self.total.to_dict(),
            "domains": {name: s.to_dict() for name, s in sorted(self.domains.items())},
        }

    def __repr__(self) -> str:
        return f"<StatsHook domains={len(self.domains)} requests={self.total.requests}>"
