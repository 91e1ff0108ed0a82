"""Quota and LLM budget stay exact with four workers in two process groups (two in each).

Counted at the server side: the sandbox counts the requests each source received and the
tokens its OpenAI endpoint answered with.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from jobping.sandbox import Scale, serve_sandbox
from jobping.sandbox._server import PLACEHOLDER_KEY
from jobping.worker import enqueue_run, open_queue
from tests.helpers import opened_store
from tests.worker.cluster import cluster, finished_run, sandbox_env, until_done

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.anyio]

QUOTA = 5
TOKENS = 6_000


async def test_four_workers_never_pass_a_daily_quota_or_the_token_budget(queue_db: str) -> None:
    """Each source gets at most its daily quota; the ledger equals what the server answered."""
    async with serve_sandbox({}, scale=Scale(10, 20)) as sandbox:
        env = sandbox_env(
            sandbox,
            queue_db,
            HTTP_DEFAULTS=json.dumps({"retry_attempts": 1, "daily_quota": QUOTA}),
            RUN_MIN_JOBS="100000",  # every tier runs: every source is asked for more
            OPENAI_API_KEY=PLACEHOLDER_KEY,
            OPENAI_BASE_URL=sandbox.openai_base_url,
            OPENAI_DAILY_TOKEN_LIMIT=str(TOKENS),
        )
        async with cluster(env, "--concurrency", "4") as workers:
            for _ in range(2):
                await workers.start_group(2)
            async with open_queue(queue_db) as app:
                run_id = await enqueue_run(app)
            await until_done(queue_db, run_id, workers)
            assert await workers.stop() == [0, 0], workers.logs()
        requests, chat = dict(sandbox.requests), sandbox.chat

    assert max(requests.values()) == QUOTA, requests  # the quota bound, and was never passed
    today = datetime.now(UTC).date()
    async with opened_store(queue_db) as store:
        [usage] = await store.budget_usage_by_day(today, today)
        record = await finished_run(store, run_id)
    assert record.counts["enrichment"]["enriched"] == chat.requests > 0
    assert (usage.calls, usage.prompt_tokens + usage.completion_tokens) == (
        chat.requests,
        chat.tokens,
    )
    assert chat.tokens <= TOKENS
