"""Redaction of secrets in URLs, headers and free text: the one list of secret names.

Every URL, header set or message that can reach a log line, an error, an event, a report or
the database goes through one of these functions first. Names are matched case-insensitively;
a query parameter or header is secret when its name is in the lists below.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import unquote_plus, urlsplit, urlunsplit

__all__ = [
    "REDACTED",
    "SECRET_HEADERS",
    "SECRET_PARAMS",
    "is_secret_header",
    "is_secret_param",
    "preview",
    "redact_headers",
    "redact_text",
    "redact_url",
    "secret_values",
]

REDACTED = "[REDACTED]"

SECRET_PARAMS: frozenset[str] = frozenset(
    {
        "access_token",
        "api_key",
        "api-key",
        "apikey",
        "app_id",
        "app_key",
        "auth",
        "client_secret",
        "id_token",
        "key",
        "passwd",
        "password",
        "private_token",
        "pwd",
        "refresh_token",
        "secret",
        "sig",
        "signature",
        "token",
        "x-amz-signature",
    }
)
"""Query parameter names whose values are secrets (lower case)."""

SECRET_HEADERS: frozenset[str] = frozenset(
    {
        "api-key",
        "apikey",
        "authorization",
        "cookie",
        "proxy-authorization",
        "set-cookie",
        "x-api-key",
        "x-auth-token",
        "x-rapidapi-key",
    }
)
"""Header names whose values are secrets (lower case); ``apikey`` is Supabase's."""

_KEY_VALUE = re.compile(
    r"(?P<name>[\w-]+)(?P<head>[\"']?\s*[=:]\s*[\"']?(?:(?:Bearer|Basic|Token)\s+)?)"
    r"(?P<value>[^\s&\"'<>;,]+)",
    re.IGNORECASE,
)


_LOOKAHEAD = 256  # covers a secret_name=value pair whose name starts before a preview's cut
_WORD = re.compile(r"[^\s\"'<>&;,=:]")
_TRAILING_WORD = re.compile(r"[^\s\"'<>&;,=:]+\Z")


def is_secret_param(name: str) -> bool:
    """Whether a query parameter of that name holds a secret."""
    return name.lower() in SECRET_PARAMS


def is_secret_header(name: str) -> bool:
    """Whether a header of that name holds a secret."""
    return name.lower() in SECRET_HEADERS


def redact_url(url: str) -> str:
    """``url`` with secret query values and any userinfo password replaced by ``[REDACTED]``."""
    if "?" not in url and "@" not in url:  # the common case, kept cheap: nothing to hide
        return url
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        user = userinfo.partition(":")[0]
        netloc = f"{user}:{REDACTED}@{hostport}" if ":" in userinfo else netloc
    query = "&".join(_redact_pair(pair) for pair in parts.query.split("&"))
    if netloc == parts.netloc and query == parts.query:
        return url
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _redact_pair(pair: str) -> str:
    name, sep, _ = pair.partition("=")
    return f"{name}={REDACTED}" if sep and is_secret_param(unquote_plus(name)) else pair


def redact_headers(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
    """A copy of ``headers`` with the values of secret headers replaced by ``[REDACTED]``."""
    items = headers.items() if isinstance(headers, Mapping) else headers
    return {name: REDACTED if is_secret_header(name) else value for name, value in items}


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with each known secret value and each ``secret_name=value`` pair redacted.

    ``secrets`` are values known to be secret (an API key read from the settings); values
    shorter than 4 characters are ignored, as replacing them would mangle ordinary text.
    """
    for secret in sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)

    def _mask(match: re.Match[str]) -> str:
        name = match["name"]
        if not (is_secret_param(name) or is_secret_header(name)) or match["value"] == REDACTED:
            return match[0]
        return f"{name}{match['head']}{REDACTED}"

    return _KEY_VALUE.sub(_mask, text)


def preview(text: str, limit: int, secrets: Iterable[str] = ()) -> str:
    """The start of ``text``, at most ``limit`` characters, redacted *before* it is cut.

    Cutting first would split an echoed secret and leave its prefix for ``redact_text`` to
    miss. A word the cut goes through is dropped whole: it may be a secret's prefix.
    """
    known = [s for s in secrets if s]
    window = text[: limit + max(map(len, known), default=0) + _LOOKAHEAD]
    shown = redact_text(window, known)
    if len(shown) <= limit:
        return shown
    cut = shown[:limit]
    if _WORD.match(shown, limit) and _WORD.match(cut, limit - 1):
        cut = _TRAILING_WORD.sub("", cut)
    return cut


def secret_values(url: str, headers: Iterable[tuple[str, str]] = ()) -> list[str]:
    """The secret values carried by a request: secret query values, password, secret headers.

    Feed them to ``redact_text`` before showing text that may echo the request (an error
    page quoting the URL, say).
    """
    parts = urlsplit(url)
    values = [parts.password] if parts.password else []
    for pair in parts.query.split("&"):
        name, sep, value = pair.partition("=")
        if sep and value and is_secret_param(unquote_plus(name)):
            values += {value, unquote_plus(value)}
    for name, value in headers:
        if is_secret_header(name) and value:
            values += {value, value.rpartition(" ")[2]}
    return values
