from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def _jobping(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m jobping ARGS`` as a real process with ``env`` added."""
    return subprocess.run(
        [sys.executable, "-m", "jobping", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=cwd,
        timeout=60,
        check=False,
    )


def test_scrapers_json_lists_every_builtin_with_readiness(tmp_path: Path) -> None:
    """`jobping scrapers --json` lists the 23 built-ins; keyed ones say which key is missing."""
    done = _jobping("scrapers", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = {row["name"]: row for row in json.loads(done.stdout)}
    assert len(rows) == 23
    assert all(rows[name]["ready"] for name in ("workday", "personio", "bamboohr", "breezy"))
    assert all(rows[name]["ready"] for name in ("rippling", "pinpoint"))
    assert rows["greenhouse"]["ready"] is True
    assert rows["greenhouse"]["tier"] == "primary"
    assert rows["greenhouse"]["domains"] == ["boards-api.greenhouse.io"]
    assert rows["reed"]["status"] == "not ready: REED_API_KEY is not set"


def test_scrapers_text_shows_configured_targets(tmp_path: Path) -> None:
    """The table shows the targets configured in jobping.toml."""
    (tmp_path / "jobping.toml").write_text('[scrapers.lever]\ntargets = ["netflix-test"]\n')
    done = _jobping("scrapers", cwd=tmp_path, COLUMNS="200")
    assert done.returncode == 0, done.stderr
    assert "netflix-test" in done.stdout


def test_a_section_for_an_uninstalled_scraper_is_a_config_error(tmp_path: Path) -> None:
    """A typo in [scrapers.NAME] stops with exit 2, naming the section and the installed names."""
    (tmp_path / "jobping.toml").write_text('[scrapers.greenhous]\ntargets = ["gitlab"]\n')
    done = _jobping("scrapers", cwd=tmp_path)
    assert done.returncode == 2
    assert "scrapers.greenhous" in done.stderr
    assert "greenhouse" in done.stderr
    assert done.stdout == ""
