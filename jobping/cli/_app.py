"""The typer app: the global options and the commands, in the order of ``jobping --help``.

The commands register lazily: a command line imports and builds only the command it runs
(``jobping --help`` and completion build them all). Each command module imports only typer
and the standard library at its top; what a command does (``jobping.services``) and how it
shows it (``_views``, rich) load when it runs.
"""

from __future__ import annotations

import enum
import importlib
import sys
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Annotated, Any

import typer
from typer._click import Command  # typer's own click, which its API takes
from typer.core import TyperGroup
from typer.main import get_command, get_command_from_info, get_group_from_info
from typer.models import CommandInfo, TyperInfo

from jobping.cli._console import version_line
from jobping.cli._help_text import MIN_COLUMNS
from jobping.cli._state import AppState

__all__ = ["app", "render_help"]

# In the order of `jobping --help`: the scheduled job first, then debugging, then reports.
# Each command is the function of its name in `jobping.cli.<name>`; a group (`db`, `lease`)
# is that module's typer `app`.
_COMMANDS = (
    "run",
    "demo",
    "scrape",
    "scrapers",
    "discover",
    "sandbox",
    "status",
    "jobs",
    "budget",
    "enrich",
    "doctor",
    "worker",
)
_GROUPS = ("db", "lease")


class _LazyCommands(MutableMapping[str, Command]):
    """The app's commands by name, each imported and built (as typer would) on first look-up."""

    def __init__(self) -> None:
        self._built: dict[str, Command] = {}

    def __getitem__(self, name: str) -> Command:
        if name not in self._built:
            if name not in _COMMANDS and name not in _GROUPS:
                raise KeyError(name)
            self._built[name] = _build(name)
        return self._built[name]

    def __setitem__(self, name: str, command: Command) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._built[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    def _names(self) -> dict[str, None]:
        return dict.fromkeys([*_COMMANDS, *_GROUPS, *self._built])


def _build(name: str) -> Command:
    """The click command of ``name``, built with the app's settings like ``app.command()``."""
    module = importlib.import_module(f"jobping.cli.{name}")
    short, mode = app.pretty_exceptions_short, app.rich_markup_mode
    if name in _GROUPS:
        group = TyperInfo(module.app, name=name)
        return get_group_from_info(
            group,
            pretty_exceptions_short=short,
            suggest_commands=app.suggest_commands,
            rich_markup_mode=mode,
        )
    command = CommandInfo(name=name, callback=getattr(module, name))
    return get_command_from_info(command, pretty_exceptions_short=short, rich_markup_mode=mode)


class _LazyGroup(TyperGroup):
    """The top-level group, whose commands are a ``_LazyCommands``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.commands = _LazyCommands()


class LogFormat(enum.StrEnum):
    """The choices of ``--log-format``."""

    TEXT = "text"
    JSON = "json"


app = typer.Typer(
    cls=_LazyGroup,
    name="jobping",
    help="Run job-board scrapers on a schedule and keep a clean table of live postings.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _print_version(value: bool) -> None:
    if value:
        sys.stdout.write(version_line())
        raise typer.Exit


@app.callback()
def _global_options(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            envvar="JOBPING_CONFIG",
            show_envvar=True,
            help="TOML config file (default: ./jobping.toml if present). Env vars and .env win.",
        ),
    ] = None,
    verbose: Annotated[
        int,
        typer.Option("--verbose", "-v", count=True, help="More log output (-v info, -vv debug)."),
    ] = 0,
    log_format: Annotated[
        LogFormat | None,
        typer.Option("--log-format", help="Log lines as text or JSON (env LOG_FORMAT)."),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    """Run job-board scrapers on a schedule and keep a clean table of live postings."""
    ctx.obj = AppState(
        config_path=config, verbosity=verbose, log_format=log_format.value if log_format else None
    )


def render_help() -> str:
    """What typer prints for ``jobping --help`` on a terminal ``MIN_COLUMNS`` wide or wider.

    Click wraps help at ``min(columns, 80) - 2`` columns: from 80 columns on it never changes.
    """
    command = get_command(app)
    with typer.Context(command, info_name="jobping", terminal_width=MIN_COLUMNS - 2) as ctx:
        return command.get_help(ctx) + "\n"
