"""parse_date: the date spellings job boards use, read as timezone-aware UTC datetimes."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from jobping.normalize._text import folded_text

__all__ = ["parse_date"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Epoch numbers above this are milliseconds: 1e11 seconds is the year 5138, while 1e11
# milliseconds is March 1973, before any job posting in an API.
_MILLISECONDS_ABOVE = 1e11
_NUMBER = re.compile(r"[+-]?\d{1,18}(?:\.\d*)?")  # bounded: int() refuses 4,300+ digits
_COMPACT_DATE = re.compile(r"\d{8}")  # "20250701" is ISO 8601 basic, not a 1970 epoch
_UTC_NAME = re.compile(r"\s*(?:UTC|GMT)$", re.IGNORECASE)  # Recruitee: "2024-01-05 10:00:00 UTC"
_DAY_FIRST = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")


def parse_date(value: str | int | float | None) -> datetime | None:
    """Return ``value`` as an aware UTC datetime, or ``None`` when it is not a date we read.

    Read, in this order:

    - epoch numbers (also as strings): seconds, or milliseconds when above 1e11 (Lever);
      eight digits are an ISO date instead (``20250701``);
    - ISO 8601: ``2026-08-10T16:52:46-04:00``, ``2025-06-19T16:06:00Z``, fractional seconds,
      date only (``2025-07-01`` is midnight UTC); a time without offset is taken as UTC;
    - ``dd/mm/yyyy`` or ``dd.mm.yyyy``, always day first (Reed: ``01/06/2023`` is 1 June);
    - RFC 2822: ``Mon, 16 Sep 2013 16:13:48 GMT``.

    Never raises: ``None``, booleans, empty or unreadable text, NaN and out-of-range
    values all give ``None``.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _from_epoch(value)
    if not isinstance(value, str):  # JSON can hand over anything; the type hint is the intent
        return None  # type: ignore[unreachable]
    text = folded_text(value)  # full-width digits are digits to a parser
    if not text:
        return None
    parsers: tuple[Callable[[str], datetime | None], ...] = (
        _from_number,
        _from_iso,
        _from_day_first,
        _from_rfc2822,
    )
    for parse in parsers:
        if (parsed := parse(text)) is not None:
            return parsed
    return None


def _from_epoch(number: int | float) -> datetime | None:
    if not math.isfinite(number):
        return None
    try:
        if abs(number) > _MILLISECONDS_ABOVE:
            return _EPOCH + timedelta(milliseconds=number)
        return _EPOCH + timedelta(seconds=number)
    except OverflowError:
        return None


def _from_iso(text: str) -> datetime | None:
    try:
        return _as_utc(datetime.fromisoformat(_UTC_NAME.sub("+00:00", text)))
    except ValueError:
        return None


def _from_number(text: str) -> datetime | None:
    if not _NUMBER.fullmatch(text) or _COMPACT_DATE.fullmatch(text):
        return None
    return _from_epoch(float(text) if "." in text else int(text))


def _from_day_first(text: str) -> datetime | None:
    match = _DAY_FIRST.fullmatch(text)
    if match is None:
        return None
    day, month, year = (int(group) for group in match.groups())
    try:
        return datetime(year, month, day, tzinfo=UTC)
    except ValueError:
        return None


def _from_rfc2822(text: str) -> datetime | None:
    try:
        return _as_utc(parsedate_to_datetime(text))
    except (ValueError, TypeError, IndexError):
        return None


def _as_utc(moment: datetime) -> datetime | None:
    """Naive datetimes are UTC; aware ones are converted (None when that leaves the range)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return None
