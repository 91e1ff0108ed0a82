"""The doctor's report: the resolved settings (secrets masked), the store, the missing keys."""

from __future__ import annotations

from typing import Any

from jobping.errors import ConfigError, JobPingError, NoDatabase
from jobping.redact import redact_url
from jobping.services._store import settings_store
from jobping.settings import Settings

__all__ = ["OPTIONAL_KEYS", "diagnose"]

OPTIONAL_KEYS = {
    "openai_api_key": "LLM enrichment",
    "adzuna_app_id": "the adzuna scraper",
    "adzuna_app_key": "the adzuna scraper",
    "reed_api_key": "the reed scraper",
    "jsearch_api_key": "the jsearch scraper",
    "themuse_api_key": "a higher rate limit for the themuse scraper",
}
"""Optional keys, and what is off without them."""


async def diagnose(settings: Settings) -> dict[str, Any]:
    """Gather the doctor report: never raises for a store problem, reports it instead.

    A SQLite file that does not exist is reported (``store.exists`` false), never created;
    ``store.config`` is true when the store failed for a configuration reason (no database,
    a backend's package not installed).
    """
    values = settings.model_dump(mode="json")
    values["database_url"] = redact_url(settings.database_url)
    store: dict[str, Any] = {"url": values["database_url"], "ok": False}
    try:
        async with settings_store(settings, create=False) as opened:
            store.update(
                ok=True, backend=opened.description, schema_version=await opened.schema_version()
            )
    except NoDatabase as exc:
        store.update(exists=False, config=True, error=str(exc))
    except ConfigError as exc:
        store.update(config=True, error=str(exc))
    except JobPingError as exc:
        store["error"] = str(exc)
    missing = {
        name.upper(): purpose
        for name, purpose in OPTIONAL_KEYS.items()
        if getattr(settings, name) is None
    }
    return {"settings": values, "store": store, "missing_keys": missing}
