"""One ``Settings`` object, built once by the CLI and passed down.

Precedence, highest first: environment variables, the ``.env`` file, ``jobping.toml`` (path
from ``--config`` or ``JOBPING_CONFIG``), then the defaults below. Each field's env var is its
name in upper case (``DATABASE_URL``); nested values use ``__`` (``HTTP_DEFAULTS__DAILY_QUOTA``).
Invalid values raise ``ConfigError`` naming every bad key before any work starts.

The attribute docstrings document the fields for readers only: pydantic is not asked to
copy them into field descriptions (``use_attribute_docstrings`` reads and parses this file's
source at import, a cost every command would pay for text nothing reads).
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from jobping._database_urls import KNOWN_DATABASE_URLS, is_known_database_url
from jobping._version import __version__
from jobping.errors import ConfigError

__all__ = ["ScheduleConfig", "ScraperConfig", "Settings", "load_settings", "validation_problems"]

CONFIG_ENV_VAR = "JOBPING_CONFIG"


class ScraperConfig(BaseModel):
    """Per-scraper settings: its targets, its tier, and a base-URL override (for a sandbox)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True
    """Whether ``jobping run`` runs this scraper."""
    tier: Literal["primary", "individual"] = "individual"
    """Tier 1 (primary, run together) or tier 2 (individual, run one by one on fallback)."""
    targets: list[str] = Field(default_factory=list)
    """Company board tokens, search queries or countries, as the scraper understands them."""
    base_url: str | None = None
    """Replace the scraper's API base URL (a sandbox or a proxy)."""


