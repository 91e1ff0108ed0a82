"""parse_salary on the free-text pay of Breezy, BambooHR and Workday descriptions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobping.normalize import Salary, parse_salary


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$0.05 \u2013 $0.06 / hour", Salary(0.05, 0.06, "USD", "hour")),  # Breezy
        ("$1 \u2013 $5 / year", Salary(1.0, 5.0, "USD", "year")),
        ("\u00a3100,000", Salary(100000.0, 100000.0, "GBP", None)),  # BambooHR
        (
            "\u00a350,000\u2013\u00a360,000/ OTE: \u00a3100,000\u2013\u00a3120,000",
            Salary(50000.0, 60000.0, "GBP", None),
        ),
        (
            "$35,000\u2013$45,000 USD/ OTE: 70,000\u201390,000 USD",
            Salary(35000.0, 45000.0, "USD", None),
        ),
        (
            "$80,000 USD/Eligible for additional compensation based on Commission Plan. ",
            Salary(80000.0, 80000.0, "USD", None),
        ),
        ("$151,500 USD - $227,300 USD", Salary(151500.0, 227300.0, "USD", None)),  # Workday
        ("\u20ac60k - \u20ac70k per year", Salary(60000.0, 70000.0, "EUR", "year")),
        ("70,000 to 90,000 CAD a year", Salary(70000.0, 90000.0, "CAD", "year")),
        ("$90,000 - $70,000", Salary(70000.0, 90000.0, "USD", None)),
    ],
)
def test_the_first_amount_or_range_with_currency_and_period(text: str, expected: Salary) -> None:
    """The base pay: first range, ISO code or symbol, the unit right after it."""
    assert parse_salary(text) == expected


@pytest.mark.parametrize(
    "text", [None, "", "Competitive", "Up to 2 weeks of onboarding", "3 days a week in office"]
)
def test_text_without_pay_reads_as_nothing(text: str | None) -> None:
    """No amount, or a number without any currency, is not pay."""
    assert parse_salary(text) == Salary()


@given(st.text(max_size=60))
def test_any_text_parses_without_raising(text: str) -> None:
    """parse_salary is total: a Salary whose minimum never exceeds its maximum."""
    salary = parse_salary(text)
    if salary.minimum is not None:
        assert salary.maximum is not None
        assert salary.minimum <= salary.maximum
        assert salary.currency
