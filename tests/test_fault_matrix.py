"""``scripts/fault_matrix.py --quick`` in CI: every fault of issue #12 ends as expected."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[1] / "scripts" / "fault_matrix.py"
EXPECTED = {
    "baseline JSON": "ok",
    "5xx": "HTTPStatusError",
    "429 Retry-After: 1": "HTTPStatusError",
    "429 Retry-After: HTTP date": "HTTPStatusError",
    "429 Retry-After: 3600": "HTTPStatusError",
    "connection refused": "TransportError",
    "connect timeout": "RequestTimeout",
    "read timeout (no answer)": "RequestTimeout",
    "slow drip past the deadline": "RequestTimeout",
    "reset before the response": "TransportError",
    "reset mid-body": "TransportError",
    "truncated JSON": "PayloadError",
    "HTML instead of JSON": "PayloadError",
    "block page (captcha)": "Blocked",
    "huge body, Content-Length": "ResponseTooLarge",
    "huge body, chunked": "ResponseTooLarge",
    "gzip bomb": "ResponseTooLarge",
    "redirect loop": "TransportError",
    "redirected GET, keep-alive": "ok",
    "JSON nested 200k deep": "PayloadError",
    "invalid UTF-8 byte": "ok",
    "key echoed at the preview cut": "PayloadError",
    "hostile target '..'": "ConfigError",
    "half-open, 10 concurrent": "ok",
}


@pytest.mark.slow
def test_the_quick_fault_matrix_meets_every_expected_outcome(tmp_path: Path) -> None:
    """Each fault's outcome, attempts, quota and breaker as #12 expects; the script exits 0."""
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH",)}
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env=env,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    rows = {row["fault"]: row for row in map(json.loads, done.stdout.splitlines())}
    assert {name: row["outcome"] for name, row in rows.items()} == EXPECTED
    for row in rows.values():
        assert row["passed"] is True
        assert row["wall_seconds"] >= 0 and row["peak_rss_mib"] > 0
        assert row["breaker"] in ("closed", "open", "half_open")
    assert (rows["baseline JSON"]["attempts"], rows["baseline JSON"]["quota"]) == (1, 1)
    assert rows["5xx"]["attempts"] == rows["5xx"]["received"] == 4
    assert rows["hostile target '..'"]["received"] == rows["hostile target '..'"]["quota"] == 0
    assert rows["redirected GET, keep-alive"]["received"] == 3  # the 302, its target, one more
    assert rows["invalid UTF-8 byte"]["note"] == "3 bytes replaced"
    assert rows["half-open, 10 concurrent"]["note"] == "1 of 10 let through"
    assert rows["gzip bomb"]["attempts"] == 1
