"""``parse_salary`` and ``salary_problem``: pay written as text, and believable amounts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobping.normalize import Salary, believable_salary, parse_salary, salary_problem


@pytest.mark.parametrize(
    ("text", "salary"),
    [
        ("$120,000 - $150,000 USD", Salary(120000.0, 150000.0, "USD", None)),
        ("€75k\u2013110k", Salary(75000.0, 110000.0, "EUR", None)),
        ("$150 - 210K USD + equity", Salary(150000.0, 210000.0, "USD", None)),
        (
            "$160k\u2013$180k ($210k for senior band) + Equity",
            Salary(160000.0, 180000.0, "USD", None),
        ),
        ("Salary up to $185,500 + equity", Salary(None, 185500.0, "USD", None)),
        ("$18 - $22/hr", Salary(18.0, 22.0, "USD", "hour")),
        (
            "£50,000\u2013£60,000/ OTE: £100,000\u2013£120,000",
            Salary(50000.0, 60000.0, "GBP", None),
        ),
        ("$0.05 \u2013 $0.06 / hour", Salary(0.05, 0.06, "USD", "hour")),
        ("£70,000 - £90,000 / year", Salary(70000.0, 90000.0, "GBP", "year")),
        ("120.000 EUR per year", Salary(120000.0, None, "EUR", "year")),
        ("CA$90,000 to CA$110,000", Salary(90000.0, 110000.0, "CAD", None)),
        ("80 000 - 95 000 SEK a month", Salary(80000.0, 95000.0, "SEK", "month")),
        ("1.234,56 € daily", Salary(1234.56, None, "EUR", "day")),
        ("50.000 € - 60.000 € brutto/Jahr", Salary(50000.0, 60000.0, "EUR", None)),
        ("$1 \u2013 $5 / year", Salary(1.0, 5.0, "USD", "year")),  # Breezy
        ("\u00a3100,000", Salary(100000.0, None, "GBP", None)),  # BambooHR
        (
            "$35,000\u2013$45,000 USD/ OTE: 70,000\u201390,000 USD",
            Salary(35000.0, 45000.0, "USD", None),
        ),
        (
            "$80,000 USD/Eligible for additional compensation based on Commission Plan. ",
            Salary(80000.0, None, "USD", None),
        ),
        ("$151,500 USD - $227,300 USD", Salary(151500.0, 227300.0, "USD", None)),  # Workday
        ("\u20ac60k - \u20ac70k per year", Salary(60000.0, 70000.0, "EUR", "year")),
        ("70,000 to 90,000 CAD a year", Salary(70000.0, 90000.0, "CAD", "year")),
        ("$90,000 - $70,000", Salary(90000.0, 70000.0, "USD", None)),
    ],
)
def test_pay_texts_read_as_a_person_reads_them(text: str, salary: Salary) -> None:
    """The first range wins; ``k`` covers both ends; symbols and ISO codes name the currency."""
    assert parse_salary(text) == salary


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "Competitive",
        "2+ years of experience",
        "Pittsburgh, PA 15213",
        "Up to 2 weeks of onboarding",
        "3 days a week in office",
    ],
)
def test_texts_without_a_currency_amount_give_none(text: str | None) -> None:
    """Numbers without a currency (years, postcodes) are no salary."""
    assert parse_salary(text) is None


def test_a_us_state_code_is_no_yearly_period() -> None:
    """``PA`` (Pennsylvania) is not ``p.a.``: the period stays unknown."""
    assert parse_salary("Pittsburgh, PA | $100k") == Salary(100000.0, None, "USD", None)


@pytest.mark.parametrize(
    ("low", "high", "period", "problem"),
    [
        (None, None, None, "no amount"),
        (0.0, 0.0, None, "amount 0 is not positive"),
        (0.01, 0.01, None, "amount 0.01 is a placeholder"),
        (90000.0, 70000.0, "year", "minimum 90000 is above maximum 70000"),
        (50.0, 60.0, "year", "60 a year is not a salary"),
        (50.0, 60.0, "hour", None),
        (None, 185500.0, None, None),
    ],
)
def test_salary_problem_names_what_is_wrong(
    low: float | None, high: float | None, period: str | None, problem: str | None
) -> None:
    """Junk is refused with a reason; believable amounts (an hourly 50-60) pass."""
    assert salary_problem(low, high, period) == problem


@given(st.text(max_size=60))
def test_parse_salary_never_raises(text: str) -> None:
    """Any text gives a salary or None; a range it reads is never negative."""
    salary = parse_salary(text)
    if salary is not None:
        assert all(amount >= 0 for amount in (salary.min, salary.max) if amount is not None)


@pytest.mark.parametrize(
    ("text", "salary"),
    [
        ("$0.05 \u2013 $0.06 / hour", None),  # Breezy's trial board: placeholders
        ("$1 \u2013 $5 / year", None),
        ("$90,000 - $70,000", None),
        ("Competitive", None),
        ("\u00a350,000\u2013\u00a360,000/ OTE", Salary(50000.0, 60000.0, "GBP", None)),
    ],
)
def test_believable_salary_drops_what_salary_problem_refuses(
    text: str, salary: Salary | None
) -> None:
    """The parsed salary when it is believable, else None (never junk in the store)."""
    assert believable_salary(text) == salary
