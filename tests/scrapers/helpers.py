"""Helpers of the scraper tests: recorded payloads, the fields checked, spoiled pages."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from jobping import Job, JsonClient, PayloadError, ScrapeContext, Scraper, Target
from jobping.testing import replay

FIXTURES = Path(__file__).parents[1] / "fixtures"
HTML_PAGE = b"<!DOCTYPE html><html><head><title>502</title></head><body>Bad Gateway</body></html>"


def raw(source: str, name: str) -> bytes:
    """The bytes of a recorded payload in ``tests/fixtures/<source>/``."""
    return (FIXTURES / source / name).read_bytes()


def payload(source: str, name: str) -> Any:
    """A recorded payload, decoded (a UTF-8 BOM is skipped)."""
    return json.loads(raw(source, name).decode("utf-8-sig"))


def fields(job: Job) -> dict[str, Any]:
    """The fields of a job the tests check exactly."""
    return {
        "source_id": job.source_id,
        "title": job.title,
        "company": job.company,
        "location": job.location,
        "city": job.city,
        "country": job.country,
        "job_url": job.job_url,
        "posted_at": job.posted_at.isoformat() if job.posted_at else None,
        "work_environment": job.work_environment.value,
        "salary": (job.salary_min, job.salary_max, job.salary_currency, job.salary_period),
    }


def spoil(items: list[Any], *, drop: str, wrong: str, value: Any = 42) -> list[Any]:
    """Item 0 loses ``drop``, item 1's ``wrong`` becomes ``value``, a string is inserted third."""
    spoiled = copy.deepcopy(items)
    del spoiled[0][drop]
    spoiled[1][wrong] = value
    spoiled.insert(2, "not an object")
    return spoiled


async def assert_bad_pages_fail(scraper: Scraper, path: str, target: str, wrong: bytes) -> None:
    """An HTML page, an empty body, a JSON string and ``wrong`` each raise ``PayloadError``."""
    cases = {
        HTML_PAGE: "expected JSON, got HTML",
        b"": "empty body",
        b'"maintenance"': "unexpected page",
        wrong: "unexpected page",
    }
    for body, message in cases.items():
        with pytest.raises(PayloadError, match=message):
            await replay(scraper, {path: body}, target)


class RecordingClient:
    """A fake ``JsonClient``: answers every request with ``answer`` and records each call.

    ``get_text`` answers it as text (JSON unless it is a string).
    """

    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.calls: list[tuple[str, dict[str, str | int], dict[str, str]]] = []

    async def get_json(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Record the call and return the answer."""
        self.calls.append((url, dict(params or {}), dict(headers or {})))
        return self.answer

    async def post_json(
        self,
        url: str,
        *,
        json: Any,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Record the call (not its body) and return the answer."""
        return await self.get_json(url, params=params, headers=headers)

    async def get_text(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> str:
        """Record the call and return the answer as text."""
        self.calls.append((url, dict(params or {}), dict(headers or {})))
        return self.answer if isinstance(self.answer, str) else json.dumps(self.answer)


async def scrape_with(
    scraper: Scraper, client: JsonClient, target: str, **secrets: str
) -> list[Job]:
    """Run ``scraper`` on ``target`` over ``client`` with ``secrets``; return its jobs."""
    ctx = ScrapeContext(
        scraper=scraper.name, client=client, base_url=scraper.base_url, secrets=secrets
    )
    return [job async for job in scraper.scrape(ctx, Target(target))]
