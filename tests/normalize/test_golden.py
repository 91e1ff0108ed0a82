"""Normalization gives, byte for byte, what it gave before the rewrite of #16 (golden.json)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.normalize.golden import (
    GOLDEN,
    recorded_payloads,
    replayed_jobs,
    strings,
    text_digests,
)

PAYLOADS = recorded_payloads()
EXPECTED: dict[str, Any] = json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_golden_covers_every_recorded_payload() -> None:
    """Every recorded payload has golden texts, and every HTML-heavy one golden jobs."""
    assert sorted(EXPECTED["texts"]) == sorted(PAYLOADS)
    heavy = {"ashby", "greenhouse", "lever", "workable"}
    assert {name.split("/", maxsplit=1)[0] for name in EXPECTED["jobs"]} == heavy
    assert sum(len(jobs) for jobs in EXPECTED["jobs"].values()) >= 30


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_texts_are_unchanged(name: str) -> None:
    """html_to_text, clean_text and clean_title of every string give the golden bytes."""
    digests = text_digests(PAYLOADS[name])
    assert len(digests) == len(EXPECTED["texts"][name])
    pairs = zip(strings(PAYLOADS[name]), digests, EXPECTED["texts"][name], strict=True)
    assert [text for text, got, want in pairs if got != want] == []


@pytest.mark.anyio
@pytest.mark.parametrize("name", sorted(EXPECTED["jobs"]))
async def test_replayed_jobs_are_unchanged(name: str) -> None:
    """The scraper's jobs over the payload are the golden ones, every field."""
    jobs = await replayed_jobs(name, PAYLOADS[name])
    assert json.loads(json.dumps(jobs)) == EXPECTED["jobs"][name]
