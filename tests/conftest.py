"""Fixtures every test shares: a clean environment and a private working directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jobping.settings import CONFIG_ENV_VAR, Settings

#: Env vars that would change what Settings reads: every field's name, and the config path.
SETTINGS_ENV_VARS = frozenset(
    {name.upper() for name in Settings.model_fields} | {CONFIG_ENV_VAR, "TIKTOKEN_CACHE_DIR"}
)


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Run each test without the developer's JobPing env vars, in an empty directory.

    The empty working directory keeps a developer's ``.env``, ``jobping.toml`` and
    ``jobping.db`` out of the tests.
    """
    for name in list(os.environ):
        if name.upper() in SETTINGS_ENV_VARS or name.upper().startswith(
            tuple(f"{n}__" for n in SETTINGS_ENV_VARS)
        ):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio."""
    return "asyncio"
