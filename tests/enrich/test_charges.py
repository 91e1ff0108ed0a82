"""Every attempt that may be billed is charged (#11): the ledger is never below the bill."""

from __future__ import annotations

import os
import signal
import socket
import sys
from datetime import UTC, datetime

import anyio
import pytest

from jobping.budget import PriceTable
from jobping.errors import EnrichmentError
from jobping.store import Store
from tests.budget import NOW
from tests.enrich.conftest import SECRET, MakeEnricher, build_jobs
from tests.enrich.server import FakeOpenAI

pytestmark = pytest.mark.anyio

DAY = f"day:{NOW.date().isoformat()}"
NEVER_ANSWERED = {"slow", "timeout"}
"""Faults after which the server holds its answer back: the client's timeout ends them."""


async def ledger(store: Store) -> tuple[int, int, int]:
    """µUSD committed today, µUSD still held, and calls recorded."""
    day = (await store.budget_counters([DAY], now=NOW))[DAY]
    calls = sum(t.calls for t in await store.budget_usage_by_model(NOW.date(), NOW.date()))
    return day.micro_usd_committed, day.micro_usd_reserved, calls


@pytest.mark.parametrize("fault", ["slow", "timeout", "reset", "rate_limit", "server_error"])
async def test_the_ledger_is_never_below_the_bill_whatever_the_fault(
    make_enricher: MakeEnricher, openai_server: FakeOpenAI, store: Store, fault: str
) -> None:
    """Regression #11: a timed-out or reset attempt was released; now the ledger >= the bill."""
    openai_server.always = fault
    timeout = 0.3 if fault in NEVER_ANSWERED else 30.0
    async with make_enricher(openai_retry_attempts=3, openai_timeout_seconds=timeout) as enricher:
        with pytest.raises(EnrichmentError, match="gave up after 3 attempts"):
            await enricher.enrich(build_jobs(1)[0])

    _, billed = openai_server.billed(PriceTable.load())
    committed, held, calls = await ledger(store)
    # The client's timeout may end an attempt before the server has read it (a loaded
    # machine): the server then saw fewer; the ledger still counts every attempt.
    reached = len(openai_server.requests)
    assert reached == 3 or (fault in NEVER_ANSWERED and 0 < reached < 3)
    assert committed >= billed
    assert held == 0
    if fault in NEVER_ANSWERED:
        assert calls == 3  # each attempt charged, answer lost, whether it arrived or not
    if fault in {"slow", "reset"}:
        assert billed > 0
        assert calls == 3  # each attempt reserved and charged on its own
    if fault in {"rate_limit", "server_error"}:
        assert (committed, calls) == (0, 0)  # an error status is not billed: released


async def test_a_cancelled_call_is_charged_its_reservation(
    make_enricher: MakeEnricher, openai_server: FakeOpenAI, store: Store
) -> None:
    """Cancelled while the server works on the answer (as SIGTERM does): charged, not released."""
    openai_server.always = "slow"
    async with (
        make_enricher(openai_timeout_seconds=600) as enricher,
        anyio.create_task_group() as group,
    ):
        group.start_soon(enricher.enrich, build_jobs(1)[0])
        with anyio.fail_after(60):
            while not openai_server.served:  # noqa: ASYNC110 (the server's list, no event)
                await anyio.sleep(0.01)
        group.cancel_scope.cancel()

    _, billed = openai_server.billed(PriceTable.load())
    committed, held, calls = await ledger(store)
    assert billed > 0
    assert committed >= billed
    assert (held, calls) == (0, 1)


async def test_a_refused_connection_is_released_not_charged(
    make_enricher: MakeEnricher, store: Store
) -> None:
    """Nothing listening: the request never left, so every attempt's hold is released."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base_url = f"http://127.0.0.1:{port}/v1"
    async with make_enricher(openai_base_url=base_url, openai_retry_attempts=2) as enricher:
        with pytest.raises(EnrichmentError, match="gave up after 2 attempts"):
            await enricher.enrich(build_jobs(1)[0])

    assert await ledger(store) == (0, 0, 0)


@pytest.mark.slow
async def test_jobping_enrich_stopped_by_sigterm_charges_its_calls_in_flight(
    openai_server: FakeOpenAI, store: Store, db_url: str
) -> None:
    """SIGTERM while the server works on the answers: the ledger >= the bill, nothing held."""
    openai_server.always = "slow"
    await store.upsert_jobs(build_jobs(3), seen_at=NOW)
    env = dict(os.environ) | {
        "DATABASE_URL": db_url,
        "OPENAI_API_KEY": SECRET,
        "OPENAI_BASE_URL": openai_server.base_url,
        "OPENAI_TIMEOUT_SECONDS": "600",
    }
    command = [sys.executable, "-m", "jobping", "enrich", "--json"]
    async with await anyio.open_process(command, env=env) as process:
        with anyio.fail_after(60):
            while len(openai_server.served) < 3:  # noqa: ASYNC110 (the server's list, no event)
                await anyio.sleep(0.01)
        process.send_signal(signal.SIGTERM)
        with anyio.fail_after(60):
            code = await process.wait()

    _, billed = openai_server.billed(PriceTable.load())
    now = datetime.now(UTC)  # the process ran on the real clock
    today = f"day:{now.date().isoformat()}"
    day = (await store.budget_counters([today], now=now))[today]
    assert code == 130  # interrupted, as README's exit codes say
    assert billed > 0
    assert day.micro_usd_committed >= billed
    assert day.micro_usd_reserved == 0
