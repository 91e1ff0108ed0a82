"""TokenBudget: hold a call's worst case in the store's ledger, then commit its real usage.

Before a call, :meth:`TokenBudget.reserve` holds the worst case in today's and this
month's windows, atomically in the store (``BudgetLedger.reserve_budget``): refused unless every
limit (tokens and cost, day and month) still holds with it. After the call, :meth:`commit`
replaces the hold by the real usage (or the whole hold, for an answer that was lost), or
:meth:`release` drops it. So no interleaving of calls, in one process or in many, can push
committed spend past a limit, as long as the provider reports no more than the worst case.
A usage past its hold is an overshoot: warned, recorded, and fed back: per model, the ratio
of reported to estimated prompt tokens kept in the store scales later reservations (#11).

The worst case is the counted prompt plus a margin, plus ``max_output_tokens``, priced at
the model's input and output rates without any cache discount (reasoning tokens are part of
the output). The margin: tiktoken counts our text exactly, but the server renders the
messages and the answer schema its own way (the cookbook's 3 tokens per message is
documented for the gpt-3.5/4 families; we count the schema as compact JSON), so
:func:`reserved_prompt_tokens` adds 5 % and 16 tokens. Usage past a hold is still committed
as billed, and logged.

A hold expires ``ttl_seconds`` after it is made: a crashed process's holds stop counting then
and the next reservation drops them. :meth:`TokenBudget.from_settings` sets the TTL above
the longest call (every attempt timing out, with the longest wait between attempts).

Days and months start at midnight in the budget timezone, on an injectable clock; a call is
booked to the day and month it was reserved in.
"""

from __future__ import annotations

import logging
import math
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Generic
from zoneinfo import ZoneInfo

from typing_extensions import TypeVar  # a default (PEP 696) needs 3.13's typing

from jobping.budget._chain import DEFAULT_THRESHOLDS, Allowance, Remaining, WorstCase, choose_model
from jobping.budget._prices import (
    MICRO_USD_PER_USD,
    ModelPrice,
    PriceTable,
    check_price_overrides,
)
from jobping.errors import BudgetExhausted
from jobping.store import BudgetCounters, BudgetHold, BudgetLedger, BudgetUsage, BudgetWindow

if TYPE_CHECKING:
    from jobping.settings import Settings

__all__ = [
    "PROMPT_MARGIN_RATIO",
    "PROMPT_MARGIN_TOKENS",
    "RETRY_WAIT_CAP_SECONDS",
    "BudgetLimits",
    "Reservation",
    "ThresholdCrossed",
    "TokenBudget",
    "Usage",
    "crossed_thresholds",
    "reserved_prompt_tokens",
]

log = logging.getLogger("jobping.budget")

PROMPT_MARGIN_RATIO = 0.05
PROMPT_MARGIN_TOKENS = 16
RETRY_WAIT_CAP_SECONDS = 30.0
"""The longest wait between two attempts of a call (backoff and ``Retry-After`` are capped)."""
_TTL_SLACK_SECONDS = 60.0
_RESERVE_RACES = 8
"""Times a chosen model may be refused (others took the room first) before the call gives up."""


def reserved_prompt_tokens(counted: int) -> int:
    """The prompt tokens to hold for a prompt tiktoken counted: 5 % and 16 tokens more."""
    return counted + math.ceil(counted * PROMPT_MARGIN_RATIO) + PROMPT_MARGIN_TOKENS


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _micro_usd(usd: float) -> int:
    return int(Decimal(str(usd)) * MICRO_USD_PER_USD)


@dataclass(frozen=True, slots=True)
class BudgetLimits:
    """The four limits: tokens (prompt + completion) and cost in µUSD, a day and a month."""

    daily_tokens: int
    monthly_tokens: int
    daily_micro_usd: int
    monthly_micro_usd: int

    @classmethod
    def from_settings(cls, settings: Settings) -> BudgetLimits:
        """The limits the ``OPENAI_*_LIMIT`` settings give (dollars to whole µUSD, down)."""
        return cls(
            settings.openai_daily_token_limit,
            settings.openai_monthly_token_limit,
            _micro_usd(settings.openai_daily_cost_limit),
            _micro_usd(settings.openai_monthly_cost_limit),
        )


@dataclass(frozen=True, slots=True)
class Usage:
    """A call's real usage, as the provider's ``usage`` gives it.

    ``cached_tokens`` are part of ``prompt_tokens``, ``reasoning_tokens`` part of
    ``completion_tokens``.
    """

    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int = 0
    reasoning_tokens: int = 0


