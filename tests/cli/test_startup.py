"""The command line starts in a blink: `--help` and `--version` load none of the heavy SDKs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel

from jobping.cli._app import render_help
from jobping.cli._help_text import HELP, MIN_COLUMNS
from jobping.http import DomainPolicy
from jobping.settings import ScheduleConfig, ScraperConfig, Settings
from tests.helpers import run_cli

HEAVY = ("openai", "tiktoken", "aiohttp", "psycopg", "supabase", "procrastinate")
"""Packages a command may need, never the start-up (each costs tens to hundreds of ms)."""

COMMAND_MODULES = {
    f"jobping.cli.{name}"
    for name in (
        *("run", "demo", "scrape", "scrapers", "discover", "sandbox", "status", "jobs"),
        *("budget", "enrich", "doctor", "worker", "db", "lease"),
    )
}
"""The module of each command (``jobping.cli._app`` imports one when its command runs)."""

_PROBE = """
import json, sys
from jobping.cli import main
try:
    main({argv!r})
except SystemExit as exc:
    code = exc.code
print(json.dumps({{"code": code, "modules": sorted(sys.modules)}}))
"""


def _run_probe(argv: list[str], columns: int = MIN_COLUMNS) -> tuple[int, set[str], str]:
    """Run ``jobping argv`` in a fresh interpreter on a terminal ``columns`` wide.

    Returns its exit code, the modules it loaded and what it printed.
    """
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.format(argv=argv)],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ | {"COLUMNS": str(columns)},
    )
    printed, _, last = done.stdout.rstrip("\n").rpartition("\n")
    result = json.loads(last)
    return result["code"], set(result["modules"]), printed + "\n" if printed else ""


def _loaded(argv: list[str]) -> tuple[int, set[str]]:
    """Run ``jobping argv`` in a fresh interpreter: its exit code and the modules it loaded."""
    code, modules, _ = _run_probe(argv)
    return code, modules


def _top_level(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


@pytest.mark.parametrize("argv", [["--help"], ["run", "--help"], ["scrape", "--help"]])
def test_help_imports_no_heavy_package(argv: list[str]) -> None:
    """`jobping --help` (and a command's help) loads none of the heavy SDKs (``HEAVY``)."""
    code, modules = _loaded(argv)
    assert code == 0
    assert _top_level(modules) & set(HEAVY) == set()
    assert "jobping.services._run" not in modules  # the commands' machinery waits too


@pytest.mark.parametrize("argv", [["--version"], ["--help"]])
def test_version_and_help_load_neither_typer_nor_pydantic(argv: list[str]) -> None:
    """`jobping --version` and `jobping --help` answer before typer, pydantic or rich load."""
    code, modules = _loaded(argv)
    assert code == 0
    assert _top_level(modules) & {"typer", "pydantic", "rich", *HEAVY} == set()


def test_kept_help_is_what_typer_prints() -> None:
    """The kept `--help` text is the app's own: a changed command or option fails here."""
    assert render_help() == HELP, "the help changed: run `python scripts/cli_help.py`"


@pytest.mark.parametrize("columns", [MIN_COLUMNS, 200])
def test_quick_help_on_a_wide_terminal(columns: int) -> None:
    """From 80 columns on, `jobping --help` prints the kept text (typer's, as pinned above)."""
    code, modules, printed = _run_probe(["--help"], columns)
    assert (code, printed) == (0, HELP)
    assert "typer" not in _top_level(modules)


def test_help_on_a_narrow_terminal_goes_through_typer() -> None:
    """Below 80 columns typer renders the help, wrapped to the terminal as before."""
    code, modules, printed = _run_probe(["--help"], 60)
    assert code == 0
    assert "typer" in _top_level(modules)
    assert printed != HELP
    assert printed.startswith("Usage: jobping [OPTIONS] COMMAND [ARGS]...")
    assert max(len(line) for line in printed.splitlines()) <= 58
    assert {"status", "db", "lease"} <= {line.split()[0] for line in printed.splitlines()[-14:]}


@pytest.mark.parametrize(
    ("argv", "module"),
    [(["status", "--help"], "jobping.cli.status"), (["db", "status", "--help"], "jobping.cli.db")],
)
def test_a_command_line_imports_only_its_command(argv: list[str], module: str) -> None:
    """The app imports and builds only the command it runs, not all fourteen."""
    code, modules = _loaded(argv)
    assert code == 0
    assert modules & COMMAND_MODULES == {module}


def test_import_jobping_is_cheap() -> None:
    """`import jobping` loads no SDK and no pydantic; a public name loads its module on use."""
    probe = (
        "import json, sys, jobping\n"
        "before = sorted(sys.modules)\n"
        "jobping.Job\n"
        "print(json.dumps([before, 'jobping.models' in sys.modules]))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    before, loaded_on_use = json.loads(done.stdout)
    assert _top_level(set(before)) & {"pydantic", "httpx", "anyio", *HEAVY} == set()
    assert "jobping.models" not in before
    assert loaded_on_use


def test_the_quick_version_agrees_with_the_option(capsys: pytest.CaptureFixture[str]) -> None:
    """`jobping --version` (answered before typer) prints what the typer option prints."""
    quick = run_cli(["--version"], capsys)
    through_typer = run_cli(["-v", "--version"], capsys)
    assert quick == through_typer
    assert quick[0] == 0
    assert quick[1].startswith("jobping ")


def test_status_loads_no_http_stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`jobping status` reads the store: no client, SDK, queue, other command or rich (#13).

    httpx and aiohttp (the client), the SDKs and procrastinate never load; `--json` prints
    no table, so rich does not load either.
    """
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'status.db'}")
    assert _loaded(["db", "migrate"])[0] == 0
    code, modules = _loaded(["status", "--json"])

    assert code == 0
    assert _top_level(modules) & {"httpx", "rich", *HEAVY} == set()
    assert modules & COMMAND_MODULES == {"jobping.cli.status"}


def test_settings_models_parse_no_source_for_descriptions() -> None:
    """No field copies its attribute docstring into a description (#13 start-up).

    ``use_attribute_docstrings`` makes pydantic read and parse the module's source when the
    class is built, at every start of every command that loads the settings (15-30 ms each
    for ``Settings`` and ``DomainPolicy``); nothing reads the descriptions.
    """
    models: list[type[BaseModel]] = [Settings, ScheduleConfig, ScraperConfig, DomainPolicy]
    described = [
        f"{model.__name__}.{name}"
        for model in models
        for name, info in model.model_fields.items()
        if info.description is not None
    ]
    assert described == []
