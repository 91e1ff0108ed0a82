"""The pooled HTTP client: per-domain quotas, throttles, circuit breakers, retries, stats."""

from typing import TYPE_CHECKING

from jobping._lazy import lazy_names

if TYPE_CHECKING:
    from jobping.http._breaker import BreakerState
    from jobping.http._client import ScrapeClient
    from jobping.http._conditional import Revalidated, Validators
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
    "Revalidated",
    "ScrapeClient",
    "Validators",
    "domain_status",
]

# Each name loads its module on first use: `jobping status` needs no aiohttp nor httpx.
__getattr__, __dir__ = lazy_names(
    __name__,
    {
        "BreakerState": "jobping.http._breaker",
        "ScrapeClient": "jobping.http._client",
        "Revalidated": "jobping.http._conditional",
        "Validators": "jobping.http._conditional",
        "RequestEvent": "jobping.http._events",
        "RequestHook": "jobping.http._events",
        "DomainPolicies": "jobping.http._policy",
        "DomainPolicy": "jobping.http._policy",
        "DomainStatus": "jobping.http._status",
        "QuotaUsage": "jobping.http._status",
        "domain_status": "jobping.http._status",
    },
)
