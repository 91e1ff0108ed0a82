"""Output rules: data to stdout, messages to stderr, JSON for machines, colour only on a TTY."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any, TextIO

from jobping._version import __version__

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["emit_json", "error", "stderr", "stdout", "version_line"]


def stdout() -> Console:
    """A console on the current stdout (honours NO_COLOR and non-TTY output)."""
    return _console(sys.stdout)


def stderr() -> Console:
    """A console on the current stderr, for messages and progress."""
    return _console(sys.stderr)


def _console(file: TextIO) -> Console:
    from rich.console import Console  # noqa: PLC0415 (rich loads when a command renders)

    return Console(file=file, highlight=False, soft_wrap=True)


def emit_json(data: Any) -> None:
    """Write ``data`` as indented JSON on stdout (datetimes and paths as strings)."""
    sys.stdout.write(json.dumps(data, indent=2, default=str, sort_keys=True) + "\n")


def error(message: str) -> None:
    """Write an error message on stderr, plainly so it stays readable in cron mail."""
    sys.stderr.write(f"jobping: error: {message}\n")


def version_line() -> str:
    """What ``jobping --version`` prints."""
    return f"jobping {__version__}\n"