@dataclass(frozen=True, slots=True)
class Reservation:
    """A call's worst case, held in the ledger until committed or released."""

    model: str
    prompt_tokens: int
    """The prompt tokens held: the counted ones plus the margin."""
    max_output_tokens: int
    worst: WorstCase
    day: date
    """The budget day the call is booked to."""
    hold: BudgetHold
    estimated_prompt_tokens: int = 0
    """Our own count of the prompt (before the model's prompt ratio and the margin)."""
    batch: bool = False
    """A line of a Batch API batch: priced at the model's batch rates."""

    @property
    def worst_usage(self) -> Usage:
        """The usage of the worst case (to commit when a server reports none)."""
        return Usage(self.prompt_tokens, self.max_output_tokens)


@dataclass(frozen=True, slots=True)
class ThresholdCrossed:
    """A share of a limit reached by committed usage (``measure``: tokens or cost)."""

    window: str
    key: str
    measure: str
    threshold: float
    share: float


def crossed_thresholds(
    window: BudgetWindow, counters: BudgetCounters, thresholds: Sequence[float]
) -> list[ThresholdCrossed]:
    """Each threshold that committed tokens or cost has reached in ``window``."""
    name = window.key.partition(":")[0]
    shares = {
        "tokens": _share(counters.tokens_committed, window.token_limit),
        "cost": _share(counters.micro_usd_committed, window.cost_limit_micro_usd),
    }
    return [
        ThresholdCrossed(name, window.key, measure, threshold, share)
        for measure, share in shares.items()
        for threshold in thresholds
        if share >= threshold
    ]


def _share(used: int, limit: int) -> float:
    return used / limit if limit > 0 else 1.0


_LedgerT_co = TypeVar("_LedgerT_co", bound=BudgetLedger, default=BudgetLedger, covariant=True)
"""The store a budget keeps: a ledger at least (the report also counts the backlog there)."""
_LedgerT = TypeVar("_LedgerT", bound=BudgetLedger)


