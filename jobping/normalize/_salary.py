"""Salaries: pay written as text (``$120,000 - $150,000 USD``, ``$18/hr``) and their checks.

``parse_salary`` reads the first amount or range a text states, with its currency and
period; ``salary_problem`` says why an amount is not a believable salary (``0.01``, a
minimum above the maximum); ``believable_salary`` is the first when the second finds
nothing wrong, so a scraper never stores junk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jobping.normalize._text import clean_text

__all__ = ["NO_SALARY", "Salary", "believable_salary", "parse_salary", "salary_problem"]

_SYMBOLS = {
    "CA$": "CAD",
    "C$": "CAD",
    "A$": "AUD",
    "AU$": "AUD",
    "NZ$": "NZD",
    "US$": "USD",
    "R$": "BRL",
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "₩": "KRW",
    "zł": "PLN",
}
_CODES = (
    *("USD", "EUR", "GBP", "CAD", "AUD", "NZD", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK"),
    *("HUF", "JPY", "INR", "BRL", "MXN", "SGD", "HKD", "ZAR", "ILS", "AED", "RON", "BGN"),
    *("TRY", "KRW", "CNY", "PHP", "IDR", "NGN", "KES", "UAH"),
)
_PERIODS = (
    ("hour", r"/\s*h(?:ou)?r\b|\bper\s+hour\b|\bhourly\b|\ban\s+hour\b|\bp/?h\b"),
    ("day", r"/\s*day\b|\bper\s+day\b|\bdaily\b|\ba\s+day\b"),
    ("week", r"/\s*w(?:ee)?k\b|\bper\s+week\b|\bweekly\b"),
    ("month", r"/\s*mo(?:nth)?\b|\bper\s+month\b|\bmonthly\b|\ba\s+month\b"),
    (
        "year",
        r"/\s*y(?:ea)?r\b|\bper\s+(?:year|annum)\b|\byearly\b|\bannual(?:ly)?\b|\ba\s+year\b"
        r"|\bp\.a\.?",
    ),
)
_PERIOD_RES = tuple((name, re.compile(pattern, re.IGNORECASE)) for name, pattern in _PERIODS)
_SYMBOL = "|".join(re.escape(symbol) for symbol in sorted(_SYMBOLS, key=len, reverse=True))


def _amount(name: str) -> str:
    """The pattern of one amount: an optional symbol, digits, an optional k/m suffix."""
    symbol = rf"(?:(?P<{name}sym>{_SYMBOL})\s?)?"
    after = rf"(?:\s?(?P<{name}post>{_SYMBOL}))?"  # "50.000 €", "45k€"
    return rf"{symbol}(?P<{name}num>\d[\d,.' ]*\d|\d)\s?(?P<{name}mult>[kKmM]\b)?{after}"


_RANGE = re.compile(  # a code may follow either end: "$151,500 USD - $227,300 USD"
    _amount("lo")
    + r"(?:(?:\s?[A-Z]{3})?\s*(?:-|\u2013|\u2014|to|and)\s*(?:[A-Z]{3}\s?)?"
    + _amount("hi")
    + r")?"
)
_UP_TO = re.compile(r"\b(?:up\s+to|max(?:imum)?|until)\s*$", re.IGNORECASE)
_CODE = re.compile(r"\b(" + "|".join(_CODES) + r")\b")
_MULTIPLIERS = {"k": 1_000.0, "m": 1_000_000.0}
_YEARLY_FLOOR = 1_000.0  # a year's pay below this is a typo or a placeholder


@dataclass(frozen=True, slots=True)
class Salary:
    """An amount or range of pay; ``period`` is hour, day, week, month or year (or None)."""

    min: float | None
    max: float | None
    currency: str | None
    period: str | None


NO_SALARY = Salary(None, None, None, None)
"""No pay stated: what a scraper passes on when ``believable_salary`` gives None."""


def parse_salary(text: str | None) -> Salary | None:
    """The first amount or range ``text`` states, with its currency and period; else None.

    Reads ``$120,000 - $150,000 USD``, ``€75k-110k`` (the ``k`` applies to both ends),
    ``$150 - 210K USD + equity``, ``Salary up to $185,500`` (a maximum only), ``$18 - $22/hr``
    and ``120.000 EUR``. Later ranges (an OTE, a senior band) are ignored. A currency comes
    from a symbol (``$`` is USD, ``CA$`` CAD) or an ISO code in the text. Never raises.
    """
    cleaned = clean_text(text)
    for match in _RANGE.finditer(cleaned):
        symbol = next(
            filter(None, (match.group(f"{n}{k}") for n in ("lo", "hi") for k in ("sym", "post"))),
            None,
        )
        if not (symbol or _has_code(cleaned)):
            continue  # a bare number ("2 years", "380M profiles") without a currency
        low = _number(match.group("lonum"))
        high = _number(match.group("hinum")) if match.group("hinum") else None
        if low is None:
            continue
        low, high = _scaled(low, match.group("lomult"), high, match.group("himult"))
        if high is None and _UP_TO.search(cleaned[: match.start()]):
            low, high = None, low
        code = _CODE.search(cleaned)
        currency = code.group(1) if code else _SYMBOLS.get(symbol or "")
        return Salary(low, high, currency, _period(cleaned))
    return None


def believable_salary(text: str | None) -> Salary | None:
    """``parse_salary(text)`` when ``salary_problem`` finds nothing wrong with it, else None."""
    salary = parse_salary(text)
    if salary is None or salary_problem(salary.min, salary.max, salary.period):
        return None
    return salary


def salary_problem(low: float | None, high: float | None, period: str | None) -> str | None:
    """Why ``low``..``high`` is not a believable salary (None when it is).

    Refused: no amount, an amount of zero or less, a minimum above the maximum, less than 1
    in any period (``0.01``: a placeholder), and under 1,000 a year.
    """
    amounts = [amount for amount in (low, high) if amount is not None]
    if not amounts:
        return "no amount"
    if min(amounts) <= 0:
        return f"amount {min(amounts):g} is not positive"
    if low is not None and high is not None and low > high:
        return f"minimum {low:g} is above maximum {high:g}"
    if max(amounts) < 1:
        return f"amount {max(amounts):g} is a placeholder"
    if period == "year" and max(amounts) < _YEARLY_FLOOR:
        return f"{max(amounts):g} a year is not a salary"
    return None


def _has_code(text: str) -> bool:
    return _CODE.search(text) is not None


def _number(text: str) -> float | None:
    """``120,000``, ``120.000``, ``1 200``, ``75.00``, ``1.234,56`` as a float."""
    digits = text.replace(" ", "").replace("'", "")
    if "," in digits and "." in digits:
        decimal = "," if digits.rfind(",") > digits.rfind(".") else "."
        digits = digits.replace("." if decimal == "," else ",", "").replace(decimal, ".")
    elif "," in digits or "." in digits:
        mark = "," if "," in digits else "."
        parts = digits.split(mark)
        grouped = len(parts) > 2 or len(parts[-1]) == 3
        digits = "".join(parts) if grouped else ".".join(parts)
    try:
        return float(digits)
    except ValueError:
        return None


def _scaled(
    low: float, low_mult: str | None, high: float | None, high_mult: str | None
) -> tuple[float, float | None]:
    """Apply ``k``/``m``; one suffix covers both ends (``75k-110``, ``150 - 210K``)."""
    low_factor = _MULTIPLIERS[low_mult.lower()] if low_mult else None
    high_factor = _MULTIPLIERS[high_mult.lower()] if high_mult else None
    if high is None:
        return low * (low_factor or 1.0), None
    if low_factor is None and high_factor and low * high_factor <= high * high_factor:
        low_factor = high_factor
    if high_factor is None and low_factor and high < low:
        high_factor = low_factor
    return low * (low_factor or 1.0), high * (high_factor or 1.0)


def _period(text: str) -> str | None:
    """The pay period ``text`` names first (by position), else None."""
    found = [(m.start(), name) for name, regex in _PERIOD_RES if (m := regex.search(text))]
    return min(found)[1] if found else None
