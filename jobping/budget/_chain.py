"""Which model of the fallback chain a call may use, given what is left of the budget.

Model ``i`` of the chain may be used while the share of the budget already spent is under
its threshold and while its worst case (counted prompt plus ``max_tokens`` output, priced)
still fits every limit. The share spent is the largest of used/limit over tokens and cost,
day and month. By default the strongest model is used until 80 % is spent, the next until
95 %, the last until 100 %: the budget ends on cheap calls rather than on one dear one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = [
    "DEFAULT_THRESHOLDS",
    "Allowance",
    "Remaining",
    "WorstCase",
    "choose_model",
    "default_thresholds",
]

DEFAULT_THRESHOLDS = (0.80, 0.95)
"""Thresholds of the models before the last (the last is always 1.0); the last one repeats."""


@dataclass(frozen=True, slots=True)
class WorstCase:
    """The most a call to one model can use: tokens, and cost in micro-dollars."""

    tokens: int
    micro_usd: int


@dataclass(frozen=True, slots=True)
class Allowance:
    """One window (a day or a month): its limits and what is used, reservations included.

    A limit of 0 allows nothing.
    """

    token_limit: int
    tokens_used: int
    cost_limit_micro_usd: int
    cost_used_micro_usd: int

    def fits(self, worst: WorstCase) -> bool:
        """Whether ``worst`` can be added without passing either limit."""
        return (
            self.tokens_used + worst.tokens <= self.token_limit
            and self.cost_used_micro_usd + worst.micro_usd <= self.cost_limit_micro_usd
        )

    def spent_fraction(self) -> float:
        """The larger of the token and cost shares used (1.0 for a limit of 0)."""
        return max(
            _share(self.tokens_used, self.token_limit),
            _share(self.cost_used_micro_usd, self.cost_limit_micro_usd),
        )


def _share(used: int, limit: int) -> float:
    return used / limit if limit > 0 else 1.0


@dataclass(frozen=True, slots=True)
class Remaining:
    """The day's and the month's allowances at the time of a call."""

    day: Allowance
    month: Allowance

    def fits(self, worst: WorstCase) -> bool:
        """Whether ``worst`` fits both the day and the month."""
        return self.day.fits(worst) and self.month.fits(worst)

    def spent_fraction(self) -> float:
        """The largest share spent of any limit."""
        return max(self.day.spent_fraction(), self.month.spent_fraction())


def default_thresholds(length: int) -> tuple[float, ...]:
    """Thresholds for a chain of ``length``: 0.80, 0.95, 0.95, ... and 1.0 for the last."""
    steps = [DEFAULT_THRESHOLDS[min(i, len(DEFAULT_THRESHOLDS) - 1)] for i in range(length - 1)]
    return (*steps, 1.0)


def choose_model(
    chain: Sequence[str],
    worst_case: Callable[[str], WorstCase],
    remaining: Remaining,
    *,
    thresholds: Sequence[float] | None = None,
    fallback: bool = True,
) -> str | None:
    """The first model of ``chain`` that may be used now, or None when none may.

    ``thresholds`` (default :func:`default_thresholds`) gives each model the share of the
    budget below which it may still be chosen. With ``fallback`` off only the first model
    is considered, and it may be used up to the whole budget (there is nothing to save the
    rest for).

    Raises:
        ValueError: the chain is empty, or the thresholds do not match it or are not in
            (0, 1].
    """
    if not chain:
        raise ValueError("the model chain is empty")
    limits = tuple(thresholds) if thresholds is not None else default_thresholds(len(chain))
    if len(limits) != len(chain) or not all(0 < t <= 1 for t in limits):
        raise ValueError(f"need one threshold in (0, 1] per model of {list(chain)}: {limits}")
    candidates = zip(chain, limits, strict=True) if fallback else [(chain[0], 1.0)]
    spent = remaining.spent_fraction()
    for model, limit in candidates:
        if spent < limit and remaining.fits(worst_case(model)):
            return model
    return None
