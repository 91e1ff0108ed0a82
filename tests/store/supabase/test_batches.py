"""Supabase REST backend: enrichment batches (#11) are rpc() calls of the SQL functions.

The functions themselves run for real on PostgreSQL in ``tests/enrich/test_batch.py``
(the psycopg backend calls the same functions with the same arguments).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import respx

from jobping.store import BatchLine, EnrichmentBatch
from jobping.store.supabase import SupabaseStore
from tests.store import NOW
from tests.store.supabase.test_rest import body

pytestmark = pytest.mark.anyio

LINE = BatchLine("hash-000001", "res-1", 120, 100, 720, 1_500)
BATCH = EnrichmentBatch(
    "batch_1", "gpt-5.4-mini", "file-1", "enricher-1", 600, NOW, NOW + timedelta(hours=25), (LINE,)
)


async def test_batches_are_saved_listed_taken_and_finished_by_rpc(
    supabase: SupabaseStore, api: respx.MockRouter
) -> None:
    """Each batch method is one rpc with JSON arguments; the listed rows decode to batches."""
    save = api.post("/rpc/jobping_save_batch").respond(204)
    row: dict[str, Any] = {
        "batch_id": "batch_1",
        "model": "gpt-5.4-mini",
        "input_file_id": "file-1",
        "holder": "enricher-1",
        "max_output_tokens": 600,
        "state": "submitted",
        "micro_usd": 0,
        "submitted_at": "2026-11-23T10:30:00+01:00",
        "expires_at": "2026-11-24T10:30:00+00:00",
        "collected_at": None,
        "lines": [
            {
                "batch_id": "batch_1",
                "job_hash": "hash-000001",
                "reservation_id": "res-1",
                "prompt_tokens": 120,
                "estimated_prompt_tokens": 100,
                "tokens": 720,
                "micro_usd": 1_500,
            }
        ],
    }
    listed = api.post("/rpc/jobping_enrichment_batches").respond(200, json=[row])
    take = api.post("/rpc/jobping_take_batch").respond(200, json=True)
    finish = api.post("/rpc/jobping_finish_batch").respond(200, json=False)

    await supabase.save_batch(BATCH)
    (batch,) = await supabase.enrichment_batches(open_only=True, limit=5)
    taken = await supabase.take_batch("batch_1", "c", ttl_seconds=900, now=NOW)
    finished = await supabase.finish_batch("batch_1", "c", state="completed", micro_usd=10, now=NOW)

    assert body(save) == {
        "p_batch": {
            "batch_id": "batch_1",
            "model": "gpt-5.4-mini",
            "input_file_id": "file-1",
            "holder": "enricher-1",
            "max_output_tokens": 600,
            "reserved_tokens": 720,
            "reserved_micro_usd": 1_500,
            "submitted_at": "2026-11-23T09:30:00+00:00",
            "expires_at": "2026-11-24T10:30:00+00:00",
        },
        "p_lines": [{"batch_id": "batch_1", **row["lines"][0]}],
    }
    assert body(listed) == {"p_open_only": True, "p_limit": 5}
    assert batch == BATCH
    assert (taken, finished) == (True, False)
    assert body(take) == {
        "p_batch_id": "batch_1",
        "p_collector": "c",
        "p_ttl_seconds": 900,
        "p_now": "2026-11-23T09:30:00+00:00",
    }
    assert body(finish)["p_state"] == "completed"
