"""JobPing: job-board scrapers on a schedule, one clean table of live postings.

Scraper authors import from here, ``jobping.normalize`` and ``jobping.testing``.
"""

from typing import TYPE_CHECKING

from jobping._lazy import lazy_names
from jobping._version import __version__

if TYPE_CHECKING:
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
    from jobping.models import EmploymentType, Job, RunRecord, RunStatus, WorkEnvironment
    from jobping.scraping import (
        Item,
        ItemError,
        JsonClient,
        ScrapeContext,
        Scraper,
        SkippedItem,
        Target,
        TargetShape,
        parse_xml,
    )
    from jobping.settings import Settings, load_settings

__all__ = [
    "Blocked",
    "CircuitOpen",
    "ConfigError",
    "EmploymentType",
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
    "TargetShape",
    "WorkEnvironment",
    "__version__",
    "load_settings",
    "parse_xml",
]

# Each name loads its module on first use: `import jobping` and `jobping --help` stay fast.
__getattr__, __dir__ = lazy_names(
    __name__,
    {
        "Blocked": "jobping.errors",
        "CircuitOpen": "jobping.errors",
        "ConfigError": "jobping.errors",
        "JobPingError": "jobping.errors",
        "MissingCredential": "jobping.errors",
        "PayloadError": "jobping.errors",
        "QuotaExhausted": "jobping.errors",
        "ScrapeError": "jobping.errors",
        "SkipError": "jobping.errors",
        "EmploymentType": "jobping.models",
        "Job": "jobping.models",
        "RunRecord": "jobping.models",
        "RunStatus": "jobping.models",
        "WorkEnvironment": "jobping.models",
        "Item": "jobping.scraping",
        "ItemError": "jobping.scraping",
        "JsonClient": "jobping.scraping",
        "ScrapeContext": "jobping.scraping",
        "Scraper": "jobping.scraping",
        "SkippedItem": "jobping.scraping",
        "Target": "jobping.scraping",
        "TargetShape": "jobping.scraping",
        "parse_xml": "jobping.scraping",
        "Settings": "jobping.settings",
        "load_settings": "jobping.settings",
    },
)
