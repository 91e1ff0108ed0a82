"""The OpenAI key never appears in a log line, an error, a report or the database."""

from __future__ import annotations

import json
import traceback
from pathlib import Path

import anyio
import pytest

from jobping.errors import EnrichmentError
from jobping.services import gather_budget
from jobping.store import Store
from jobping.testing import FakeClock
from tests.budget import NOW, captured_logs
from tests.enrich.conftest import SECRET, MakeEnricher, MakeSettings, build_jobs
from tests.enrich.server import FakeOpenAI

pytestmark = pytest.mark.anyio


async def test_the_api_key_leaks_nowhere(
    *,
    make_enricher: MakeEnricher,
    make_settings: MakeSettings,
    openai_server: FakeOpenAI,
    store: Store,
    clock: FakeClock,
    tmp_path: Path,
) -> None:
    """Answers, retries, invalid answers and a 401 quoting the key: no trace of it anywhere."""
    await store.upsert_jobs(build_jobs(6), seen_at=NOW)
    openai_server.fail_next(["rate_limit", "server_error", "invalid", "timeout"])
    with captured_logs("jobping", "openai", "httpx2") as logs:
        async with make_enricher(openai_concurrency=1, openai_timeout_seconds=0.3) as enricher:
            batch = await enricher.enrich_backlog(limit=4)
            openai_server.always = "unauthorized"
            stopped = await enricher.enrich_backlog(limit=10)
            with pytest.raises(EnrichmentError) as caught:
                await enricher.enrich(build_jobs(1)[0])
        report = await gather_budget(make_settings(), clock=clock)

    assert batch.enriched >= 2
    assert stopped.stopped is not None
    assert "Incorrect API key provided: [REDACTED]" in str(caught.value)
    await store.close()
    texts = {
        "logs": "\n".join(logs),
        "error": "".join(traceback.format_exception(caught.value)) + repr(caught.value),
        "reports": json.dumps([batch.to_dict(), stopped.to_dict(), report]),
        "reprs": repr(enricher) + repr(make_settings()),
    }
    for where, text in texts.items():
        assert SECRET not in text, where
    assert "invalid answer" in texts["logs"]
    async for path in anyio.Path(tmp_path).glob("enrich.db*"):
        assert SECRET.encode() not in await path.read_bytes(), path.name
