"""The helpers every scraper shares: text, dates, places, pay, employment type, identity.

All of them are pure, fast and total on bad input: text and date helpers never raise (an
unreadable date is ``None``), and only :func:`job_hash` raises, with ``ValueError``, when
nothing identifies a job. :data:`TRACKING_PARAMS` lists the query parameters
:func:`canonical_url` drops (``utm_*``, click ids, referrers) before a URL is hashed.
:func:`employment_type` maps a source's words to one of :data:`EMPLOYMENT_TYPES`.
"""

from jobping.normalize._dates import parse_date
from jobping.normalize._employment import EMPLOYMENT_TYPES, employment_type
from jobping.normalize._hashing import TRACKING_PARAMS, canonical_url, job_hash
from jobping.normalize._location import Location, country_code, split_location
from jobping.normalize._salary import (
    NO_SALARY,
    Salary,
    believable_salary,
    parse_salary,
    salary_problem,
)
from jobping.normalize._text import clean_text, clean_title, html_to_text

__all__ = [
    "EMPLOYMENT_TYPES",
    "NO_SALARY",
    "TRACKING_PARAMS",
    "Location",
    "Salary",
    "believable_salary",
    "canonical_url",
    "clean_text",
    "clean_title",
    "country_code",
    "employment_type",
    "html_to_text",
    "job_hash",
    "parse_date",
    "parse_salary",
    "salary_problem",
    "split_location",
]
