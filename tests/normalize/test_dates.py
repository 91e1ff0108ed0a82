from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobping.normalize import parse_date
from tests.strategies import date_spellings, day_first_dates, instants


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # shared/fixtures/greenhouse/gitlab-jobs-content-true-trimmed.json: updated_at
        ("2026-08-10T16:52:46-04:00", datetime(2026, 8, 10, 20, 52, 46, tzinfo=UTC)),
        # shared/fixtures/adzuna/taxly-gb-search-10results-2025-07.json: created
        ("2025-06-19T16:06:00Z", datetime(2025, 6, 19, 16, 6, tzinfo=UTC)),
        # shared/fixtures/ashby/notion-job-board-trimmed.json: publishedAt
        ("2026-04-02T21:00:55.755+00:00", datetime(2026, 4, 2, 21, 0, 55, 755000, tzinfo=UTC)),
        # shared/fixtures/smartrecruiters/hunt-ubisoft2-postings-limit2.json: releasedDate
        ("2026-09-25T18:18:52.891Z", datetime(2026, 9, 25, 18, 18, 52, 891000, tzinfo=UTC)),
        # shared/fixtures/remotive/remote-jobs-trimmed.json: publication_date, no zone
        ("2026-08-13T06:25:53", datetime(2026, 8, 13, 6, 25, 53, tzinfo=UTC)),
        # shared/fixtures/lever/hunt-spotify-postings-trimmed.json: createdAt, epoch ms
        (1782214185805, datetime(2026, 6, 23, 11, 29, 45, 805000, tzinfo=UTC)),
        # shared/fixtures/arbeitnow/job-board-api-trimmed.json: created_at, epoch seconds
        (1786807824, datetime(2026, 8, 15, 15, 30, 24, tzinfo=UTC)),
        ("1786807824", datetime(2026, 8, 15, 15, 30, 24, tzinfo=UTC)),
        ("1782214185805", datetime(2026, 6, 23, 11, 29, 45, 805000, tzinfo=UTC)),
        (1786807824.5, datetime(2026, 8, 15, 15, 30, 24, 500000, tzinfo=UTC)),
        # shared/fixtures/reed/taxly-search-100results-2025-07.json: date, dd/mm/yyyy
        ("13/07/2025", datetime(2025, 7, 13, tzinfo=UTC)),
        ("01/06/2023", datetime(2023, 6, 1, tzinfo=UTC)),
        ("01.06.2023", datetime(2023, 6, 1, tzinfo=UTC)),
        ("Mon, 16 Sep 2013 16:13:48 GMT", datetime(2013, 9, 16, 16, 13, 48, tzinfo=UTC)),
        ("Mon, 16 Sep 2013 18:13:48 +0200", datetime(2013, 9, 16, 16, 13, 48, tzinfo=UTC)),
        ("2025-07-01", datetime(2025, 7, 1, tzinfo=UTC)),
        ("2024-01-05 10:00:00 UTC", datetime(2024, 1, 5, 10, tzinfo=UTC)),  # Recruitee
        ("\ufeff 2025-06-19T16:06:00Z \n", datetime(2025, 6, 19, 16, 6, tzinfo=UTC)),
    ],
)
def test_parses_real_spellings(value: str | int | float, expected: datetime) -> None:
    """Every date spelling the boards send is read as the right UTC instant."""
    parsed = parse_date(value)
    assert parsed == expected
    assert parsed is not None
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "   ",
        "\ufeff",
        "hace 5 días",  # JSearch v2, relative and localized
        "not a date",
        "31/02/2024",
        "2025-13-01",
        True,
        False,
        float("nan"),
        float("inf"),
        10**30,
        "9" * 30,
        "0001-01-01T00:00:00+01:00",
    ],
)
def test_unreadable_values_give_none(value: str | int | float | None) -> None:
    """What is not a date we read (booleans included) gives None, never an error."""
    assert parse_date(value) is None


@given(date_spellings())
def test_all_spellings_of_an_instant_agree(case: tuple[datetime, list[str | int | float]]) -> None:
    """ISO 8601 in any offset, epoch s and ms (numbers or strings), RFC 2822 agree."""
    instant, spellings = case
    assert [parse_date(spelling) for spelling in spellings] == [instant] * len(spellings)


@given(instants, st.integers(min_value=0, max_value=999))
def test_epoch_milliseconds_keep_milliseconds(instant: datetime, millis: int) -> None:
    """Epoch milliseconds are read to the millisecond, like ISO with fractional seconds."""
    moment = instant.replace(microsecond=millis * 1000)
    epoch_ms = int(instant.timestamp()) * 1000 + millis
    assert parse_date(epoch_ms) == moment
    assert parse_date(moment.isoformat(timespec="milliseconds")) == moment


@given(day_first_dates())
def test_day_first_dates_are_read_day_first(case: tuple[datetime, str]) -> None:
    """``dd/mm/yyyy`` is always day first, midnight UTC."""
    day, spelled = case
    assert parse_date(spelled) == day


@given(st.text() | st.integers() | st.floats() | st.none())
def test_never_raises_and_is_utc(value: str | int | float | None) -> None:
    """Any text or number gives None or an aware UTC datetime."""
    parsed = parse_date(value)
    assert parsed is None or parsed.tzinfo is UTC


def test_full_width_digits_are_read() -> None:
    """Regression #15: dates are parsed from folded text, though clean_text keeps full width."""
    assert parse_date("\uff12\uff10\uff12\uff15-\uff10\uff17-\uff10\uff11") == datetime(
        2025, 7, 1, tzinfo=UTC
    )
