"""The bounded registry of per-domain state (policy, quota gate, breaker, throttle).

An LRU with a maximum size: a run touching a million distinct domains keeps at most
``max_size`` of them in memory. An evicted state is handed back through ``drain_evicted()``
so its owner can return its reserved quota; requests still in flight keep their reference.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from jobping.http._breaker import CircuitBreaker
from jobping.http._policy import DomainPolicy
from jobping.http._quota import QuotaGate
from jobping.http._throttle import Throttle

__all__ = ["DomainRegistry", "DomainState", "domain_of"]


def domain_of(url: httpx.URL) -> str:
    """The key of a URL's per-domain state: its host, with the port when it is not the default.

    Two services on one host (the sandbox's sources on 127.0.0.1) get separate breakers,
    throttles and quotas; ``DomainPolicies`` ignores the port when it matches overrides.
    """
    host, port = url.host, url.port
    if port is None:
        return host
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@dataclass(slots=True, eq=False)
class DomainState:
    """Everything the client keeps about one domain."""

    domain: str
    policy: DomainPolicy
    breaker: CircuitBreaker
    throttle: Throttle
    quota: QuotaGate | None


class DomainRegistry:
    """Per-domain state, created on first use, least recently used evicted past ``max_size``."""

    def __init__(self, factory: Callable[[str], DomainState], max_size: int = 1024) -> None:
        if max_size < 1:
            raise ValueError(f"max_size must be at least 1, not {max_size}")
        self._factory = factory
        self._max_size = max_size
        self._states: OrderedDict[str, DomainState] = OrderedDict()
        self._evicted: list[DomainState] = []

    def get(self, domain: str) -> DomainState:
        """The state of ``domain``, created if unknown; marks it most recently used."""
        state = self._states.get(domain)
        if state is not None:
            self._states.move_to_end(domain)
            return state
        state = self._states[domain] = self._factory(domain)
        if len(self._states) > self._max_size:
            self._evicted.append(self._states.popitem(last=False)[1])
        return state

    def peek(self, domain: str) -> DomainState | None:
        """The state of ``domain`` if it is in memory, without touching its recency."""
        return self._states.get(domain)

    def drain_evicted(self) -> list[DomainState]:
        """The states evicted since the last call (their quota is still reserved)."""
        evicted, self._evicted = self._evicted, []
        return evicted

    def states(self) -> list[DomainState]:
        """Every state in memory, least recently used first."""
        return list(self._states.values())

    def __len__(self) -> int:
        return len(self._states)

    def __repr__(self) -> str:
        return f"<DomainRegistry {len(self._states)}/{self._max_size} domains>"
