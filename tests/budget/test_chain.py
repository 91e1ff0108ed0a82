from __future__ import annotations

from collections.abc import Sequence

import pytest

from jobping.budget import Allowance, Remaining, WorstCase, choose_model
from jobping.budget._chain import default_thresholds

CHAIN = ("strong", "mini", "nano")
WORST = {
    "strong": WorstCase(tokens=100, micro_usd=250),
    "mini": WorstCase(tokens=50, micro_usd=30),
    "nano": WorstCase(tokens=20, micro_usd=5),
}
DAY_LIMITS = (1_000, 1_000)  # tokens, micro-dollars
MONTH_LIMITS = (10_000, 10_000)


def remaining(
    day: tuple[int, int] = (0, 0),
    month: tuple[int, int] = (0, 0),
    month_limits: tuple[int, int] = MONTH_LIMITS,
) -> Remaining:
    """Allowances with (tokens, micro-dollars) used today and this month."""
    return Remaining(
        day=Allowance(DAY_LIMITS[0], day[0], DAY_LIMITS[1], day[1]),
        month=Allowance(month_limits[0], month[0], month_limits[1], month[1]),
    )


def choose(
    state: Remaining, *, thresholds: Sequence[float] | None = None, fallback: bool = True
) -> str | None:
    """choose_model over CHAIN with the WORST table."""
    return choose_model(CHAIN, WORST.__getitem__, state, thresholds=thresholds, fallback=fallback)


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        pytest.param(remaining(), "strong", id="nothing-spent"),
        pytest.param(remaining(day=(0, 740)), "strong", id="74pct-strong-still-fits"),
        pytest.param(remaining(day=(0, 760)), "mini", id="76pct-strong-worst-case-too-big"),
        pytest.param(remaining(day=(800, 0)), "mini", id="80pct-day-tokens"),
        pytest.param(remaining(day=(940, 0)), "mini", id="94pct-mini-fits"),
        pytest.param(remaining(month=(9_500, 0)), "nano", id="95pct-month-tokens"),
        pytest.param(remaining(day=(0, 995)), "nano", id="nano-fits-exactly"),
        pytest.param(remaining(day=(0, 996)), None, id="nothing-fits"),
        pytest.param(remaining(day=(1_000, 0)), None, id="day-spent"),
        pytest.param(remaining(month=(0, 10_000)), None, id="month-spent"),
        pytest.param(remaining(month_limits=(10_000, 0)), None, id="zero-limit-allows-nothing"),
    ],
)
def test_choose_with_fallback(state: Remaining, expected: str | None) -> None:
    """The first model under its threshold whose worst case fits; None when none does."""
    assert choose(state) == expected


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        pytest.param(remaining(), "strong", id="nothing-spent"),
        pytest.param(remaining(day=(900, 0)), "strong", id="past-80pct-no-cheaper-model"),
        pytest.param(remaining(day=(0, 760)), None, id="strong-does-not-fit"),
    ],
)
def test_choose_without_fallback(state: Remaining, expected: str | None) -> None:
    """Without fallback only the first model is considered, up to the whole budget."""
    assert choose(state, fallback=False) == expected


@pytest.mark.parametrize(
    ("thresholds", "state", "expected"),
    [
        pytest.param((0.5, 0.6, 1.0), remaining(day=(499, 0)), "strong", id="under-first"),
        pytest.param((0.5, 0.6, 1.0), remaining(day=(500, 0)), "mini", id="at-first"),
        pytest.param((0.5, 0.6, 1.0), remaining(day=(600, 0)), "nano", id="at-second"),
        pytest.param((0.5, 0.6, 0.7), remaining(day=(700, 0)), None, id="at-last"),
    ],
)
def test_choose_with_custom_thresholds(
    thresholds: tuple[float, ...], state: Remaining, expected: str | None
) -> None:
    """Model i may be used while the share spent is strictly under thresholds[i]."""
    assert choose(state, thresholds=thresholds) == expected


def test_single_model_chain_uses_the_whole_budget() -> None:
    """A chain of one model uses it until its worst case no longer fits."""
    state = remaining(day=(0, 970))
    assert choose_model(["mini"], WORST.__getitem__, state) == "mini"
    assert choose_model(["mini"], WORST.__getitem__, remaining(day=(0, 971))) is None


@pytest.mark.parametrize(
    ("length", "expected"),
    [
        (1, (1.0,)),
        (2, (0.80, 1.0)),
        (3, (0.80, 0.95, 1.0)),
        (4, (0.80, 0.95, 0.95, 1.0)),
    ],
)
def test_default_thresholds(length: int, expected: tuple[float, ...]) -> None:
    """80 % for the strongest, 95 % for the next ones, 100 % for the last."""
    assert default_thresholds(length) == expected


@pytest.mark.parametrize(
    ("chain", "thresholds", "message"),
    [
        ((), None, "the model chain is empty"),
        (CHAIN, (0.8, 1.0), "one threshold in \\(0, 1\\] per model"),
        (CHAIN, (0.0, 0.9, 1.0), "one threshold in \\(0, 1\\] per model"),
        (CHAIN, (0.8, 1.5, 1.0), "one threshold in \\(0, 1\\] per model"),
        (CHAIN, (0.8, float("nan"), 1.0), "one threshold in \\(0, 1\\] per model"),
    ],
)
def test_bad_chain_or_thresholds_are_refused(
    chain: Sequence[str], thresholds: Sequence[float] | None, message: str
) -> None:
    """An empty chain, or thresholds not one per model in (0, 1], are clear errors."""
    with pytest.raises(ValueError, match=message):
        choose_model(chain, WORST.__getitem__, remaining(), thresholds=thresholds)
