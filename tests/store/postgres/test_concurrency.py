"""PostgreSQL only: four OS processes spending one quota and one LLM budget at once."""

from __future__ import annotations

import pytest

from jobping.store import BudgetWindow, QuotaWindow, open_store
from tests.helpers import opened_store
from tests.processes import run_workers
from tests.store import NOW

pytestmark = [pytest.mark.anyio, pytest.mark.postgres, pytest.mark.slow]

QUOTA = QuotaWindow("day:2026-11-23", 1_000)
BUDGET = BudgetWindow("day:2026-11-23", token_limit=10_000, cost_limit_micro_usd=1_000_000)
RESERVED_TOKENS, USED_TOKENS = 700, 500

# Each worker: 300 single-unit quota requests, and after every 20th a budget reservation of
# 700 tokens that, when granted, is committed as 500 tokens really used.
SPENDER = f"""
import json, sys, uuid
from datetime import date, datetime, timedelta
import anyio
from jobping.store import BudgetHold, BudgetUsage, BudgetWindow, QuotaWindow, open_store

NOW = datetime.fromisoformat({NOW.isoformat()!r})
QUOTA = QuotaWindow({QUOTA.key!r}, {QUOTA.limit})
BUDGET = BudgetWindow({BUDGET.key!r}, {BUDGET.token_limit}, {BUDGET.cost_limit_micro_usd})

async def main(url):
    print("ready", flush=True)
    sys.stdin.readline()
    store = await open_store(url)
    granted = reserved = 0
    try:
        for n in range(300):
            granted += await store.consume_quota("a.example", [QUOTA], 1, now=NOW)
            if n % 20 == 0:
                hold = BudgetHold(str(uuid.uuid4()), {RESERVED_TOKENS}, 70, (BUDGET,),
                                  NOW + timedelta(minutes=5))
                if await store.reserve_budget(hold, now=NOW):
                    reserved += 1
                    usage = BudgetUsage("m", date(2026, 11, 23), {USED_TOKENS}, 0, 0, 0, 50)
                    await store.commit_budget(hold, usage, now=NOW)
    finally:
        await store.close()
    print(json.dumps([granted, reserved]), flush=True)

anyio.run(main, sys.argv[1])
"""


async def test_four_processes_spend_exactly_the_quota_and_stay_within_the_budget(
    postgres_url: str,
) -> None:
    """1,200 requests for a quota of 1,000 and 60 reservations: 1,000 granted, spend ≤ limit."""
    await (await open_store(postgres_url)).close()  # migrated once, so workers race on work only

    results = await run_workers(["-c", SPENDER, postgres_url], [[]] * 4)  # 4 alike spenders

    async with opened_store(postgres_url) as store:
        used = await store.quota_used("a.example", QUOTA.key)
        counters = (await store.budget_counters([BUDGET.key], now=NOW))[BUDGET.key]
    assert sum(granted for granted, _ in results) == used == 1_000
    reservations = sum(reserved for _, reserved in results)
    assert counters.tokens_committed == USED_TOKENS * reservations <= BUDGET.token_limit
    assert counters.tokens_reserved == 0
