"""The content digest (#16) is exact: equal digests mean equal content, whatever the values."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from jobping.models import EmploymentType, Job, WorkEnvironment
from jobping.store._rows import CONTENT_COLUMNS, content_changed, content_hash
from tests.store import NOW

_ZONES = [UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30))]
_MOMENTS = st.builds(
    lambda minutes, zone: (NOW + timedelta(minutes=minutes)).astimezone(zone),
    st.integers(0, 2),
    st.sampled_from(_ZONES),
)
# Few values per field, so that equal and unequal contents both come up often.
_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "title": st.sampled_from(["Engineer", "engineer", "Engineer\x00", "Ingénieur"]),
    "company": st.sampled_from(["Acme", "Acme ", ""]),
    "location": st.none() | st.sampled_from(["Berlin", "None", ""]),
    "description": st.sampled_from(["", "a" * 800, "a" * 799 + "b"]),
    "work_environment": st.sampled_from(list(WorkEnvironment)),
    "employment_type": st.none() | st.sampled_from(list(EmploymentType)),
    "categories": st.sampled_from([(), ("data",), ("data", "ml"), ("data,ml",)]),
    "posted_at": st.none() | _MOMENTS,
    "salary_min": st.sampled_from([None, 0, 1, 1.0, -0.0, 0.0]),
    "is_internship": st.sampled_from([None, True, False]),
}


def _job(fields: dict[str, Any]) -> Job:
    return Job(job_hash="h", job_url="https://jobs.example.com/1", source="greenhouse", **fields)


jobs = st.fixed_dictionaries(_FIELDS).map(_job)


@given(jobs, st.sampled_from(sorted(_FIELDS)), st.data())
def test_equal_digests_mean_equal_content(job: Job, field: str, data: st.DataObject) -> None:
    """A job and the same with one field drawn again: one digest only if the content is equal."""
    other = dataclasses.replace(job, **{field: data.draw(_FIELDS[field])})

    if content_hash(job) == content_hash(other):
        assert not content_changed(job, other)


@given(jobs)
def test_a_job_built_again_has_its_digest(job: Job) -> None:
    """An equal job parsed again (a new object, new strings) has the same digest."""
    copies: dict[str, Any] = {name: _copy(getattr(job, name)) for name in CONTENT_COLUMNS}

    assert content_hash(Job(job_hash=job.job_hash, **copies)) == content_hash(job)


def test_the_instant_of_posted_at_counts_not_its_zone() -> None:
    """posted_at in another zone at the same instant digests alike; a microsecond apart not."""
    job = Job(job_hash="h", title="t", company="c", job_url="u", source="s", posted_at=NOW)
    elsewhere = dataclasses.replace(job, posted_at=NOW.astimezone(_ZONES[1]))
    later = dataclasses.replace(job, posted_at=NOW + timedelta(microseconds=1))

    assert content_hash(elsewhere) == content_hash(job) != content_hash(later)


def test_a_value_marshal_refuses_is_digested_by_its_repr() -> None:
    """A str subclass in a text field still digests (through repr), unlike its plain twin."""

    class Markup(str):
        __slots__ = ()

    job = Job(job_hash="h", title="t", company="c", job_url="u", source="s")
    marked = dataclasses.replace(job, title=Markup("t"))

    assert content_hash(marked) == content_hash(dataclasses.replace(job, title=Markup("t")))
    assert content_hash(marked) != content_hash(job)


def _copy(value: object) -> object:
    """An equal value that is another object where the type allows it."""
    if type(value) is str:
        return "".join(list(value))
    if isinstance(value, tuple):
        return tuple(_copy(item) for item in value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=value.tzinfo)
    return value
