"""parse_salary: a free-text pay range ("$0.05 - $0.06 / hour", "£50,000/ OTE: £100,000").

Only the first amount or range counts (what follows, an OTE or a bonus, is not the base
pay). The currency is an ISO code after the amounts or, failing that, their symbol ("$"
is read as USD); without either the text is not read as pay. The period is the unit right
after them ("/ hour", "per year"), else None.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from jobping.normalize._text import clean_text

__all__ = ["Salary", "parse_salary"]

_SYMBOLS = {"$": "USD", "£": "GBP", "€": "EUR", "₹": "INR", "¥": "JPY"}
_AMOUNT = r"([$£€₹¥])?\s?(\d[\d,]*(?:\.\d+)?)\s?([kK])?"
_CODE = r"(?:\s?([A-Z]{3})\b)?"  # "$151,500 USD - $227,300 USD"
_RANGE = re.compile(rf"{_AMOUNT}{_CODE}(?:\s*(?:-|\u2013|\u2014|to)\s*{_AMOUNT})?")
_AFTER = re.compile(
    r"\s*(?P<code>(?-i:[A-Z]{3})\b)?\s*"
    r"(?:(?:/|per\b|an?\b)\s*(?P<unit>hour|hr|day|week|month|year|yr|annum)\b)?",
    re.IGNORECASE,
)
_UNITS = {"hr": "hour", "yr": "year", "annum": "year"}


class Salary(NamedTuple):
    """A pay range read from text; ``currency`` ISO 4217, ``period`` hour to year."""

    minimum: float | None = None
    maximum: float | None = None
    currency: str | None = None
    period: str | None = None


def parse_salary(text: str | None) -> Salary:
    """The first amount or range of ``text``; all None without an amount or a currency."""
    cleaned = clean_text(text)
    match = _RANGE.search(cleaned)
    if match is None:
        return Salary()
    low = _number(match.group(2), match.group(3))
    high = _number(match.group(6), match.group(7)) if match.group(6) else low
    after = _AFTER.match(cleaned, match.end())
    code = (after.group("code") if after else None) or match.group(4)
    symbol = match.group(1) or match.group(5)
    unit = (after.group("unit") or "").lower() if after else ""
    currency = code or _SYMBOLS.get(symbol or "")
    if currency is None:  # "2 weeks", "3 days": a number is not pay without a currency
        return Salary()
    return Salary(min(low, high), max(low, high), currency, _UNITS.get(unit, unit) or None)


def _number(digits: str, thousands: str | None) -> float:
    value = float(digits.replace(",", ""))
    return value * 1000 if thousands else value
