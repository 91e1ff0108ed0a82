"""Greenhouse pay ranges from job ``metadata`` (#15 part 2).

The recorded boards hold only empty or junk pay fields: Aetion's ``Salary Range (for
external job posting)`` is ``0.0``-``0.0`` on all five jobs, trivago's ``Salary`` and
``Salary Period`` are null. The positive cases put the documented value shapes
(``API-NOTES.md``: ``currency_range`` ``{unit, min_value, max_value}`` with string
amounts, ``currency`` ``{unit, amount}``, text values) into those real jobs.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from jobping.testing import replay
from scrapers.greenhouse import Greenhouse
from tests.scrapers.helpers import fields, payload

pytestmark = pytest.mark.anyio

PATH = "/aetion/jobs"


def aetion() -> dict[str, Any]:
    """Aetion's five recorded jobs in the API's envelope (each with a 0.0-0.0 range)."""
    jobs = payload("greenhouse", "techjobshub-aetion-jobs-wrapped.json")["jobs"]
    return {"jobs": jobs, "meta": {"total": len(jobs)}}


def pay_range(name: str, low: str, high: str, unit: str | None = "USD") -> dict[str, Any]:
    """A ``currency_range`` metadata field."""
    value = {"unit": unit, "min_value": low, "max_value": high}
    return {"id": 1, "name": name, "value": value, "value_type": "currency_range"}


def text_field(name: str, value: str, kind: str = "short_text") -> dict[str, Any]:
    """A text (or single-select) metadata field."""
    return {"id": 2, "name": name, "value": value, "value_type": kind}


async def salaries(*metadata: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The salaries of Aetion's first jobs, each job given the ``metadata`` in turn."""
    board = aetion()
    for job, entries in zip(board["jobs"], metadata, strict=False):
        job["metadata"] = entries
    result = await replay(Greenhouse(), {PATH: board}, "aetion")
    return [fields(job)["salary"] for job in result.jobs[: len(metadata)]]


async def test_recorded_zero_ranges_are_dropped_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Aetion's real 0.0-0.0 ranges give no salary; a debug line names each job and why."""
    caplog.set_level(logging.DEBUG, logger="scrapers._greenhouse_pay")
    result = await replay(Greenhouse(), {PATH: aetion()}, "aetion")

    assert [fields(job)["salary"] for job in result.jobs] == [(None, None, None, None)] * 5
    assert caplog.messages[0] == (
        "greenhouse job 7436946: 'Salary Range (for external job posting)' dropped:"
        " amount 0 is not positive"
    )
    assert len(caplog.messages) == 5


async def test_recorded_null_salary_fields_give_no_salary() -> None:
    """trivago's real ``Salary`` (currency) and ``Salary Period`` fields are null: no salary."""
    jobs = payload("greenhouse", "techjobshub-trivago-jobs-wrapped.json")["jobs"]
    result = await replay(Greenhouse(), {"/trivago/jobs": {"jobs": jobs}}, "trivago")

    assert len(result.jobs) == 10
    assert {fields(job)["salary"] for job in result.jobs} == {(None, None, None, None)}


async def test_a_range_with_a_period_field() -> None:
    """A ``currency_range`` reads with the period a ``Salary Period`` select names."""
    metadata = [
        pay_range("Pay Transparency Range", "120000.0", "150000.0"),
        text_field("Salary Period", "Yearly", "single_select"),
    ]
    assert await salaries(metadata) == [(120000.0, 150000.0, "USD", "year")]


async def test_hourly_and_yearly_ranges_and_other_currencies() -> None:
    """Hourly by name or text, a currency amount, euros and pounds keep their own units."""
    assert await salaries(
        [pay_range("Hourly Pay Range", "25.00", "32.50")],
        [text_field("Pay Range", "$120,000 - $150,000 USD")],
        [
            pay_range("Salary Range", "48000", "60000", unit="EUR"),
            text_field("Pay Frequency", "Annual"),
        ],
        [text_field("Compensation", "£50,000 - £60,000 per year", "long_text")],
        [
            {
                "id": 3,
                "name": "Salary",
                "value": {"unit": "CAD", "amount": "95000"},
                "value_type": "currency",
            }
        ],
    ) == [
        (25.0, 32.5, "USD", "hour"),
        (120000.0, 150000.0, "USD", None),
        (48000.0, 60000.0, "EUR", "year"),
        (50000.0, 60000.0, "GBP", "year"),
        (95000.0, None, "CAD", None),
    ]


async def test_several_ranges_widen_within_the_first_currency_and_period() -> None:
    """Pay zones widen the first range; a range in another currency is left out."""
    metadata = [
        pay_range("Pay Range - Zone 1", "150000", "180000"),
        pay_range("Pay Range - Canada", "140000", "200000", unit="CAD"),
        pay_range("Pay Range - Zone 2", "130000", "160000"),
    ]
    assert await salaries(metadata) == [(130000.0, 180000.0, "USD", None)]


async def test_junk_ranges_are_dropped_and_a_good_one_still_wins(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """0.01-0.01 and a minimum above the maximum are dropped with reasons; the next range wins."""
    caplog.set_level(logging.DEBUG, logger="scrapers._greenhouse_pay")
    metadata = [
        pay_range("Pay Transparency Range", "0.01", "0.01"),
        pay_range("Salary Range", "90000", "70000"),
        pay_range("Base Pay", "70000", "90000"),
    ]
    assert await salaries(metadata) == [(70000.0, 90000.0, "USD", None)]
    assert caplog.messages[:2] == [
        "greenhouse job 7436946: 'Pay Transparency Range' dropped: amount 0.01 is a placeholder",
        "greenhouse job 7436946: 'Salary Range' dropped: minimum 90000 is above maximum 70000",
    ]


async def test_fields_that_are_not_pay_are_ignored() -> None:
    """A ``number`` budget id, a user field and a text field without an amount give no salary."""
    metadata = [
        {"id": 4, "name": "Budget ID", "value": "123456.0", "value_type": "number"},
        {"id": 5, "name": "Recruiter", "value": {"name": "x"}, "value_type": "user"},
        text_field("Salary", "Competitive"),
        {"id": 6, "name": "Salary", "value": None, "value_type": "currency_range"},
    ]
    assert await salaries(metadata) == [(None, None, None, None)]
