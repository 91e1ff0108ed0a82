"""Pay ranges in Greenhouse's job ``metadata``: custom fields each board names its own way.

Read, in the metadata's order:

- ``currency_range`` fields (``{unit, min_value, max_value}``, amounts as strings) and
  ``currency`` fields (``{unit, amount}``) whose name speaks of pay (``Pay Transparency
  Range``, ``Salary``, ``Compensation``, ``Wage``, ``OTE``...);
- text fields (``short_text``, ``long_text``, ``single_select``) with such a name whose value
  ``parse_salary`` reads (``$120,000 - $150,000 USD``, ``€45/hour``).

The period comes from the range's own text, else from its field's name (``Hourly Pay
Range``), else from a pay field whose value is a period (``Salary Period: Yearly``).

Several ranges: the first believable one sets the currency and period; every believable
range in that currency and period widens it (lowest minimum, highest maximum), so pay zones
(``Zone 1``, ``Zone 2``) become the range the board pays across them. Ranges in another
currency or period are left out. Junk (``0.0``-``0.0``, ``0.01``, a minimum above the
maximum, a year under 1,000) is dropped, with the reason logged at debug level.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from jobping.normalize import Salary, clean_text, parse_salary, salary_problem

__all__ = ["metadata_pay"]

logger = logging.getLogger(__name__)

_PAY_NAME = re.compile(r"pay|salary|compensation|wage|\bote\b|\bbase\b|\brate\b", re.IGNORECASE)
_PERIOD_WORDS = (
    ("hour", re.compile(r"hour", re.IGNORECASE)),
    ("day", re.compile(r"\bday|daily", re.IGNORECASE)),
    ("week", re.compile(r"week", re.IGNORECASE)),
    ("month", re.compile(r"month", re.IGNORECASE)),
    ("year", re.compile(r"year|annual|\bp\.a\.", re.IGNORECASE)),
)
_PERIOD_NAME = re.compile(r"period|frequency|interval|\btype\b|\bunit\b|basis", re.IGNORECASE)
_TEXT_TYPES = frozenset({"short_text", "long_text", "single_select"})


def metadata_pay(metadata: list[Any], job: str) -> Salary | None:
    """The pay range the metadata states (see the module docstring), or None."""
    entries = [entry for entry in metadata if isinstance(entry, dict)]
    pay = [entry for entry in entries if _PAY_NAME.search(_text(entry.get("name")))]
    period = next(filter(None, (_period_value(entry) for entry in pay)), None)
    chosen: Salary | None = None
    for entry in pay:
        salary = _salary(entry, period)
        if salary is None:
            continue
        if reason := salary_problem(salary.min, salary.max, salary.period):
            logger.debug("greenhouse job %s: %r dropped: %s", job, _text(entry.get("name")), reason)
        elif chosen is None:
            chosen = salary
        elif (salary.currency, salary.period) == (chosen.currency, chosen.period):
            chosen = _widen(chosen, salary)
    return chosen


def _salary(entry: dict[str, Any], period: str | None) -> Salary | None:
    """The amount or range of one pay field, or None when it states none."""
    kind, value, name = entry.get("value_type"), entry.get("value"), _text(entry.get("name"))
    if kind in {"currency_range", "currency"} and isinstance(value, dict):
        low = _amount(value.get("min_value") if kind == "currency_range" else value.get("amount"))
        high = _amount(value.get("max_value")) if kind == "currency_range" else None
        if low is None and high is None:
            return None
        currency = clean_text(value.get("unit") if isinstance(value.get("unit"), str) else "")
        return Salary(low, high, currency.upper() or None, _period_in(name) or period)
    if kind in _TEXT_TYPES and isinstance(value, str) and (parsed := parse_salary(value)):
        named = parsed.period or _period_in(name) or period
        return Salary(parsed.min, parsed.max, parsed.currency, named)
    return None


def _period_value(entry: dict[str, Any]) -> str | None:
    """The period a pay field's value names on its own (``Salary Period: Hourly``)."""
    value = entry.get("value")
    if entry.get("value_type") not in _TEXT_TYPES or not isinstance(value, str):
        return None
    if not _PERIOD_NAME.search(_text(entry.get("name"))):
        return None
    return None if parse_salary(value) else _period_in(value)


def _period_in(text: str) -> str | None:
    return next((period for period, word in _PERIOD_WORDS if word.search(text)), None)


def _amount(value: Any) -> float | None:
    """An amount written as a number or a numeric string (``"120000.0"``)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(value) if isinstance(value, str) and value.strip() else None
    except ValueError:
        return None


def _widen(one: Salary, other: Salary) -> Salary:
    """The range spanning both (same currency and period)."""
    lows = [amount for amount in (one.min, other.min) if amount is not None]
    highs = [amount for amount in (one.max, other.max) if amount is not None]
    return Salary(min(lows, default=None), max(highs, default=None), one.currency, one.period)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
