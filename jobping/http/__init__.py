"""The pooled HTTP client: per-domain quotas, throttles, circuit breakers, retries, stats."""

from jobping.http._breaker import BreakerState
from jobping.http._client import ScrapeClient
from jobping.http._events import RequestEvent, RequestHook
from jobping.http._policy import DomainPolicies, DomainPolicy
from jobping.http._status import DomainStatus, QuotaUsage, domain_status

__all__ = [
    "BreakerState",
    "DomainPolicies",
    "DomainPolicy",
    "DomainStatus",
    "QuotaUsage",
    "RequestEvent",
    "RequestHook",
    "ScrapeClient",
    "domain_status",
]
