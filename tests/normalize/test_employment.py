"""``employment_type``: a source's words for the terms of a job, in one vocabulary (#15)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobping.models import EmploymentType
from jobping.normalize import EMPLOYMENT_TYPES, employment_type
from jobping.normalize._employment import _employment_type


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("FullTime", "full_time"),  # Ashby
        ("FULLTIME", "full_time"),  # JSearch
        ("CONTRACTOR", "contract"),
        ("PARTTIME", "part_time"),
        ("fulltime_permanent", "full_time"),  # Recruitee
        ("full_time, permanent", "full_time"),  # Adzuna contract_time + contract_type
        ("part_time, contract", "contract"),
        ("Full-time", "full_time"),  # Workable, SmartRecruiters label, Greenhouse metadata
        ("Intern", "internship"),
        ("Short Term", "temporary"),  # Lever commitment
        ("freelance", "contract"),  # Remotive
        ("Working student", "part_time"),  # Arbeitnow
        ("Dual studies", "internship"),
        ("permanent, full-time", "full_time"),  # Personio employmentType + schedule
        ("Full-time Intern", "internship"),
        ("Part-time permanent", "part_time"),
        ("Temp to perm", "temporary"),
        ("Teilzeit", "part_time"),
        ("Other", "other"),  # Breezy
        ("berufserfahren", "other"),
    ],
)
def test_source_words_map_to_the_vocabulary(raw: str, expected: str) -> None:
    """Casing, separators and camel case do not matter; the first matching rule wins."""
    assert employment_type(raw) == EmploymentType(expected)


@pytest.mark.parametrize("raw", [None, "", "   ", "\u00a0\n"])
def test_no_words_is_not_stated(raw: str | None) -> None:
    """Nothing stated is None, not ``other``."""
    assert employment_type(raw) is None


@given(st.text(max_size=40))
def test_any_text_maps_without_raising(raw: str) -> None:
    """Every text gives a member of the vocabulary, or None."""
    assert employment_type(raw) in (None, *EmploymentType)


def test_the_vocabulary_is_the_job_column_s() -> None:
    """normalize (a leaf) spells the vocabulary as ``EmploymentType`` does, in full."""
    assert set(EmploymentType) == set(EMPLOYMENT_TYPES)


def test_words_seen_again_are_read_once() -> None:
    """#16: a source's words, repeated on every job, are mapped once (a bounded cache)."""
    _employment_type.cache_clear()
    assert [employment_type("Full-time") for _ in range(3)] == ["full_time"] * 3
    info = _employment_type.cache_info()
    assert (info.misses, info.hits, info.maxsize) == (1, 2, 1024)
