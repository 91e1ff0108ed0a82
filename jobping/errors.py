"""The one exception tree of JobPing.

Every error a public call raises is one of these; foreign errors (httpx, sqlite3, psycopg,
openai) are translated at one edge with ``raise ... from exc``. The class says the policy:
the orchestrator reports the *skip* family as skipped, not failed. Messages never hold a
secret: URLs are redacted before they reach an error.

::

    JobPingError
    ├── ConfigError                 bad configuration; names the key (exit code 2)
    │   ├── NoDatabase              a read-only command found no database to read
    │   └── MissingExtra            the backend DATABASE_URL names needs an extra not installed
    ├── StoreError                  the database failed or is unusable
    │   ├── MigrationError          a schema migration failed or the schema is newer than the code
    │   └── LeaseHeld               another run holds the run lease
    ├── SkipError                   the work was not attempted, by policy
    │   ├── QuotaExhausted          a domain's request quota is spent until ``reset_at``
    │   ├── CircuitOpen             a domain's breaker is open until ``retry_at``
    │   ├── RateLimited             a domain asked us to stay away until ``until`` (kept, persisted)
    │   ├── MissingCredential       a scraper's API key is not set
    │   └── BudgetExhausted         the LLM budget has no room for a call until ``reset_at``
    ├── ScrapeError                 one target of one scraper failed
    │   ├── TransportError          no usable response: connect error, reset, timeout
    │   │   └── RequestTimeout      a timeout or the request's total deadline passed
    │   ├── TooManyRedirects        the redirects did not end within the limit (a loop): not retried
    │   ├── HTTPStatusError         an unexpected status (carries ``status``)
    │   │   └── Blocked             a WAF / bot-challenge / block page (403, 429, 503, captcha)
    │   ├── ResponseTooLarge        the body passed the size cap (aborted while streaming)
    │   └── PayloadError            the body is not the expected JSON or shape
    ├── EnrichmentError             one job's LLM enrichment failed (the job stays in the backlog)
    │   └── EnrichmentUnavailable   the provider refuses every call (no credit, bad key): stop
    └── UnknownScraper              no scraper of that name is installed
"""

from __future__ import annotations

from datetime import datetime

__all__ = [
    "Blocked",
    "BudgetExhausted",
    "CircuitOpen",
    "ConfigError",
    "EnrichmentError",
    "EnrichmentUnavailable",
    "HTTPStatusError",
    "JobPingError",
    "LeaseHeld",
    "MigrationError",
    "MissingCredential",
    "MissingExtra",
    "NoDatabase",
    "PayloadError",
    "QuotaExhausted",
    "RateLimited",
    "RequestTimeout",
    "ResponseTooLarge",
    "ScrapeError",
    "SkipError",
    "StoreError",
    "TooManyRedirects",
    "TransportError",
    "UnknownScraper",
]


class JobPingError(Exception):
    """Base of every error JobPing raises on purpose."""


class ConfigError(JobPingError):
    """The configuration is invalid; ``problems`` maps each bad key to what is wrong."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = dict(problems)
        lines = [f"{key}: {problem}" for key, problem in self.problems.items()]
        super().__init__("invalid configuration:\n  " + "\n  ".join(lines))


class NoDatabase(ConfigError):
    """A command that only reads found no database at ``location``; it creates none."""

    def __init__(self, location: str) -> None:
        self.location = location
        self.problems = {"DATABASE_URL": f"no database at {location}"}
        JobPingError.__init__(
            self,
            f"no database exists at {location} (DATABASE_URL); create it with"
            " `jobping db migrate` or a first `jobping run`",
        )


class MissingExtra(ConfigError):
    """The backend ``DATABASE_URL`` names needs a package that is not installed.

    ``install`` is what to give ``pip install`` (``'jobping[postgres]'``).
    """

    def __init__(self, backend: str, install: str) -> None:
        self.install = install
        self.problems = {"DATABASE_URL": f"{backend} needs {install} installed"}
        JobPingError.__init__(
            self,
            f"DATABASE_URL names {backend}, whose package is not installed: pip install {install}",
        )


class StoreError(JobPingError):
    """The store (database) failed or cannot be used."""


class MigrationError(StoreError):
    """A schema migration failed, or the database's schema is newer than this code."""


