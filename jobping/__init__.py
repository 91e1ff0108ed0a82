"""JobPing: job-board scrapers on a schedule, one clean table of live postings.

Scraper authors import from here, ``jobping.normalize`` and ``jobping.testing``. The names
load their module on first use, so ``import jobping`` (and the command line's start-up)
does not pay for pydantic, the settings or the scraping machinery until they are needed.
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
    from jobping.models import Job, RunRecord, RunStatus, WorkEnvironment
    from jobping.scraping import (
        Item,
        ItemError,
        JsonClient,
        ScrapeContext,
        Scraper,
        SkippedItem,
        Target,
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
]

__getattr__, __dir__ = lazy_names(
    __name__,
    {
        **dict.fromkeys(
            (
                "Blocked",
                "CircuitOpen",
                "ConfigError",
                "JobPingError",
                "MissingCredential",
                "PayloadError",
                "QuotaExhausted",
                "ScrapeError",
                "SkipError",
            ),
            "jobping.errors",
        ),
        **dict.fromkeys(("Job", "RunRecord", "RunStatus", "WorkEnvironment"), "jobping.models"),
        **dict.fromkeys(
            (
                "Item",
                "ItemError",
                "JsonClient",
                "ScrapeContext",
                "Scraper",
                "SkippedItem",
                "Target",
            ),
            "jobping.scraping",
        ),
        **dict.fromkeys(("Settings", "load_settings"), "jobping.settings"),
    },
)
