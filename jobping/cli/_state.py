"""What the global options leave for the commands: the config path, verbosity, log format."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jobping.settings import Settings

__all__ = ["AppState"]

_LEVEL_BY_VERBOSITY = {1: "INFO", 2: "DEBUG"}


@dataclass
class AppState:
    """Global options, and the settings built from them once, on first use."""

    config_path: Path | None = None
    verbosity: int = 0
    log_format: str | None = None
    _settings: Settings | None = field(default=None, repr=False)

    def settings(self) -> Settings:
        """The settings, with logging configured from them (``ConfigError`` if invalid)."""
        if self._settings is None:
            from jobping.log import configure_logging  # noqa: PLC0415 (fast start-up)
            from jobping.settings import load_settings  # noqa: PLC0415 (pydantic: fast start-up)

            settings = load_settings(self.config_path)
            configure_logging(
                _LEVEL_BY_VERBOSITY.get(min(self.verbosity, 2), settings.log_level),
                self.log_format or settings.log_format,
                secrets=settings.secret_values(),
            )
            self._settings = settings
        return self._settings
