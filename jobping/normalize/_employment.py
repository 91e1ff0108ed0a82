"""Employment type: a source's own words for the terms of a job, mapped to one vocabulary.

Sources spell it many ways (Ashby ``FullTime``, JSearch ``CONTRACTOR``, Recruitee
``fulltime_permanent``, Adzuna ``full_time`` plus ``permanent``, Arbeitnow ``Working
student``, SmartRecruiters ``intern``). ``employment_type`` reads any of them, several
joined in one text included, by the first rule that matches: internship, then temporary,
contract, part-time and full-time (so "Full-time Intern" is an internship, "Part-time
permanent" part-time). Text that names none of them is ``other``; no text is None.
"""

from __future__ import annotations

import functools
import re

from jobping.normalize._text import clean_text

__all__ = ["EMPLOYMENT_TYPES", "employment_type"]

_RULES = (
    (
        "internship",
        r"intern(?:ship)?s?|praktikum|praktikant\w*|trainee\w*|apprentice\w*|ausbildung"
        r"|dual studies|duales studium",
    ),
    (
        "temporary",
        r"temp(?:orary)?|seasonal|fixed term|short term|befristet|aushilfe|interim",
    ),
    ("contract", r"contract(?:or|ors|s)?|freelance[rs]?|freiberuflich|consultant"),
    (
        "part_time",
        r"part time|parttime|teilzeit|working student|werkstudent\w*|student|minijob|side",
    ),
    (
        "full_time",
        r"full time|fulltime|vollzeit|permanent|regular|festanstellung|unbefristet|salaried",
    ),
)
EMPLOYMENT_TYPES = (*(kind for kind, _words in _RULES), "other")
"""The vocabulary, as ``jobping.models.EmploymentType`` spells it (normalize is a leaf)."""
_PATTERNS = tuple((kind, re.compile(rf"\b(?:{words})\b")) for kind, words in _RULES)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_SEPARATORS = re.compile(r"[\W_]+")


def employment_type(raw: str | None) -> str | None:
    """The vocabulary's name for ``raw`` (a source's words); None when ``raw`` is empty."""
    return _employment_type(raw)


@functools.lru_cache(maxsize=1024)  # a source uses a handful of words for all its jobs (#16)
def _employment_type(raw: str | None) -> str | None:
    text = clean_text(raw)
    if not text:
        return None
    words = _SEPARATORS.sub(" ", _CAMEL.sub(" ", text)).lower()
    for kind, pattern in _PATTERNS:
        if pattern.search(words):
            return kind
    return "other"
