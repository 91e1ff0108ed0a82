"""``jobping demo``: enrichment through the sandbox's OpenAI endpoint, and the budget at work."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from jobping.sandbox._server import PLACEHOLDER_KEY
from jobping.services._demo import DEMO_DAILY_COST_LIMIT_USD
from tests.helpers import run_cli

MINI, NANO = "gpt-5.4-mini", "gpt-5.4-nano"


def test_the_demo_enriches_without_a_key_and_falls_down_the_chain(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No OPENAI_API_KEY: yesterday's jobs on mini; today's on mini, then nano, then a backlog."""
    assert "OPENAI_API_KEY" not in os.environ
    code, out, err = run_cli(["demo", "--json", "--db", str(tmp_path / "demo.db")], capsys)

    assert code == 0, err
    demo = json.loads(out)
    yesterday, today = demo["yesterday"]["enrichment"], demo["today"]["enrichment"]
    assert (yesterday["enriched"], yesterday["by_model"], yesterday["skipped"]) == (
        80,
        {MINI: 80},
        0,
    )
    assert today["by_model"][MINI] > 0 and today["by_model"][NANO] > 0
    assert today["failed"] == 0
    assert today["skipped"] > 0
    totals = demo["today"]["totals"]
    assert today["enriched"] + today["skipped"] == totals["new"] + totals["updated"]
    budget = demo["budget"]
    day = budget["today"]
    assert day["tokens"]["used"] > 0
    assert 0.8 * DEMO_DAILY_COST_LIMIT_USD < day["cost_usd"]["used"] <= DEMO_DAILY_COST_LIMIT_USD
    assert day["cost_usd"]["limit"] == DEMO_DAILY_COST_LIMIT_USD
    calls = {row["model"]: row["calls"] for row in day["by_model"]}
    assert calls == today["by_model"]
    assert all(row["prompt_tokens"] > row["completion_tokens"] > 0 for row in day["by_model"])
    assert budget["backlog"] == today["skipped"]
    assert PLACEHOLDER_KEY not in out + err


def test_the_demo_text_ends_with_todays_budget(capsys: pytest.CaptureFixture[str]) -> None:
    """The text report says what enrichment did and sums up today's budget per model."""
    code, out, err = run_cli(["demo"], capsys)

    assert code == 0, err
    lines = out.splitlines()
    enrichment = next(line for line in lines if line.startswith("enrichment: "))
    assert f"by {MINI}" in enrichment
    assert f"by {NANO}" in enrichment
    assert "left for a later run (budget)" in enrichment
    budget = lines.index(next(line for line in lines if line.startswith("LLM budget today")))
    assert f"of ${DEMO_DAILY_COST_LIMIT_USD:.2f}" in lines[budget]
    assert lines[budget + 1].startswith(f"  {MINI}: ")
    assert lines[budget + 2].startswith(f"  {NANO}: ")
    assert "limit used (past 80% and 95%)" in out
    assert "jobs wait for enrichment" in lines[-1]
    assert PLACEHOLDER_KEY not in out + err
