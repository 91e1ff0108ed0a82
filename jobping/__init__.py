"""JobPing: job-board scrapers on a schedule, one clean table of live postings.

Scraper authors import from here, ``jobping.normalize`` and ``jobping.testing``.
"""

from jobping._version import __version__
from jobping.errors import (
    Blocked,
    CircuitOpen,
    ConfigError,
    JobPingError,
    MissingCredential,
    PayloadError,
    QuotaExhausted,
    ScrapeError,
    SkipError,
)
from jobping.models import Job, RunRecord, RunStatus, WorkEnvironment
from jobping.scraping import (
    Item,
    ItemError,
    JsonClient,
    ScrapeContext,
    Scraper,
    SkippedItem,
    Target,
    parse_xml,
)
from jobping.settings import Settings, load_settings

__all__ = [
    "Blocked",
    "CircuitOpen",
    "ConfigError",
    "Item",
    "ItemError",
    "Job",
    "JobPingError",
    "JsonClient",
    "MissingCredential",
    "PayloadError",
    "QuotaExhausted",
    "RunRecord",
    "RunStatus",
    "ScrapeContext",
    "ScrapeError",
    "Scraper",
    "Settings",
    "SkipError",
    "SkippedItem",
    "Target",
    "WorkEnvironment",
    "__version__",
    "load_settings",
    "parse_xml",
]
