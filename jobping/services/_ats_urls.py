"""Which ATS a URL belongs to, and its board token: each ATS's known URL forms.

``board_of(url)`` reads a careers page, a job's page, an embed script or an API URL
(``boards.greenhouse.io/X``, ``jobs.lever.co/X/...``, ``X.wd5.myworkdayjobs.com/en-US/Site``,
``X.jobs.personio.de``...) as the scraper that reads that board and the target to give it.
``boards_in(html)`` does the same for every URL a page links, embeds or mentions (an
``<iframe>``, a ``<script src>``, an ``<a href>``, a URL in inline script). Pure functions.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

__all__ = ["Board", "board_of", "boards_in"]

_SLUG = r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_GENERIC = frozenset({"www", "api", "app", "jobs", "careers", "help", "support", "static"})
_LOCALE = re.compile(r"[a-z]{2}(?:-[A-Za-z]{2})?")
_URL = re.compile(r"""(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}(?:/[^\s"'<>()\\]*)?""")

# (scraper, host pattern, path pattern): the token is the first group that matched.
_PATH_FORMS = (
    ("greenhouse", r"(?:job-)?boards(?:\.eu)?\.greenhouse\.io", rf"/(?!embed/)({_SLUG})"),
    ("greenhouse", r"boards-api(?:\.eu)?\.greenhouse\.io", rf"/v1/boards/({_SLUG})"),
    ("lever", r"jobs(?:\.eu)?\.lever\.co", rf"/({_SLUG})"),
    ("lever", r"api(?:\.eu)?\.lever\.co", rf"/v0/postings/({_SLUG})"),
    ("ashby", r"jobs\.ashbyhq\.com", rf"/({_SLUG})"),
    ("ashby", r"api\.ashbyhq\.com", rf"/posting-api/job-board/({_SLUG})"),
    ("workable", r"apply\.workable\.com", rf"/api/v1/widget/accounts/({_SLUG})"),
    ("workable", r"apply\.workable\.com", rf"/(?!api/|j/)({_SLUG})"),
    ("smartrecruiters", r"(?:jobs|careers)\.smartrecruiters\.com", rf"/({_SLUG})"),
    ("smartrecruiters", r"api\.smartrecruiters\.com", rf"/v1/companies/({_SLUG})"),
    ("rippling", r"ats\.rippling\.com", rf"/(?:api/v2/board/)?({_SLUG})"),
)
# (scraper, host pattern with the token as its first group): the board is a subdomain.
_HOST_FORMS = (
    ("recruitee", rf"({_LABEL})\.recruitee\.com"),
    ("personio", rf"({_LABEL})\.jobs\.personio\.(?:de|com)"),
    ("bamboohr", rf"({_LABEL})\.bamboohr\.com"),
    ("breezy", rf"({_LABEL})\.breezy\.hr"),
    ("pinpoint", rf"({_LABEL})\.pinpointhq\.com"),
    ("teamtailor", rf"({_LABEL})\.teamtailor\.com"),
)
_WORKDAY = re.compile(rf"({_LABEL})\.(wd\d+)\.myworkday(jobs|site)\.com")


@dataclass(frozen=True, slots=True)
class Board:
    """A board found: the scraper that reads it and the target to configure."""

    scraper: str
    target: str


def board_of(url: str) -> Board | None:
    """The board ``url`` belongs to, or None when it is no known ATS URL."""
    parts = urlsplit(url if "//" in url else f"https://{url}")
    host = (parts.hostname or "").lower()
    path = unquote(parts.path)
    if host in {"boards.greenhouse.io", "job-boards.greenhouse.io"} and path.startswith("/embed"):
        token = parse_qs(parts.query).get("for", [""])[0]
        return Board("greenhouse", token) if re.fullmatch(_SLUG, token) else None
    if match := _WORKDAY.fullmatch(host):
        host = match.group(0) if match.group(3) == "site" else f"{match.group(1)}.{match.group(2)}"
        return _workday(host, match.group(1), path)
    for scraper, host_form, path_form in _PATH_FORMS:
        if re.fullmatch(host_form, host) and (found := re.match(path_form, path)):
            return Board(scraper, found.group(1))
    for scraper, host_form in _HOST_FORMS:
        if (found := re.fullmatch(host_form, host)) and found.group(1) not in _GENERIC:
            return Board(scraper, found.group(1))
    return None


def boards_in(page: str) -> list[Board]:
    """Every board the URLs of an HTML page (or any text) point at, in page order, once."""
    found: dict[Board, None] = {}
    for url in _URL.findall(html.unescape(page)):
        if (board := board_of(url)) is not None:
            found.setdefault(board)
    return list(found)


def _workday(host: str, tenant: str, path: str) -> Board | None:
    """``host/tenant/Site`` from a site's page (``/en-US/Site/job/...``) or its API URL.

    The host is ``tenant.wdN`` for myworkdayjobs.com, the whole host for myworkdaysite.com.
    """
    segments = [segment for segment in path.split("/") if segment]
    if segments[:2] == ["wday", "cxs"] and len(segments) >= 4:
        tenant, site = segments[2], segments[3]
    else:
        if segments and _LOCALE.fullmatch(segments[0]):
            segments = segments[1:]
        if not segments or not re.fullmatch(_SLUG, segments[0]):
            return None
        site = segments[0]
    return Board("workday", f"{host}/{tenant}/{site}")