class ScheduleConfig(BaseModel):
    """What ``jobping worker``s start by themselves, as cron expressions (None: never).

    Five fields (minute hour day month weekday), or six with seconds last. Exactly one
    worker starts each occurrence, however many run.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    run: str | None = None
    """When to start a run (``0 * * * *``: every hour)."""
    enrich: str | None = None
    """When to enrich the backlog left by earlier runs (budget permitting)."""
    enrich_limit: int = Field(default=200, ge=1)
    """Most backlog jobs one scheduled enrichment takes."""
    cleanup: str | None = None
    """When to delete finished tasks and the task records of finished runs."""
    cleanup_after_days: int = Field(default=7, ge=1)
    """Finished tasks and runs older than this many days are deleted by the cleanup."""


class Settings(BaseSettings):
    """Every setting of JobPing; the env var of a field is its name in upper case."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_nested_delimiter="__",
        extra="ignore",
        validate_default=True,
    )

    # store ----------------------------------------------------------------------------
    database_url: str = "sqlite:///jobping.db"
    """``sqlite:///path``, ``postgresql://...``, or ``supabase`` (with SUPABASE_URL and key)."""
    supabase_url: str | None = None
    """Project URL, for DATABASE_URL=supabase."""
    supabase_service_role_key: SecretStr | None = None
    """Service-role key, for DATABASE_URL=supabase. A secret: never logged."""
    pg_pool_min_size: int = Field(default=1, ge=0)
    """PostgreSQL: connections the pool keeps open."""
    pg_pool_max_size: int = Field(default=10, ge=1)
    """PostgreSQL: most connections the pool opens (at least PG_POOL_MIN_SIZE)."""
    pg_connect_timeout_seconds: float = Field(default=10.0, gt=0)
    """PostgreSQL: time to open a connection."""
    pg_statement_timeout_seconds: float = Field(default=30.0, ge=0)
    """PostgreSQL: a statement running longer is cancelled (0: no limit). Supabase: the time
    a request may take (whole seconds)."""
    pg_idle_in_transaction_timeout_seconds: float = Field(default=60.0, ge=0)
    """PostgreSQL: a session idle this long inside a transaction is ended (0: no limit)."""

    # logging --------------------------------------------------------------------------
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    """Log level of JobPing's own loggers."""
    log_format: Literal["text", "json"] = "text"
    """Log lines as text or as one JSON object each."""

    # run ------------------------------------------------------------------------------
    run_min_jobs: int = Field(default=50, ge=0)
    """Fewer jobs seen (valid, deduplicated: new, updated or unchanged) than this after a
    tier starts the next tier."""
    run_target_jobs: int = Field(default=100, ge=1)
    """Tier 2 stops early once the run has this many jobs."""
    run_backfill_days: int = Field(default=7, ge=1)
    """Tier 3 backfills active jobs posted within this many days."""
    run_backfill_limit: int = Field(default=500, ge=0)
    """Most jobs tier 3 takes from the store."""
    run_stale_after_days: float = Field(default=3, gt=0)
    """Jobs of a source that succeeded, unseen this long, become inactive."""
    run_batch_size: int = Field(default=200, ge=1)
    """Jobs per upsert batch; a crash loses at most one batch."""
    run_concurrency: int = Field(default=8, ge=1)
    """Scraper targets worked on at once."""
    run_scraper_timeout_seconds: float = Field(default=600.0, gt=0)
    """Time one scraper may take before it is cancelled and reported as failed."""
    run_lease_ttl_seconds: float = Field(default=300.0, ge=5)
    """A crashed run's lease is taken over after this long."""
    run_parse_workers: int | Literal["auto"] = "auto"
    """Processes that parse pages while the run fetches: 0 or 1 parse in the run's own
    process; ``auto`` uses every usable core when the run has enough targets."""
    schedule: ScheduleConfig = ScheduleConfig()
    """Runs, enrichment and cleanup started by ``jobping worker`` (``[schedule]`` in TOML)."""

    # jobs: the most a field may hold when a job enters the store ------------------------
    job_max_title_chars: int = Field(default=500, ge=50)
    """A longer title is cut (and the cut counted in the run report)."""
    job_max_company_chars: int = Field(default=300, ge=50)
    """A longer company name is cut."""
    job_max_location_chars: int = Field(default=500, ge=50)
    """A longer location is cut."""
    job_max_description_chars: int = Field(default=100_000, ge=1000)
    """A longer description is cut."""
    job_max_url_chars: int = Field(default=2048, ge=200)
    """A job whose URL is longer is refused as invalid (a cut URL would be a wrong link)."""

    # http -----------------------------------------------------------------------------
    http_transport: Literal["aiohttp", "httpx"] = "aiohttp"
    """``aiohttp`` (httpx over aiohttp's pool, fast) or ``httpx`` (httpx's own pool)."""
    http_max_connections: int = Field(default=100, ge=1)
    """Connections in the shared pool; the keep-alive pool is as large."""
    http_http2: bool = False
    """Use HTTP/2 where the server offers it (httpx transport only)."""
    http_connect_timeout_seconds: float = Field(default=10.0, gt=0)
    """Time to open a connection."""
    http_read_timeout_seconds: float = Field(default=30.0, gt=0)
    """Time between two chunks of a response."""
    http_user_agent: str = f"JobPing/{__version__} (job-board aggregator)"
    """The User-Agent header sent with every request."""
    http_conditional_requests: bool = True
    """``jobping run``: revalidate each one-request target (ETag, Last-Modified, body hash)."""
    http_defaults: dict[str, Any] = Field(default_factory=dict)
    """The policy of every domain without an override: fields of ``jobping.http.DomainPolicy``."""
    http_domains: dict[str, dict[str, Any]] = Field(default_factory=dict)
    """Per-domain overrides of ``http_defaults`` (a domain matches its subdomains too)."""
    quota_timezone: str = "UTC"
    """Timezone in which quota days, weeks and months start."""

    # scrapers -------------------------------------------------------------------------
    scrapers: dict[str, ScraperConfig] = Field(default_factory=dict)
    """Per-scraper targets, tiers and base URLs, by scraper name."""
    adzuna_app_id: SecretStr | None = None
    """Adzuna application id (sent in the query string, so treated as a secret)."""
    adzuna_app_key: SecretStr | None = None
    """Adzuna application key."""
    reed_api_key: SecretStr | None = None
    """Reed API key (HTTP Basic user name)."""
    jsearch_api_key: SecretStr | None = None
    """RapidAPI key for JSearch (X-RapidAPI-Key header)."""
    themuse_api_key: SecretStr | None = None
    """The Muse API key (optional: raises its rate limit)."""

    # llm budget -----------------------------------------------------------------------
    openai_api_key: SecretStr | None = None
    """OpenAI (or compatible) API key; enrichment is skipped without it."""
    openai_base_url: str | None = None
    """Base URL of an OpenAI-compatible server; None means OpenAI's own."""
    openai_models: list[str] = Field(
        default_factory=lambda: ["gpt-5.4-mini", "gpt-5.4-nano"], min_length=1
    )
    """The model chain, strongest first; fallback walks down it as the budget runs low."""
    openai_prices: dict[str, dict[str, float | str | date]] = Field(default_factory=dict)
    """Price overrides or new models: USD per 1M tokens (input, cached_input, output), retires."""
    openai_max_output_tokens: int = Field(default=600, ge=16)
    """``max_completion_tokens`` of each enrichment call."""
    openai_description_token_cap: int = Field(default=1500, ge=16)
    """A job description is cut to this many tokens before it is sent."""
    openai_timeout_seconds: float = Field(default=60.0, gt=0)
    """Time one API attempt may take."""
    openai_retry_attempts: int = Field(default=3, ge=1)
    """Attempts per call on rate limits, timeouts and connection errors, the first included."""
    openai_concurrency: int = Field(default=4, ge=1)
    """Enrichment calls in flight at once."""
    openai_claim_ttl_seconds: float = Field(default=1800.0, gt=0)
    """How long a process's claim on the jobs it enriches holds (a crashed one's is taken over)."""
    enrich_batch: bool = False
    """``jobping run`` sends the backlog through the Batch API (half price, answered in 24 h)."""
    openai_daily_token_limit: int = Field(default=100_000, ge=0)
    """Tokens a day, prompt and completion."""
    openai_monthly_token_limit: int = Field(default=3_000_000, ge=0)
    """Tokens a calendar month."""
    openai_daily_cost_limit: float = Field(default=10.0, ge=0)
    """US dollars a day."""
    openai_monthly_cost_limit: float = Field(default=300.0, ge=0)
    """US dollars a calendar month."""
    openai_enable_fallback: bool = True
    """Fall back to cheaper models of the chain when the budget runs low."""
    openai_budget_thresholds: list[float] = Field(default_factory=lambda: [0.80, 0.95])
    """Shares of a limit at which a warning is logged and fallback moves down the chain."""
    budget_timezone: str = "UTC"
    """Timezone in which budget days and months start."""

    @field_validator("quota_timezone", "budget_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r} (use an IANA name like UTC)") from exc
        return value

    @field_validator("openai_budget_thresholds")
    @classmethod
    def _shares(cls, value: list[float]) -> list[float]:
        if not value or any(not 0 < share <= 1 for share in value) or value != sorted(value):
            raise ValueError("must be increasing shares in (0, 1], like [0.8, 0.95]")
        return value

    @field_validator("run_parse_workers", mode="before")
    @classmethod
    def _workers(cls, value: object) -> int | str:
        text = str(value).strip().lower()
        if text == "auto" or (text.isdigit() and not isinstance(value, bool)):
            return text if text == "auto" else int(text)
        raise ValueError(f"must be 'auto' or a whole number of processes >= 0, not {value!r}")

    @field_validator("database_url")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if is_known_database_url(value):
            return value
        raise ValueError(f"must be {KNOWN_DATABASE_URLS}")

    @field_validator("pg_pool_max_size")
    @classmethod
    def _pool_holds_its_minimum(cls, value: int, info: ValidationInfo) -> int:
        minimum = info.data.get("pg_pool_min_size")
        if minimum is not None and value < minimum:
            raise ValueError(f"must be at least PG_POOL_MIN_SIZE ({minimum})")
        return value

    @field_validator("http_defaults", mode="before")
    @classmethod
    def _plain_policy(cls, value: object) -> object:
        """A ``DomainPolicy`` given in code is kept as the fields it sets."""
        return value.model_dump(exclude_unset=True) if isinstance(value, BaseModel) else value

    def secret_values(self) -> list[str]:
        """The values of every secret that is set, for log and error redaction."""
        return [
            value.get_secret_value()
            for name in type(self).model_fields
            if isinstance(value := getattr(self, name), SecretStr) and value.get_secret_value()
        ]

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Env beats ``.env``, which beats ``jobping.toml``, which beats the defaults."""
        return (
            init_settings,
            env_settings,
            dotenv_settings,
            TomlConfigSettingsSource(settings_cls),
        )


def load_settings(
    config_path: Path | None = None, *, env_file: Path | None = Path(".env"), **overrides: Any
) -> Settings:
    """Build the settings, or raise ``ConfigError`` naming every bad key.

    ``config_path`` (else ``JOBPING_CONFIG``) names a TOML file; without either,
    ``./jobping.toml`` is read if it exists.
    """
    path = config_path or (Path(p) if (p := os.environ.get(CONFIG_ENV_VAR)) else None)
    if path is not None and not path.is_file():
        raise ConfigError({"config": f"config file {path} does not exist"})
    toml_file = path or Path("jobping.toml")

    class _Configured(Settings):
        model_config = SettingsConfigDict(toml_file=toml_file, env_file=env_file)

    try:
        _check_toml_keys(toml_file)
        return _Configured(**overrides)
    except ValidationError as exc:
        raise ConfigError(validation_problems(exc)) from None
    except (ValueError, OSError) as exc:  # a TOML syntax error, an unreadable file
        raise ConfigError(_source_problem(exc, toml_file, env_file)) from None


def _check_toml_keys(toml_file: Path) -> None:
    """Refuse top-level keys of the TOML file that name no setting, suggesting the closest."""
    if not toml_file.is_file():
        return
    with toml_file.open("rb") as file:
        keys = tomllib.load(file).keys()
    fields = list(Settings.model_fields)
    problems = {}
    for key in sorted(set(keys) - set(fields)):
        close = difflib.get_close_matches(key, fields, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        problems[f"{toml_file}: {key}"] = f"unknown setting{hint}"
    if problems:
        raise ConfigError(problems)


_SOURCE_ERROR = re.compile(r'error parsing value for field "(\w+)" from source "(\w+)"')


def _source_problem(exc: Exception, toml_file: Path, env_file: Path | None) -> dict[str, str]:
    """Name where a value that could not be parsed came from: the variable, ``.env`` or TOML.

    pydantic-settings reports a nested value that is not JSON as a plain error naming the
    field and its source; the value itself is never echoed (it may hold a secret).
    """
    found = _SOURCE_ERROR.search(str(exc))
    if found is None:
        return {"config": f"{toml_file}: {exc}"}
    field, source = found.groups()
    where = {
        "EnvSettingsSource": "environment variable",
        "DotEnvSettingsSource": str(env_file),
    }.get(source, str(toml_file))
    return {f"{field.upper()} ({where})": "not valid JSON (a JSON object or list is expected)"}


def validation_problems(exc: ValidationError, *, under: tuple[str, ...] = ()) -> dict[str, str]:
    """Map each validation error to 'ENV_VAR (toml.key)' and a message without the value.

    ``under`` is the key of the setting a model was validated from (``("http_defaults",)``).
    """
    problems: dict[str, str] = {}
    for error in exc.errors():
        loc = [*under, *(str(part) for part in error["loc"])]
        env_name = "__".join(loc).upper()
        key = f"{env_name} ({'.'.join(loc)})"
        problems[key] = error["msg"]
    return problems