class LeaseHeld(StoreError):
    """Another run holds the run lease until ``expires_at``."""

    def __init__(self, name: str, holder: str, expires_at: datetime) -> None:
        self.name = name
        self.holder = holder
        self.expires_at = expires_at
        super().__init__(
            f"another run ({holder}) holds the {name!r} lease until {expires_at.isoformat()}"
        )


class SkipError(JobPingError):
    """The work was not attempted because a policy said so; reported as skipped."""


class QuotaExhausted(SkipError):
    """The daily (or other window's) request quota of ``domain`` is spent until ``reset_at``."""

    def __init__(self, domain: str, reset_at: datetime, window: str = "day") -> None:
        self.domain = domain
        self.reset_at = reset_at
        self.window = window
        super().__init__(f"{domain}: {window} request quota exhausted until {reset_at.isoformat()}")


class CircuitOpen(SkipError):
    """The circuit breaker of ``domain`` is open; no request is made until ``retry_at``."""

    def __init__(self, domain: str, retry_at: datetime | None) -> None:
        self.domain = domain
        self.retry_at = retry_at
        until = f" until {retry_at.isoformat()}" if retry_at else ""
        super().__init__(f"{domain}: circuit open{until}")


class RateLimited(SkipError):
    """``domain`` asked us to send nothing until ``until``; ``reason`` says how it asked.

    ``status`` is that of the answer that asked (429, 503), when this call received it; a
    call refused because the domain was already held has none.
    """

    def __init__(
        self, domain: str, until: datetime, reason: str, *, status: int | None = None
    ) -> None:
        self.domain = domain
        self.until = until
        self.reason = reason
        self.status = status
        super().__init__(f"{domain}: rate-limited until {until.isoformat()} ({reason})")


class MissingCredential(SkipError):
    """A setting a scraper needs (an API key) is not set."""

    def __init__(self, setting: str) -> None:
        self.setting = setting
        super().__init__(f"{setting} is not set")


class BudgetExhausted(SkipError):
    """No model of the chain fits the LLM budget's ``window`` (day or month) until ``reset_at``."""

    def __init__(self, window: str, reset_at: datetime) -> None:
        self.window = window
        self.reset_at = reset_at
        super().__init__(f"LLM {window} budget exhausted until {reset_at.isoformat()}")


class ScrapeError(JobPingError):
    """One target of one scraper failed; ``url`` is already redacted."""

    def __init__(self, message: str, *, url: str | None = None) -> None:
        self.url = url
        super().__init__(f"{message} ({url})" if url else message)


class TransportError(ScrapeError):
    """No usable response: the connection failed, was reset, or timed out."""


class RequestTimeout(TransportError):
    """A timeout (connect, read, write, pool) or the request's total deadline passed."""


class TooManyRedirects(ScrapeError):
    """The redirects from ``url`` did not end within ``limit`` (a loop); not worth a retry.

    ``url`` and ``last_url`` (where the next redirect pointed) are already redacted.
    """

    def __init__(self, limit: int, *, url: str, last_url: str) -> None:
        self.limit = limit
        self.last_url = last_url
        super().__init__(f"too many redirects ({limit}) from {url} → {last_url}")
        self.url = url


class HTTPStatusError(ScrapeError):
    """The server answered with an unexpected status."""

    def __init__(self, message: str, *, url: str | None = None, status: int) -> None:
        self.status = status
        super().__init__(message, url=url)


class Blocked(HTTPStatusError):
    """A block page: a WAF or bot challenge answered instead of the API."""


class ResponseTooLarge(ScrapeError):
    """The response body passed the size cap; the download was aborted."""


class PayloadError(ScrapeError):
    """The body is not the JSON (or the shape) the scraper expects."""


class EnrichmentError(JobPingError):
    """The LLM enrichment of one job failed: an invalid answer, or an API error after retries.

    The failure is that job's, not the run's: the job stays unenriched. The message is
    already redacted; ``model`` is the model called, if any.
    """

    def __init__(self, message: str, *, model: str | None = None) -> None:
        self.model = model
        super().__init__(f"{model}: {message}" if model else message)


class EnrichmentUnavailable(EnrichmentError):
    """The provider refuses every call (no credit left, a rejected key): stop enriching."""


class UnknownScraper(JobPingError):
    """No scraper of that name is installed; ``known`` lists the installed names."""

    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        self.known = sorted(known)
        super().__init__(f"unknown scraper {name!r}; installed: {', '.join(self.known) or 'none'}")