class TokenBudget(Generic[_LedgerT_co]):
    """The LLM budget of every process sharing one store: reserve, then commit or release.

    It uses only the store's :class:`~jobping.store.BudgetLedger` role; the type parameter
    keeps the store's own type, for callers that use more of it (``budget_report``).
    """

    def __init__(
        self,
        store: _LedgerT_co,
        prices: PriceTable,
        limits: BudgetLimits,
        *,
        tz: ZoneInfo,
        clock: Callable[[], datetime] | None = None,
        thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
        ttl_seconds: float = 900.0,
    ) -> None:
        self.store = store
        self.prices = prices
        self.limits = limits
        self.tz = tz
        self.clock = clock or _utc_now
        """Now, as an aware datetime (UTC unless a test gives a fake clock)."""
        self.thresholds = tuple(thresholds)
        self.ttl_seconds = ttl_seconds
        self._warned: set[tuple[str, str, float]] = set()

    @classmethod
    def from_settings(
        cls, settings: Settings, store: _LedgerT, *, clock: Callable[[], datetime] | None = None
    ) -> TokenBudget[_LedgerT]:
        """The budget the settings describe; holds outlast a call's every attempt and wait."""
        attempts = settings.openai_retry_attempts
        longest_call = attempts * settings.openai_timeout_seconds
        longest_call += (attempts - 1) * RETRY_WAIT_CAP_SECONDS
        return TokenBudget(
            store,
            check_price_overrides(settings),
            BudgetLimits.from_settings(settings),
            tz=ZoneInfo(settings.budget_timezone),
            clock=clock,
            thresholds=settings.openai_budget_thresholds,
            ttl_seconds=longest_call + _TTL_SLACK_SECONDS,
        )

    def __repr__(self) -> str:
        return f"<TokenBudget tz={self.tz.key} limits={self.limits}>"

    def windows(self, now: datetime) -> tuple[BudgetWindow, BudgetWindow]:
        """The day and month windows that contain ``now``, in the budget timezone."""
        day = now.astimezone(self.tz).date()
        limits = self.limits
        return (
            BudgetWindow(f"day:{day.isoformat()}", limits.daily_tokens, limits.daily_micro_usd),
            BudgetWindow(f"month:{day:%Y-%m}", limits.monthly_tokens, limits.monthly_micro_usd),
        )

    def resets_at(self, window: str, now: datetime) -> datetime:
        """When the ``day`` or ``month`` window that contains ``now`` ends (local midnight)."""
        day = now.astimezone(self.tz).date()
        if window == "month":
            next_start = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
        else:
            next_start = day + timedelta(days=1)
        return datetime.combine(next_start, time(), tzinfo=self.tz)

    def worst_case(
        self, model: str, prompt_tokens: int, max_output_tokens: int, *, batch: bool = False
    ) -> WorstCase:
        """The most a call can use: the prompt with its margin plus the whole output, priced.

        ``batch``: at the model's Batch API rates.

        Raises:
            ConfigError: ``model`` has no price.
        """
        prompt = reserved_prompt_tokens(prompt_tokens)
        cost = self._price(model, batch=batch).cost_micro_usd(prompt, 0, max_output_tokens)
        return WorstCase(prompt + max_output_tokens, cost)

    def chain_thresholds(self, length: int) -> tuple[float, ...]:
        """Each model's share threshold in a chain of ``length``: ours, then 1.0 for the last."""
        steps = self.thresholds
        return (*(steps[min(i, len(steps) - 1)] for i in range(length - 1)), 1.0)

    async def remaining(self) -> Remaining:
        """Today's and this month's limits and usage, live reservations included."""
        now = self.clock()
        day, month = self.windows(now)
        counters = await self.store.budget_counters([day.key, month.key], now=now)
        return Remaining(_allowance(day, counters[day.key]), _allowance(month, counters[month.key]))

    async def reserve(
        self,
        model: str,
        prompt_tokens: int,
        max_output_tokens: int,
        *,
        ratio: float = 1.0,
        batch: bool = False,
        ttl_seconds: float | None = None,
    ) -> Reservation | None:
        """Hold the worst case of a call to ``model``; None if it would pass any limit.

        ``ratio``: the model's reported-to-estimated prompt tokens; above 1, the counted
        prompt is scaled by it (a server that reports more than we count gets more held).
        ``batch``: a line of a Batch API batch, at the batch rates; ``ttl_seconds``: how
        long the hold lasts (default: the budget's, above the longest synchronous call).
        """
        now = self.clock()
        counted = prompt_tokens
        prompt_tokens = _scaled(counted, ratio)
        worst = self.worst_case(model, prompt_tokens, max_output_tokens, batch=batch)
        expires_at = now + timedelta(seconds=ttl_seconds or self.ttl_seconds)
        hold = BudgetHold(
            uuid.uuid4().hex, worst.tokens, worst.micro_usd, self.windows(now), expires_at
        )
        if not await self.store.reserve_budget(hold, now=now):
            log.debug("budget: %s refused (%d tokens, %d µUSD worst case)", model, *_worst(worst))
            return None
        log.debug("budget: %s reserved %d tokens, %d µUSD (worst case)", model, *_worst(worst))
        prompt = reserved_prompt_tokens(prompt_tokens)
        day = now.astimezone(self.tz).date()
        return Reservation(model, prompt, max_output_tokens, worst, day, hold, counted, batch)

    async def reserve_in_chain(
        self,
        chain: Sequence[str],
        prompt_tokens: Callable[[str], int],
        max_output_tokens: int,
        *,
        fallback: bool = True,
        batch: bool = False,
        ttl_seconds: float | None = None,
    ) -> Reservation:
        """Hold the worst case of the first model of ``chain`` that ``choose_model`` allows.

        When the chosen model is refused (other calls took the room in between), the
        choice is made again on fresh numbers, a few times at most. ``batch`` and
        ``ttl_seconds`` are :meth:`reserve`'s.

        Raises:
            BudgetExhausted: no model may be used now; says which window and until when.
        """
        ratios = await self.store.prompt_token_ratios()

        def worst(model: str) -> WorstCase:
            scaled = _scaled(prompt_tokens(model), ratios.get(model, 1.0))
            return self.worst_case(model, scaled, max_output_tokens, batch=batch)

        thresholds = self.chain_thresholds(len(chain))
        for _ in range(_RESERVE_RACES):
            remaining = await self.remaining()
            model = choose_model(chain, worst, remaining, thresholds=thresholds, fallback=fallback)
            if model is None:
                break
            ratio = ratios.get(model, 1.0)
            reservation = await self.reserve(
                model,
                prompt_tokens(model),
                max_output_tokens,
                ratio=ratio,
                batch=batch,
                ttl_seconds=ttl_seconds,
            )
            if reservation is not None:
                return reservation
        raise self._exhausted(remaining)

    async def commit(
        self, reservation: Reservation, usage: Usage, *, answer_lost: bool = False
    ) -> int:
        """Replace the hold by the real usage, each token class at its price; the cost in µUSD.

        ``answer_lost``: the call may have been billed but its answer was not read (a
        timeout, a cancellation); ``usage`` is then the worst case, recorded as such.

        Raises:
            ValueError: the usage is inconsistent (a negative count, cached > prompt, ...).
        """
        price = self._price(reservation.model, batch=reservation.batch)
        cost = price.cost_micro_usd(
            usage.prompt_tokens,
            usage.cached_tokens,
            usage.completion_tokens,
            reasoning_tokens=usage.reasoning_tokens,
        )
        overshoot = (
            usage.prompt_tokens + usage.completion_tokens > reservation.worst.tokens
            or cost > reservation.worst.micro_usd
        )
        # What the provider reported teaches the prompt ratio; the worst case (a lost answer,
        # or no usage reported) says nothing of it.
        measured = not answer_lost and usage != reservation.worst_usage
        record = BudgetUsage(
            reservation.model,
            reservation.day,
            usage.prompt_tokens,
            usage.cached_tokens,
            usage.completion_tokens,
            usage.reasoning_tokens,
            cost,
            "lost" if answer_lost else "overshoot" if overshoot else "answered",
            reservation.estimated_prompt_tokens if measured else 0,
        )
        if overshoot:
            log.warning(
                "%s used more than its reservation: %d tokens, %d µUSD (held %d, %d)",
                reservation.model,
                record.tokens,
                cost,
                reservation.worst.tokens,
                reservation.worst.micro_usd,
            )
        await self.store.commit_budget(reservation.hold, record, now=self.clock())
        log.debug("budget: %s committed %d tokens, %d µUSD", reservation.model, record.tokens, cost)
        await self._warn(reservation.hold.windows)
        return cost

    async def release(self, reservation: Reservation) -> None:
        """Drop the hold of a call that was not made or not billed; idempotent."""
        await self.store.release_budget(reservation.hold.reservation_id)
        log.debug("budget: %s hold released", reservation.model)

    def _price(self, model: str, *, batch: bool) -> ModelPrice:
        price = self.prices.price(model)
        return price.at_batch_rates() if batch else price

    async def _warn(self, windows: Sequence[BudgetWindow]) -> None:
        """Log each threshold that committed usage crossed, once per window and measure."""
        counters = await self.store.budget_counters([w.key for w in windows], now=self.clock())
        for window in windows:
            for crossed in crossed_thresholds(window, counters[window.key], self.thresholds):
                key = (crossed.key, crossed.measure, crossed.threshold)
                if key not in self._warned:
                    self._warned.add(key)
                    log.warning(
                        "LLM budget: %.0f%% of the %s %s limit used (%s; warning at %.0f%%)",
                        crossed.share * 100,
                        crossed.window,
                        crossed.measure,
                        crossed.key,
                        crossed.threshold * 100,
                    )

    def _exhausted(self, remaining: Remaining) -> BudgetExhausted:
        """The error naming the window with less room left, and when it resets."""
        day, month = remaining.day, remaining.month
        month_tighter = (
            month.token_limit - month.tokens_used < day.token_limit - day.tokens_used
            or month.cost_limit_micro_usd - month.cost_used_micro_usd
            < day.cost_limit_micro_usd - day.cost_used_micro_usd
        )
        window = "month" if month_tighter else "day"
        return BudgetExhausted(window, self.resets_at(window, self.clock()))


def _scaled(counted: int, ratio: float) -> int:
    """A counted prompt scaled by the model's prompt ratio when it is above 1."""
    return math.ceil(counted * ratio) if ratio > 1.0 else counted


def _allowance(window: BudgetWindow, counters: BudgetCounters) -> Allowance:
    return Allowance(
        window.token_limit,
        counters.tokens_committed + counters.tokens_reserved,
        window.cost_limit_micro_usd,
        counters.micro_usd_committed + counters.micro_usd_reserved,
    )


def _worst(worst: WorstCase) -> tuple[int, int]:
    """A worst case as (tokens, µUSD), for log lines."""
    return worst.tokens, worst.micro_usd
