"""A backend whose package is not installed: one line naming what to install, exit 2 (#10)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BLOCKER = '''
import sys


class _Blocker:
    """Makes the packages named in JOBPING_TEST_BLOCK look not installed."""

    blocked = frozenset(__import__("os").environ["JOBPING_TEST_BLOCK"].split(","))

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in self.blocked:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, _Blocker())
'''

COMMANDS = [
    ["status"],
    ["budget"],
    ["db", "status"],
    ["db", "migrate"],
    ["run"],
    ["enrich"],
    ["scrape", "remotive", "--limit", "1"],
]
PASSWORD = "pw-SENTINEL-extra-71c3"  # noqa: S105 (must never be printed)


def run_blocked(
    argv: list[str], tmp_path: Path, *, block: str, url: str
) -> subprocess.CompletedProcess[str]:
    """``python -m jobping argv`` with the ``block`` packages made unimportable."""
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(BLOCKER)
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(site),
        JOBPING_TEST_BLOCK=block,
        DATABASE_URL=url,
        OPENAI_API_KEY="sk-test-not-used",
        SUPABASE_URL="http://127.0.0.1:9",
        SUPABASE_SERVICE_ROLE_KEY="service-role-not-used",
    )
    return subprocess.run(
        [sys.executable, "-m", "jobping", *argv],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
def test_issue_10_postgres_without_psycopg_names_the_extra(argv: list[str], tmp_path: Path) -> None:
    """Every command that opens the store: one error line naming jobping[postgres], exit 2."""
    url = f"postgresql://jobping:{PASSWORD}@127.0.0.1:1/none"
    done = run_blocked(argv, tmp_path, block="psycopg,psycopg_pool", url=url)

    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if " INFO jobping" not in line]
    assert len(lines) == 1, done.stderr  # the error, one line (besides "... started" logs)
    assert "pip install 'jobping[postgres]'" in lines[0]
    assert PASSWORD not in done.stdout + done.stderr


def test_issue_10_doctor_reports_the_missing_extra(tmp_path: Path) -> None:
    """doctor reports the store line naming jobping[postgres] and exits 2, no traceback."""
    url = f"postgresql://jobping:{PASSWORD}@127.0.0.1:1/none"
    done = run_blocked(["doctor", "--json"], tmp_path, block="psycopg,psycopg_pool", url=url)

    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    store = json.loads(done.stdout)["store"]
    assert store["ok"] is False
    assert "pip install 'jobping[postgres]'" in store["error"]
    assert PASSWORD not in done.stdout + done.stderr


@pytest.mark.parametrize("argv", [["status"], ["db", "status"], ["run"]], ids=" ".join)
def test_issue_10_supabase_without_its_client_names_the_package(
    argv: list[str], tmp_path: Path
) -> None:
    """DATABASE_URL=supabase with the supabase client missing: one line, exit 2."""
    done = run_blocked(argv, tmp_path, block="supabase,postgrest", url="supabase")

    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "pip install supabase" in lines[0]
