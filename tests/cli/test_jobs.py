"""``jobping jobs``: filters, formats, --output, --stats, on the real CLI (#10)."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio
import pytest

from jobping.models import WorkEnvironment
from jobping.services._jobs import COLUMNS
from tests.helpers import opened_store, run_cli
from tests.store import build_job


def seed(database: Path) -> datetime:
    """Five jobs: three today (one remote, one at Globex), two 40 days ago (one inactive)."""
    now = datetime.now(UTC)

    async def write() -> None:
        async with opened_store(f"sqlite:///{database}") as store:
            old = [build_job(1, location="Berlin"), build_job(2, source="lever")]
            await store.upsert_jobs(old, seen_at=now - timedelta(days=40))
            fresh = [
                build_job(3, work_environment=WorkEnvironment.REMOTE),
                build_job(4, company="Globex", title='Data, "Platform" Engineer'),
                build_job(5, categories=("data", "ml")),
            ]
            await store.upsert_jobs(fresh, seen_at=now)
            await store.deactivate_stale(source="lever", last_seen_before=now)

    anyio.run(write)
    return now


def hashes(rows: list[dict[str, object]]) -> list[str]:
    """The last digit of each row's hash."""
    return [str(row["job_hash"])[-1] for row in rows]


def test_jsonl_filters_and_newest_first(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each filter on the command line narrows the stream; every row has every column."""
    seed(database)

    def lines(*argv: str) -> list[dict[str, object]]:
        code, out, err = run_cli(["jobs", "--format", "jsonl", *argv], capsys)
        assert code == 0, err
        return [json.loads(line) for line in out.splitlines()]

    everything = lines()
    assert hashes(everything) == ["3", "4", "5", "1", "2"]
    assert all(tuple(row) == COLUMNS for row in everything)
    assert hashes(lines("--source", "lever")) == ["2"]
    assert hashes(lines("--inactive")) == ["2"]
    assert hashes(lines("--active", "--company", "acme")) == ["3", "5", "1"]
    assert hashes(lines("--remote")) == ["3"]
    assert hashes(lines("--since", "7d")) == ["3", "4", "5"]
    assert hashes(lines("--search", "berlin")) == ["1"]
    assert hashes(lines("--search", "globex", "--limit", "1")) == ["4"]
    assert hashes(lines("--limit", "2")) == ["3", "4"]


def test_json_csv_and_output_file(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--json is one array; csv quotes commas and joins lists; --output writes the file."""
    seed(database)

    code, out, _ = run_cli(["jobs", "--json"], capsys)
    assert code == 0
    assert hashes(json.loads(out)) == ["3", "4", "5", "1", "2"]

    target = tmp_path / "jobs.csv"
    code, out, err = run_cli(["jobs", "--format", "csv", "--output", str(target)], capsys)
    assert code == 0, err
    assert out == ""
    assert f"5 jobs written to {target}" in " ".join(err.split())
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [row["job_hash"][-1] for row in rows] == ["3", "4", "5", "1", "2"]
    assert rows[1]["title"] == 'Data, "Platform" Engineer'
    assert rows[2]["categories"] == "data;ml"

    code, out, _ = run_cli(["jobs", "--json", "--search", "nothing-like-this"], capsys)
    assert json.loads(out) == []


def test_table_never_cuts_times_or_urls(
    database: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """At 120 columns the table keeps each created_at whole on its line and every URL."""
    seed(database)
    monkeypatch.setenv("COLUMNS", "120")

    code, out, _ = run_cli(["jobs"], capsys)

    assert code == 0
    assert "…" not in out
    assert len(re.findall(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00", out)) == 5
    joined = "".join(part.strip() for line in out.splitlines() for part in line.split("│")[-2:-1])
    assert "https://jobs.example.com/5" in joined


def test_stats(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Counts per source and state, 30 days of new jobs (zeros included), coverage."""
    now = seed(database)

    code, out, err = run_cli(["jobs", "--stats", "--json"], capsys)

    assert code == 0, err
    stats = json.loads(out)
    assert (stats["total"], stats["active"], stats["inactive"]) == (5, 4, 1)
    assert stats["sources"] == {
        "greenhouse": {"active": 4, "inactive": 0, "total": 4},
        "lever": {"active": 0, "inactive": 1, "total": 1},
    }
    assert len(stats["new_per_day"]) == 30
    assert stats["new_per_day"][-1] == {"day": now.date().isoformat(), "new": 3}
    assert sum(day["new"] for day in stats["new_per_day"]) == 3  # the others are 40 days old
    assert stats["enrichment"] == {"enriched": 0, "active": 4, "coverage": 0.0}

    code, out, _ = run_cli(["jobs", "--stats"], capsys)
    assert code == 0
    assert "jobs per source" in out
    assert "enriched: 0 of 4 active jobs (0.0%)" in out


def test_jobs_on_a_missing_database_creates_nothing(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Like every read-only command: exit 2, no file."""
    code, _, err = run_cli(["jobs"], capsys)

    assert code == 2
    assert "jobping db migrate" in err
    assert not database.exists()


def test_a_bad_since_names_the_option(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--since yesterday-ish is refused with exit 2 naming the formats."""
    seed(database)
    code, _, err = run_cli(["jobs", "--since", "last week"], capsys)

    assert code == 2
    assert "7d" in err
