"""The budget report behind ``jobping budget``: read from the ledger only, no API key needed.

Today and this month against each limit (committed usage; live reservations shown apart),
per model, per day for the last ``days`` days (days without calls are zeros), the
projection to the month's end at the pace so far, the warning thresholds crossed, the
latest Batch API batches (in flight: what they hold; collected: what they cost) and the
jobs waiting for enrichment. Plain JSON-ready data: the CLI renders it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any, Protocol

from jobping.budget._budget import TokenBudget, crossed_thresholds
from jobping.budget._prices import MICRO_USD_PER_USD
from jobping.store import (
    BudgetCounters,
    BudgetLedger,
    BudgetWindow,
    EnrichmentBacklog,
    EnrichmentBatch,
    EnrichmentBatches,
    UsageTotal,
)

__all__ = ["ReportStore", "budget_report"]

_BATCHES_SHOWN = 20
_MIN_ELAPSED = timedelta(hours=1)
"""The projection divides by at least this much of the month, so it starts sane."""


class ReportStore(BudgetLedger, EnrichmentBacklog, EnrichmentBatches, Protocol):
    """What the report reads: the ledger, the enrichment backlog's size, the batches."""


async def budget_report(budget: TokenBudget[ReportStore], *, days: int = 30) -> dict[str, Any]:
    """Gather the report on ``budget``'s store, at ``budget.clock()``, in its timezone."""
    store, now = budget.store, budget.clock()
    today = now.astimezone(budget.tz).date()
    first_of_month = today.replace(day=1)
    day, month = budget.windows(now)
    counters = await store.budget_counters([day.key, month.key], now=now)
    per_day = {
        t.key: t for t in await store.budget_usage_by_day(today - timedelta(days - 1), today)
    }
    month_report = _window(month, counters[month.key], budget.resets_at("month", now))
    month_report["projection"] = _projection(budget, month, counters[month.key], now)
    month_report["by_model"] = _models(await store.budget_usage_by_model(first_of_month, today))
    day_report = _window(day, counters[day.key], budget.resets_at("day", now))
    day_report["by_model"] = _models(await store.budget_usage_by_model(today, today))
    dates = [(today - timedelta(days=n)).isoformat() for n in reversed(range(days))]
    warnings = [
        crossed
        for window in (day, month)
        for crossed in crossed_thresholds(window, counters[window.key], budget.thresholds)
    ]
    return {
        "now": now.astimezone(budget.tz).isoformat(),
        "timezone": budget.tz.key,
        "today": day_report,
        "month": month_report,
        "days": [_totals(per_day.get(key, UsageTotal(key)), "date") for key in dates],
        "warnings": [
            {"window": w.window, "measure": w.measure, "threshold": w.threshold, "share": w.share}
            for w in warnings
        ],
        "batches": [
            _batch(batch, budget) for batch in await store.enrichment_batches(limit=_BATCHES_SHOWN)
        ],
        "backlog": await store.count_jobs_needing_enrichment(),
    }


def _batch(batch: EnrichmentBatch, budget: TokenBudget[ReportStore]) -> dict[str, Any]:
    """A batch: in flight, what it holds; collected, what it cost."""
    collected = batch.collected_at
    return {
        "batch_id": batch.batch_id,
        "model": batch.model,
        "state": batch.state,
        "jobs": len(batch.lines),
        "submitted_at": batch.submitted_at.astimezone(budget.tz).isoformat(),
        "collected_at": None if collected is None else collected.astimezone(budget.tz).isoformat(),
        "reserved_usd": _usd(batch.reserved_micro_usd) if batch.state == "submitted" else 0.0,
        "cost_usd": _usd(batch.micro_usd),
    }


def _usd(micro_usd: int) -> float:
    return float(Decimal(micro_usd) / MICRO_USD_PER_USD)


def _share(used: int, limit: int) -> float:
    return used / limit if limit > 0 else 1.0


def _window(window: BudgetWindow, counters: BudgetCounters, resets_at: datetime) -> dict[str, Any]:
    tokens, cost = counters.tokens_committed, counters.micro_usd_committed
    return {
        "key": window.key,
        "resets_at": resets_at.isoformat(),
        "tokens": {
            "used": tokens,
            "reserved": counters.tokens_reserved,
            "limit": window.token_limit,
            "share": _share(tokens, window.token_limit),
        },
        "cost_usd": {
            "used": _usd(cost),
            "reserved": _usd(counters.micro_usd_reserved),
            "limit": _usd(window.cost_limit_micro_usd),
            "share": _share(cost, window.cost_limit_micro_usd),
        },
    }


def _projection(
    budget: TokenBudget, month: BudgetWindow, counters: BudgetCounters, now: datetime
) -> dict[str, Any]:
    """Committed usage scaled from the part of the month gone by to the whole month."""
    ends = budget.resets_at("month", now)
    first_of_month = now.astimezone(budget.tz).date().replace(day=1)
    starts = datetime.combine(first_of_month, time(), tzinfo=budget.tz)
    pace = (ends - starts) / max(now - starts, _MIN_ELAPSED)
    tokens = round(counters.tokens_committed * pace)
    micro_usd = round(counters.micro_usd_committed * pace)
    return {
        "tokens": tokens,
        "cost_usd": _usd(micro_usd),
        "tokens_share": _share(tokens, month.token_limit),
        "cost_share": _share(micro_usd, month.cost_limit_micro_usd),
    }


def _totals(total: UsageTotal, label: str) -> dict[str, Any]:
    return {
        label: total.key,
        "calls": total.calls,
        "prompt_tokens": total.prompt_tokens,
        "cached_tokens": total.cached_tokens,
        "completion_tokens": total.completion_tokens,
        "reasoning_tokens": total.reasoning_tokens,
        "tokens": total.tokens,
        "cost_usd": _usd(total.micro_usd),
        "lost_answers": total.lost_calls,
        "lost_answers_cost_usd": _usd(total.lost_micro_usd),
        "overshoots": total.overshoots,
    }


def _models(totals: Iterable[UsageTotal]) -> list[dict[str, Any]]:
    return [_totals(total, "model") for total in totals]
