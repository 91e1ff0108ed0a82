"""Benchmark: budget reserve/commit pairs per second on SQLite, and token counting speed.

Usage: ``.venv/bin/python -P scripts/bench/budget.py [--pairs 3000] [--tasks 32] [--prompts 2000]``
(``-P``: the sibling ``http.py`` must not shadow the standard library's ``http``, which the
openai SDK imports.)

1. Ledger, on a fresh temporary SQLite file (WAL, synchronous=NORMAL):
   a. ``TokenBudget.reserve`` + ``commit`` one after the other (each commit also reads the
      counters for the warning thresholds), with the median, p90 and p99 of one pair; then
      the same with ``--tasks`` concurrent tasks on the one store, then with 4 stores
      (connections) on the file;
   b. the store alone: ``reserve_budget`` + ``commit_budget``, one after the other.
2. Token counting of real job descriptions (the long text fields of the recorded payloads
   in ``tests/fixtures``, cut to 1,500 tokens), for gpt-5.4-mini (o200k_base):
   tiktoken (what JobPing uses) against puretiktoken (pure Python), in the same run; and
   whole enrichment prompts (``count_chat_tokens``: messages, overhead and answer schema).
3. Enrichment spend (#11), against the sandbox's OpenAI-compatible server: ``--enrichers``
   Enrichers (each on its own store connection to one SQLite file) drain a backlog of
   ``--jobs`` jobs at once, as that many ``jobping enrich`` processes would. Printed: paid
   calls per enriched job (1.00: no job paid twice), the ledger's tokens over the server's
   (1.00: every paid call charged), and the cost per 1,000 enriched jobs of the synchronous
   path.
4. The Batch API path (#11), in the same run on the same jobs: one Enricher submits the
   whole backlog as one batch, its store is closed (a restart), a new Enricher on a new
   connection collects it. Printed: the ledger against the sandbox's bill (exact, in µUSD),
   and the cost per 1,000 enriched jobs next to the synchronous path's, with their ratio
   (target: <= 0.55).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import AsyncExitStack
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import anyio
import puretiktoken

from jobping.budget import (
    BudgetLimits,
    PriceTable,
    TokenBudget,
    Usage,
    count_chat_tokens,
    count_tokens,
    truncate_to_tokens,
)
from jobping.enrich import RESPONSE_FORMAT, Enricher, build_messages
from jobping.models import Job
from jobping.normalize import html_to_text
from jobping.sandbox import serve_sandbox
from jobping.settings import load_settings
from jobping.store import BudgetHold, BudgetUsage, BudgetWindow, Store, open_store

MODEL = "gpt-5.4-mini"
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
LIMITS = BudgetLimits(10**12, 10**12, 10**12, 10**12)  # never refuses: measure the work
FIXTURES = Path(__file__).parents[2] / "tests" / "fixtures"


def _line(label: str, count: int, unit: str, seconds: float) -> float:
    rate = count / seconds
    print(f"{label:<58} {count:>9,} {unit} in {seconds:6.2f} s = {rate:>12,.0f} {unit}/s")
    return rate


async def _timed(work: Callable[[], Awaitable[None]]) -> float:
    started = time.perf_counter()
    await work()
    return time.perf_counter() - started


async def _pairs(budget: TokenBudget, count: int, latencies: list[float] | None = None) -> None:
    for _ in range(count):
        started = time.perf_counter()
        reservation = await budget.reserve(MODEL, 900, 600)
        if reservation is None:
            raise RuntimeError("the benchmark's limits should never refuse")
        await budget.commit(reservation, Usage(880, 300, 256, 100))
        if latencies is not None:
            latencies.append(time.perf_counter() - started)


async def _concurrent(budgets: Sequence[TokenBudget], count: int, tasks: int) -> None:
    async with anyio.create_task_group() as group:
        for n in range(tasks):
            group.start_soon(_pairs, budgets[n % len(budgets)], count // tasks)


async def _store_pairs(store: Store, count: int) -> None:
    windows = (
        BudgetWindow("day:2026-11-23", 10**12, 10**12),
        BudgetWindow("month:2026-11", 10**12, 10**12),
    )
    usage = BudgetUsage(MODEL, date(2026, 11, 23), 880, 256, 300, 100, 1_900)
    for _ in range(count):
        hold = BudgetHold(uuid.uuid4().hex, 1_600, 3_400, windows, NOW + timedelta(minutes=5))
        if not await store.reserve_budget(hold, now=NOW):
            raise RuntimeError("the benchmark's limits should never refuse")
        await store.commit_budget(hold, usage, now=NOW)


async def _ledger(pairs: int, tasks: int) -> None:
    print(f"\nledger: SQLite {sqlite3.sqlite_version}, WAL, synchronous=NORMAL")
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'budget.db'}"
        stores = [await open_store(url) for _ in range(4)]
        prices = PriceTable.load()
        budgets = [
            TokenBudget(store, prices, LIMITS, tz=ZoneInfo("UTC"), clock=lambda: NOW)
            for store in stores
        ]
        try:
            latencies: list[float] = []
            seconds = await _timed(lambda: _pairs(budgets[0], pairs, latencies))
            _line("TokenBudget reserve+commit, sequential", pairs, "pairs", seconds)
            cuts = statistics.quantiles(latencies, n=100)
            print(
                f"{'  one pair: median / p90 / p99':<58}"
                f" {statistics.median(latencies) * 1e3:.2f} / {cuts[89] * 1e3:.2f}"
                f" / {cuts[98] * 1e3:.2f} ms"
            )
            seconds = await _timed(lambda: _concurrent(budgets[:1], pairs, tasks))
            _line(f"TokenBudget, {tasks} tasks on one store", pairs, "pairs", seconds)
            seconds = await _timed(lambda: _concurrent(budgets, pairs, tasks))
            _line(f"TokenBudget, {tasks} tasks on 4 connections", pairs, "pairs", seconds)
            seconds = await _timed(lambda: _store_pairs(stores[0], pairs))
            _line("store reserve_budget+commit_budget, sequential", pairs, "pairs", seconds)
        finally:
            for store in stores:
                await store.close()


def _long_strings(value: object) -> Iterator[str]:
    if isinstance(value, str) and len(value) >= 1_000:
        yield html_to_text(value)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _long_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _long_strings(item)


def _descriptions(count: int) -> list[str]:
    """``count`` real descriptions (repeated if there are fewer), each cut to 1,500 tokens."""
    found = sorted(
        {text for path in sorted(FIXTURES.rglob("*.json")) for text in _long_strings(_load(path))}
    )
    cut = [truncate_to_tokens(text, 1_500, MODEL) for text in found]
    return [cut[n % len(cut)] for n in range(count)]


def _load(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None


def _counting(prompts: int) -> None:
    texts = _descriptions(prompts)
    distinct = len(set(texts))
    print(f"\ntoken counting: {MODEL} (o200k_base), {distinct} real descriptions, cut to 1,500")
    count_tokens("warm up", MODEL)
    started = time.perf_counter()
    tokens = sum(count_tokens(text, MODEL) for text in texts)
    fast = _line("tiktoken count_tokens", tokens, "tokens", time.perf_counter() - started)
    pure = puretiktoken.get_encoding("o200k_base")
    sample = texts[: max(1, min(distinct, prompts // 10))]
    started = time.perf_counter()
    pure_tokens = sum(len(pure.encode_ordinary(text)) for text in sample)
    slow = _line(
        "puretiktoken encode_ordinary", pure_tokens, "tokens", time.perf_counter() - started
    )
    print(f"{'tiktoken / puretiktoken':<58} {fast / slow:>9.1f}x")
    jobs = [
        Job(
            job_hash=str(n),
            title="Data engineer",
            company="Acme",
            job_url="u",
            source="s",
            description=text,
        )
        for n, text in enumerate(texts)
    ]
    started = time.perf_counter()
    prompt_tokens = 0
    for job in jobs:
        messages = build_messages(job, description_token_cap=1_500, model=MODEL)
        prompt_tokens += count_chat_tokens(messages, MODEL, RESPONSE_FORMAT)
    seconds = time.perf_counter() - started
    _line("whole prompts: cut + count_chat_tokens", prompt_tokens, "tokens", seconds)
    _line("whole prompts: cut + count_chat_tokens", len(jobs), "prompts", seconds)


async def _drain(enricher: Enricher) -> int:
    """Claim and enrich 25 jobs at a time until nothing is left; the jobs enriched."""
    enriched = 0
    while (report := await enricher.enrich_backlog(limit=25)).enriched:
        enriched += report.enriched
    return enriched


def _backlog(jobs: int) -> list[Job]:
    descriptions = _descriptions(jobs)
    return [
        Job(
            job_hash=f"bench-{n:06d}",
            title=f"Engineer {n}",
            company="Acme",
            job_url=f"https://jobs.example.com/{n}",
            source="bench",
            description=descriptions[n % len(descriptions)],
        )
        for n in range(jobs)
    ]


async def _spend(jobs: int, enrichers: int) -> float:
    """The synchronous path; its cost per 1,000 enriched jobs (USD)."""
    print(f"\nenrichment spend: {enrichers} enrichers, one SQLite file, {jobs:,} jobs, {MODEL}")
    backlog = _backlog(jobs)
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'spend.db'}"
        async with serve_sandbox() as sandbox:
            settings = sandbox.apply(load_settings(env_file=None, database_url=url))
            settings = settings.model_copy(
                update={"openai_models": [MODEL], "openai_daily_token_limit": 10**12}
            )
            stores = [await open_store(url) for _ in range(enrichers)]
            try:
                await stores[0].upsert_jobs(backlog, seen_at=NOW)
                counts: list[int] = []
                started = time.perf_counter()
                async with AsyncExitStack() as stack, anyio.create_task_group() as group:
                    for store in stores:
                        budget = TokenBudget.from_settings(settings, store)
                        enricher = Enricher(settings, store, budget)
                        await stack.enter_async_context(enricher)

                        async def drain(enricher: Enricher = enricher) -> None:
                            counts.append(await _drain(enricher))

                        group.start_soon(drain)
                seconds = time.perf_counter() - started
                today = datetime.now(UTC).date()
                (total,) = await stores[0].budget_usage_by_model(today, today)
            finally:
                for store in stores:
                    await store.close()
            enriched, paid = sum(counts), sandbox.chat.requests
    print(f"{'jobs enriched / paid calls':<58} {enriched:>9,} / {paid:,} in {seconds:6.2f} s")
    print(f"{'paid calls per enriched job (1.00: none paid twice)':<58} {paid / enriched:>9.2f}")
    ledger_ratio = total.tokens / sandbox.chat.tokens
    print(f"{'ledger tokens / server tokens (1.00: all charged)':<58} {ledger_ratio:>9.2f}")
    per_thousand = total.micro_usd / enriched * 1_000 / 1_000_000
    print(f"{'cost per 1,000 enriched jobs, synchronous path':<58} ${per_thousand:>8.4f}")
    return per_thousand


async def _batch_spend(jobs: int, sync_per_thousand: float) -> None:
    """The Batch API path on the same jobs: submit, restart, collect; ledger against bill."""
    print(f"\nBatch API path: one batch of {jobs:,} jobs, {MODEL}, submit / restart / collect")
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'batch.db'}"
        async with serve_sandbox() as sandbox:
            settings = sandbox.apply(load_settings(env_file=None, database_url=url))
            settings = settings.model_copy(
                update={"openai_models": [MODEL], "openai_daily_token_limit": 10**12}
            )
            started = time.perf_counter()
            store = await open_store(url)
            try:
                await store.upsert_jobs(_backlog(jobs), seen_at=NOW)
                budget = TokenBudget.from_settings(settings, store)
                async with Enricher(settings, store, budget, batch=True) as enricher:
                    sent = await enricher.enrich_backlog(limit=jobs)
            finally:
                await store.close()
            submitted = time.perf_counter() - started
            store = await open_store(url)  # the restart: a new connection, a new Enricher
            try:
                budget = TokenBudget.from_settings(settings, store)
                async with Enricher(settings, store, budget) as enricher:
                    collected = await enricher.enrich_backlog(limit=0)
                today = datetime.now(UTC).date()
                (total,) = await store.budget_usage_by_model(today, today)
            finally:
                await store.close()
            seconds = time.perf_counter() - started
            prices = PriceTable.load().price(MODEL).at_batch_rates()
            bill = sum(
                prices.cost_micro_usd(
                    u.prompt_tokens,
                    u.cached_tokens,
                    u.completion_tokens,
                    reasoning_tokens=u.reasoning_tokens,
                )
                for u in sandbox.chat.batches.billed
            )
    print(
        f"{'jobs sent / enriched at collection':<58} {sent.submitted:>9,} / {collected.enriched:,}"
        f" (submit {submitted:.2f} s, all {seconds:.2f} s)"
    )
    print(
        f"{'ledger µUSD / sandbox bill µUSD (equal: exact)':<58} {total.micro_usd:>9,} / {bill:,}"
    )
    per_thousand = total.micro_usd / collected.enriched * 1_000 / 1_000_000
    print(f"{'cost per 1,000 enriched jobs, synchronous path':<58} ${sync_per_thousand:>8.4f}")
    print(f"{'cost per 1,000 enriched jobs, Batch API path':<58} ${per_thousand:>8.4f}")
    ratio = per_thousand / sync_per_thousand
    print(f"{'batch / synchronous (target <= 0.55)':<58} {ratio:>9.3f}")


async def _main(pairs: int, tasks: int, prompts: int, jobs: int, enrichers: int) -> None:
    await _ledger(pairs, tasks)
    _counting(prompts)
    sync_per_thousand = await _spend(jobs, enrichers)
    await _batch_spend(jobs, sync_per_thousand)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=3_000)
    parser.add_argument("--tasks", type=int, default=32)
    parser.add_argument("--prompts", type=int, default=2_000)
    parser.add_argument("--jobs", type=int, default=400)
    parser.add_argument("--enrichers", type=int, default=4)
    args = parser.parse_args()
    anyio.run(_main, args.pairs, args.tasks, args.prompts, args.jobs, args.enrichers)
