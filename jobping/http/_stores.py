"""The store roles the HTTP layer uses (a light module: no httpx, no aiohttp)."""

from __future__ import annotations

from typing import Protocol

from jobping.store import BreakerStore, QuotaLedger

__all__ = ["DomainStateStore"]


class DomainStateStore(QuotaLedger, BreakerStore, Protocol):
    """What per-domain policy keeps in the store: quota units and breaker states."""
