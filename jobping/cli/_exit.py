"""The one table of exit codes: every error class maps to the code an alert can read."""

from __future__ import annotations

import enum
import os

from jobping.cli._console import error
from jobping.errors import (
    ConfigError,
    JobPingError,
    LeaseHeld,
    MissingCredential,
    StoreError,
    UnknownScraper,
)

__all__ = ["ExitCode", "exit_at_once", "exit_code_for"]


class ExitCode(enum.IntEnum):
    """Exit codes of every ``jobping`` command (documented in README)."""

    OK = 0
    """Success."""
    FAILED = 1
    """The command failed (a run below ``run_min_jobs`` after backfill, a scraper error)."""
    CONFIG = 2
    """Bad configuration or command line: nothing was attempted."""
    DEGRADED = 3
    """A run succeeded only with a fallback tier, or some scrapers failed."""
    LEASE_HELD = 4
    """Another run holds the run lease; this one did nothing."""
    STORE = 5
    """The store (database) could not be opened or used."""
    INTERRUPTED = 130
    """Stopped by SIGINT/SIGTERM."""


_BY_ERROR: tuple[tuple[type[JobPingError], ExitCode], ...] = (
    (ConfigError, ExitCode.CONFIG),
    (UnknownScraper, ExitCode.CONFIG),
    (MissingCredential, ExitCode.CONFIG),  # a command that needs a key it was not given
    (LeaseHeld, ExitCode.LEASE_HELD),
    (StoreError, ExitCode.STORE),
)


def exit_code_for(error: JobPingError) -> ExitCode:
    """The exit code for an error that ended a command (most specific class first)."""
    for error_class, code in _BY_ERROR:
        if isinstance(error, error_class):
            return code
    return ExitCode.FAILED


def exit_at_once() -> None:
    """After a second SIGINT/SIGTERM: say so and end the process now (``INTERRUPTED``).

    A run's lease is not released; it expires by itself after its TTL.
    """
    error("second signal: exiting at once (the lease expires by itself)")
    os._exit(ExitCode.INTERRUPTED)
