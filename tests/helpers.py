"""Helpers the test folders share: the CLI run in-process, a store open for a block."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from jobping.cli import main
from jobping.store import Store, open_store


def run_main(argv: list[str]) -> int:
    """Run ``jobping argv`` in-process; its exit code (it may run in a worker thread)."""
    with pytest.raises(SystemExit) as exited:
        main(argv)
    code = exited.value.code
    return code if isinstance(code, int) else 0


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run ``jobping argv`` in-process; return the exit code, stdout and stderr."""
    code = run_main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@asynccontextmanager
async def opened_store(url: str) -> AsyncIterator[Store]:
    """The store at ``url``, open for the block and closed after it."""
    store = await open_store(url)
    try:
        yield store
    finally:
        await store.close()
