"""The first line of a "Who is hiring?" comment: ``Company | Role | Place | REMOTE | $150k | url``.

A comment is a posting when its first line (up to the first ``<p>`` or line break) is split
by ``|`` into at least two parts. The first part is the company; each other part is read as
a URL, a salary (``parse_salary``), a work mode (remote, hybrid, onsite), an employment type
(left out), a place (a part ``split_location`` finds a city or country in), or else a role.
Roles are the parts naming a job (engineer, designer, ...), else the first unread part.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from jobping import ItemError
from jobping.normalize import believable_salary, parse_salary, split_location

__all__ = ["FirstLine", "first_line"]

_FIRST_LINE = re.compile(r"<p>|\n", re.IGNORECASE)
_LINK = re.compile(r"<a\s[^>]*href=\"([^\"]+)\"[^>]*>.*?</a>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_URL = re.compile(r"\bhttps?://\S+|\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/\S*", re.IGNORECASE)
_REMOTE = re.compile(r"\bremote(?:ly)?\b|\bwfh\b|\banywhere\b", re.IGNORECASE)
_HYBRID = re.compile(r"\bhybrid\b", re.IGNORECASE)
_ONSITE = re.compile(r"\bon-?\s?site\b|\bin[- ]office\b|\bin[- ]person\b", re.IGNORECASE)
_EMPLOYMENT = re.compile(
    r"\b(?:full|part)[- ]?time\b|\bcontract(?:or)?\b|\bpermanent\b|\bintern(?:ship)?s?\b"
    r"|\bfreelance\b|\btemporary\b|\bvisa\b|\bequity\b|\brequired\b",
    re.IGNORECASE,
)
_ROLE = re.compile(
    r"engineer|developer|designer|scientist|specialist|advocate|analyst|manager|architect"
    r"|\blead\b|\bhead\b|director|\bsre\b|\bswe\b|devops|researcher|recruiter|consultant"
    r"|administrator|writer|officer|\bvp\b|\bcto\b|founding|programmer|technician|support"
    r"|marketer|\bsales\b|account executive|product|operations|coordinator|associate",
    re.IGNORECASE,
)
_SALARY_HINT = re.compile(r"[$€£¥₹]\s?\d|\d\s?[kK]\b|\b(?:USD|EUR|GBP|CAD|CHF)\b")


@dataclass(slots=True)
class FirstLine:
    """What a posting's first line states."""

    company: str
    roles: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    modes: list[str] = field(default_factory=list)
    salary: str | None = None
    url: str | None = None
    terms: list[str] = field(default_factory=list)

    @property
    def remote(self) -> bool | None:
        """True when a work-mode part says remote; False when modes are stated but not it."""
        return _mode(self.modes, _REMOTE)

    @property
    def hybrid(self) -> bool | None:
        """As ``remote``, for hybrid."""
        return _mode(self.modes, _HYBRID)

    def pay(self) -> tuple[float | None, float | None, str | None, str | None]:
        """Minimum, maximum, currency and period of the salary part, when it is believable."""
        salary = believable_salary(self.salary)
        if salary is None:
            return None, None, None, None
        return salary.min, salary.max, salary.currency, salary.period


def first_line(comment: str) -> FirstLine:
    """Read the ``|``-separated first line of a comment, or raise ``ItemError``."""
    raw = _FIRST_LINE.split(comment, maxsplit=1)[0]
    links = _LINK.findall(raw)
    text = html.unescape(_TAG.sub(" ", _LINK.sub(" ", raw)))
    parts = [" ".join(part.split()) for part in text.split("|")]
    parts = [part for part in parts if part]
    if len(parts) < 2 and not links:
        raise ItemError(f"not a posting (no 'Company | Role' first line): {text[:60]!r}")
    line = FirstLine(company=parts[0], url=html.unescape(links[0]) if links else None)
    for part in parts[1:]:
        _read_part(line, part)
    if not (line.roles or line.others):
        raise ItemError(f"not a posting (no role on the first line): {text[:60]!r}")
    return line


def _read_part(line: FirstLine, part: str) -> None:
    """File one ``|`` part of the first line under what it states."""
    if _URL.fullmatch(part) or _URL.match(part):
        line.url = line.url or part
    elif _SALARY_HINT.search(part) and parse_salary(part) and line.salary is None:
        line.salary = part
    elif _REMOTE.search(part) or _HYBRID.search(part) or _ONSITE.search(part):
        line.modes.append(part)
    elif _ROLE.search(part):
        line.roles.append(part)
    elif _EMPLOYMENT.search(part):
        line.terms.append(part)
    elif (found := split_location(part)).city or found.country:
        line.places.append(part)
    else:
        line.others.append(part)


def _mode(modes: list[str], word: re.Pattern[str]) -> bool | None:
    """Whether a work-mode part says ``word``; None when the line states no mode."""
    if not modes:
        return None
    return any(word.search(mode) for mode in modes)
