"""Target shapes: what the value of a scraper's target may look like.

Each scraper declares one (``Scraper.target_shape``): a board token, a subdomain, a country
code, free text sent as a query parameter. The default, ``TargetShape.SLUG_PATH``, fits a
board token and ``host/tenant/site``-like paths. A value that becomes a path segment never
starts with a dot, so it is never ``.`` or ``..``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

__all__ = ["TargetShape"]

_SLUG = r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}"


@dataclass(frozen=True, slots=True)
class TargetShape:
    """The shape of a target's value: a regular expression it must match whole, and its name.

    The usual shapes are class attributes: ``SLUG``, ``SLUG_PATH`` (the default),
    ``SUBDOMAIN``, ``COUNTRY_CODE`` and ``FREE_TEXT``; ``one_of("all")`` lists fixed words.
    """

    pattern: str
    description: str
    """What a fitting value looks like, in words, for the error message."""

    SLUG: ClassVar[TargetShape]
    """A board token or company slug: the value becomes one percent-encoded path segment."""
    SLUG_PATH: ClassVar[TargetShape]
    """A token, or a few tokens separated by ``/`` (``host/tenant/site``)."""
    SUBDOMAIN: ClassVar[TargetShape]
    """A DNS label: the value becomes the company's subdomain."""
    COUNTRY_CODE: ClassVar[TargetShape]
    """An ISO 3166-1 alpha-2 country code."""
    FREE_TEXT: ClassVar[TargetShape]
    """Search words: sent as an (encoded) query parameter, never in the path."""

    def fits(self, value: str) -> bool:
        """Whether ``value`` has this shape (``re`` keeps the compiled pattern cached)."""
        return re.fullmatch(self.pattern, value) is not None

    @classmethod
    def one_of(cls, *words: str) -> TargetShape:
        """The shape of a target that is one of ``words`` (``TargetShape.one_of("all")``)."""
        quoted = ", ".join(repr(word) for word in words)
        return cls("|".join(re.escape(word) for word in words), f"one of {quoted}")


TargetShape.SLUG = TargetShape(
    _SLUG, "a board token: letters, digits, '.', '_' or '-', first a letter or digit"
)
TargetShape.SLUG_PATH = TargetShape(
    rf"{_SLUG}(?:/{_SLUG}){{0,7}}",
    "a board token, or tokens separated by '/' (letters, digits, '.', '_' or '-', each"
    " first a letter or digit)",
)
TargetShape.SUBDOMAIN = TargetShape(
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?",
    "a subdomain: letters, digits and '-', not first or last",
)
TargetShape.COUNTRY_CODE = TargetShape(r"[A-Za-z]{2}", "a two-letter country code")
TargetShape.FREE_TEXT = TargetShape(
    r"[^\x00-\x1f\x7f#]{1,200}", "text of 1 to 200 characters, without '#' or control characters"
)
