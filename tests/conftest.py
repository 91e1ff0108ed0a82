"""Fixtures every test shares: a clean environment and a private working directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jobping.settings import CONFIG_ENV_VAR, Settings

#: Env vars that would change what Settings reads: every field's name, and the config path.
SETTINGS_ENV_VARS = frozenset({name.upper() for name in Settings.model_fields} | {CONFIG_ENV_VAR})
#: tiktoken's cache variables: token counting seeds (and exports) JobPing's own cache dir.
TIKTOKEN_ENV_VARS = ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR")


@pytest.fixture(autouse=True)
def clean_environ(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Run each test without the developer's JobPing env vars, in an empty directory.

    The empty working directory keeps a developer's ``.env``, ``jobping.toml`` and
    ``jobping.db`` out of the tests; tiktoken's cache goes to a shared temp XDG_CACHE_HOME.
    Each tiktoken variable is set before it is deleted, so monkeypatch removes it again
    after the test even when seeding exported it.
    """
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))
    for name in TIKTOKEN_ENV_VARS:
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
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
