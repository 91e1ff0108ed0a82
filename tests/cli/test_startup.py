"""The command line starts in a blink: `--help` and `--version` load none of the heavy SDKs."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.helpers import run_cli

HEAVY = ("openai", "tiktoken", "aiohttp", "psycopg", "supabase")
"""Packages a command may need, never the start-up (each costs tens to hundreds of ms)."""

_PROBE = """
import json, sys
from jobping.cli import main
try:
    main({argv!r})
except SystemExit as exc:
    code = exc.code
print(json.dumps({{"code": code, "modules": sorted(sys.modules)}}))
"""


def _loaded(argv: list[str]) -> tuple[int, set[str]]:
    """Run ``jobping argv`` in a fresh interpreter: its exit code and the modules it loaded."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.format(argv=argv)],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["code"], set(result["modules"])


def _top_level(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


@pytest.mark.parametrize("argv", [["--help"], ["run", "--help"], ["scrape", "--help"]])
def test_help_imports_no_heavy_package(argv: list[str]) -> None:
    """`jobping --help` (and a command's help) loads none of the heavy SDKs (``HEAVY``)."""
    code, modules = _loaded(argv)
    assert code == 0
    assert _top_level(modules) & set(HEAVY) == set()
    assert "jobping.services._run" not in modules  # the commands' machinery waits too


def test_version_loads_neither_typer_nor_pydantic() -> None:
    """`jobping --version` answers before typer, pydantic or rich load."""
    code, modules = _loaded(["--version"])
    assert code == 0
    assert _top_level(modules) & {"typer", "pydantic", "rich", *HEAVY} == set()


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
