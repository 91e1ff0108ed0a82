"""The most each text field of a job may hold where jobs enter the store.

A scraped 1 MiB title would be stored verbatim, shown everywhere and sent to the LLM on every
run: long fields are cut where the sink admits a job (the cut counted in the run report and
logged), and a job whose URL is too long is refused, since a cut URL is a wrong link.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from jobping.models import Job
from jobping.settings import Settings

__all__ = ["FieldLimits"]

_CUT_MARK = "…"
_CUT_FIELDS = ("title", "company", "location", "description")
"""The fields cut to their limit (each a field of ``FieldLimits`` and of ``Job``)."""


@dataclass(frozen=True, slots=True)
class FieldLimits:
    """The most characters of each capped field (defaults as in ``Settings``)."""

    title: int = 500
    company: int = 300
    location: int = 500
    description: int = 100_000
    url: int = 2048

    @classmethod
    def from_settings(cls, settings: Settings) -> FieldLimits:
        """The limits the settings give."""
        return cls(
            title=settings.job_max_title_chars,
            company=settings.job_max_company_chars,
            location=settings.job_max_location_chars,
            description=settings.job_max_description_chars,
            url=settings.job_max_url_chars,
        )

    def cap(self, job: Job) -> tuple[Job, list[str]]:
        """``job`` with over-long fields cut (ending in "…"), and the names of those cut.

        Raises:
            ValueError: the job URL is longer than ``url``.
        """
        if len(job.job_url) > self.url:
            raise ValueError(f"job_url is {len(job.job_url)} characters, over {self.url}")
        cuts: dict[str, Any] = {
            name: value[: limit - len(_CUT_MARK)].rstrip() + _CUT_MARK
            for name in _CUT_FIELDS
            if isinstance(value := getattr(job, name), str)
            and len(value) > (limit := getattr(self, name))
        }
        return (dataclasses.replace(job, **cuts) if cuts else job), sorted(cuts)
