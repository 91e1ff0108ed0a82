"""Read-only commands on a SQLite file that does not exist: they say so, create nothing (#10)."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest

from jobping.errors import NoDatabase
from jobping.store import open_store
from tests.helpers import run_cli

READ_ONLY = [["status"], ["status", "--json"], ["budget"], ["doctor"], ["db", "status"]]


@pytest.mark.parametrize("argv", READ_ONLY, ids=" ".join)
def test_issue_10_read_only_commands_never_create_a_database(
    argv: list[str], database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 2 naming the missing file and how to make one; no file, no WAL, no journal."""
    code, out, err = run_cli(argv, capsys)

    assert code == 2, out + err
    message = " ".join((out + err).split())
    assert str(database) in message
    assert "jobping db migrate" in message
    assert "jobping run" in message
    assert "Traceback" not in err
    assert list(database.parent.iterdir()) == []


def test_open_store_without_create_raises_no_database_and_makes_no_file(tmp_path: Path) -> None:
    """``open_store(create=False)`` on a missing SQLite path raises NoDatabase (a ConfigError)."""
    path = tmp_path / "absent.db"

    async def open_it() -> None:
        await open_store(f"sqlite:///{path}", create=False)

    with pytest.raises(NoDatabase, match="jobping db migrate"):
        anyio.run(open_it)
    assert not path.exists()


def test_read_only_commands_work_once_the_database_exists(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """After ``jobping db migrate`` the same commands read the store and exit 0."""
    assert run_cli(["db", "migrate"], capsys)[0] == 0
    for argv in [["status"], ["budget"], ["doctor"], ["db", "status"]]:
        code, out, err = run_cli(argv, capsys)
        assert code == 0, (argv, out, err)
