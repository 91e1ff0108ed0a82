"""Per-domain HTTP policy: ``DomainPolicy``, and each domain's policy resolved from the settings.

The settings hold ``http_defaults`` and ``http_domains`` as plain data (``jobping.settings``
imports nothing from here). :meth:`DomainPolicies.from_settings` validates them once, before
any request, naming every bad key in a ``ConfigError``; calling it with a domain gives the
defaults with the longest matching override applied.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from jobping.errors import ConfigError
from jobping.settings import Settings, validation_problems

__all__ = ["DomainPolicies", "DomainPolicy"]

_DOMAINS_KEY = "HTTP_DOMAINS (http_domains)"


class DomainPolicy(BaseModel):
    """How JobPing treats one domain: quota, pacing, breaker, retries, limits."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    daily_quota: int | None = Field(default=None, ge=1)
    """Requests a day (every attempt counts); None means no daily quota."""
    minute_quota: int | None = Field(default=None, ge=1)
    """Requests a minute, for sources that document one (Adzuna: 25)."""
    weekly_quota: int | None = Field(default=None, ge=1)
    """Requests a week (Adzuna: 1,000)."""
    monthly_quota: int | None = Field(default=None, ge=1)
    """Requests a calendar month (Adzuna: 2,500)."""
    min_interval_seconds: float = Field(default=0.0, ge=0)
    """Least time between the starts of two requests to the domain."""
    max_concurrency: int = Field(default=16, ge=1)
    """Requests in flight to the domain at once."""
    breaker_failure_threshold: int = Field(default=5, ge=1)
    """Consecutive failures (connect errors, timeouts, 5xx, blocks) that open the breaker."""
    breaker_cooldown_seconds: float = Field(default=60.0, gt=0)
    """How long the breaker stays open before one probe is let through."""
    breaker_max_cooldown_seconds: float = Field(default=3600.0, gt=0)
    """Cap of the cooldown, which doubles each time a probe fails."""
    retry_attempts: int = Field(default=4, ge=1)
    """Attempts per logical request, the first included."""
    retry_backoff_seconds: float = Field(default=0.5, ge=0)
    """Base of the exponential backoff (full jitter)."""
    retry_max_wait_seconds: float = Field(default=30.0, ge=0)
    """Cap of one wait; a ``Retry-After`` longer than this is not retried: the domain is held
    (rate-limited, persisted) until the time the site asked for."""
    rate_limit_after_429s: int = Field(default=3, ge=1)
    """429s without ``Retry-After`` in a row (quota-style) that hold the domain, rate-limited,
    for ``rate_limit_cooldown_seconds``."""
    rate_limit_cooldown_seconds: float = Field(default=3600.0, gt=0)
    """How long quota-style 429s hold the domain: no request to it meanwhile, across runs."""
    request_deadline_seconds: float = Field(default=120.0, gt=0)
    """Total time of one logical request, retries and waits included."""
    max_response_bytes: int = Field(default=50_000_000, ge=1024)
    """Size cap of one response body; the download is aborted past it."""


class DomainPolicies:
    """The policy of each domain: the defaults with the longest matching override applied.

    A domain matches an override for itself or for a parent domain; a port (``127.0.0.1:8080``,
    ``[::1]:8080``) is ignored when matching.
    """

    def __init__(
        self, defaults: DomainPolicy, overrides: Mapping[str, Mapping[str, Any]] | None = None
    ) -> None:
        """Raises ``ConfigError`` naming each override field that is unknown or invalid."""
        self.defaults = defaults
        self._overrides: dict[str, dict[str, Any]] = {}
        problems: list[str] = []
        for domain, override in (overrides or {}).items():
            try:
                policy = DomainPolicy.model_validate(override)
            except ValidationError as exc:
                for error in exc.errors():
                    field = ".".join(str(part) for part in error["loc"])
                    problems.append(f"{domain}.{field}: {error['msg']}")
                continue
            self._overrides[domain] = policy.model_dump(exclude_unset=True)
        if problems:
            raise ConfigError({_DOMAINS_KEY: "; ".join(problems)})

    @classmethod
    def from_settings(cls, settings: Settings) -> DomainPolicies:
        """The policies ``http_defaults`` and ``http_domains`` describe.

        Raises:
            ConfigError: naming each bad key (``HTTP_DEFAULTS__MAX_CONCURRENCY``, ...).
        """
        try:
            defaults = DomainPolicy.model_validate(settings.http_defaults)
        except ValidationError as exc:
            raise ConfigError(validation_problems(exc, under=("http_defaults",))) from None
        return cls(defaults, settings.http_domains)

    def __repr__(self) -> str:
        return f"<DomainPolicies overrides={sorted(self._overrides)}>"

    @property
    def domains(self) -> list[str]:
        """The domains with an override, sorted."""
        return sorted(self._overrides)

    def __call__(self, domain: str) -> DomainPolicy:
        """The policy of ``domain``."""
        host = _host_of(domain)
        matches = [d for d in self._overrides if host == d or host.endswith("." + d)]
        if not matches:
            return self.defaults
        return self.defaults.model_copy(update=self._overrides[max(matches, key=len)])


def _host_of(domain: str) -> str:
    """``domain`` without a port: ``[::1]:80`` -> ``::1``, ``host:80`` -> ``host``."""
    if domain.startswith("["):
        return domain[1:].partition("]")[0]
    return domain.partition(":")[0] if domain.count(":") == 1 else domain
