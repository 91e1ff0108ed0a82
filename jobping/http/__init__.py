"""The pooled HTTP client: per-domain quotas, throttles, circuit breakers, retries, stats."""

from jobping.http._breaker import BreakerState, CircuitBreaker
from jobping.http._client import DEFAULT_USER_AGENT, ScrapeClient
from jobping.http._events import RequestEvent, RequestHook
from jobping.http._policy import DomainPolicy
from jobping.http._stats import DomainStats, StatsHook
from jobping.http._status import DomainStatus, QuotaUsage, domain_status

__all__ = [
    "DEFAULT_USER_AGENT",
    "BreakerState",
    "CircuitBreaker",
    "DomainPolicy",
    "DomainStats",
    "DomainStatus",
    "QuotaUsage",
    "RequestEvent",
    "RequestHook",
    "ScrapeClient",
    "StatsHook",
    "domain_status",
]
