"""The ``jobping`` command line: ``main()``, and the typer ``app`` behind it.

``main()`` is the one place that turns an error into an exit code (see ``_exit.py``). It
answers ``jobping --version``, and ``jobping --help`` on a terminal wide enough for the kept
text (``_help_text.py``), before typer loads; every other command line goes to the app, which
builds only the command it runs, whose machinery loads only when it runs.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from jobping._lazy import lazy_names
from jobping.cli._console import error, version_line
from jobping.cli._exit import ExitCode, exit_code_for
from jobping.cli._help_text import HELP, MIN_COLUMNS
from jobping.errors import JobPingError

if TYPE_CHECKING:
    from jobping.cli._app import app

__all__ = ["app", "main"]

__getattr__, __dir__ = lazy_names(__name__, {"app": "jobping.cli._app"})


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; a JobPing error becomes a message and its exit code (see README)."""
    args = sys.argv[1:] if argv is None else argv
    if args == ["--version"]:  # the installation probe answers without loading typer
        sys.stdout.write(version_line())
        sys.exit(ExitCode.OK)
    if args == ["--help"] and _terminal_columns() >= MIN_COLUMNS:  # the text typer would print
        sys.stdout.write(HELP)
        sys.exit(ExitCode.OK)
    from jobping.cli._app import app  # noqa: PLC0415 (typer loads past the probe)

    try:
        app(args=args, prog_name="jobping")
    except JobPingError as exc:
        error(str(exc))
        sys.exit(exit_code_for(exc))
    except KeyboardInterrupt:
        error("interrupted")
        sys.exit(ExitCode.INTERRUPTED)


def _terminal_columns() -> int:
    """The terminal's width as click's help formatter reads it."""
    import shutil  # noqa: PLC0415 (only `--help` needs it)

    return shutil.get_terminal_size().columns
