"""Targets checked before any request: a target a scraper does not accept is a config error.

A target's value must have the scraper's shape (``Scraper.target_shape``) and its
``?options`` must be plain ``name=value`` pairs; ``#`` and control characters are refused
anywhere. ``..`` would climb out of the API path, and ``?evil=1#`` would send an empty
token with an injected parameter: both stop the command, naming the scraper and the target.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from jobping.errors import ConfigError
from jobping.scraping._base import Scraper, Target
from jobping.scraping._discovery import ScraperInfo
from jobping.scraping._shapes import TargetShape

__all__ = ["check_configured_targets", "check_targets"]

_OPTION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-\[\]]{0,63}")
_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f#]")


def check_targets(
    scraper: type[Scraper] | Scraper, targets: Iterable[Target], *, key: str | None = None
) -> None:
    """Stop on a target ``scraper`` does not accept, before any request.

    Raises:
        ConfigError: under ``key`` (default: the scraper's ``targets`` setting), naming
            the scraper, each bad target and what was expected.
    """
    if problems := _problems(scraper, targets):
        raise ConfigError({key or _setting(scraper): problems})


def check_configured_targets(rows: Iterable[ScraperInfo]) -> None:
    """Stop on a configured (or default) target that an enabled scraper does not accept.

    Raises:
        ConfigError: naming each such scraper's setting, its bad targets and what it expects.
    """
    problems = {
        _setting(row.scraper): found
        for row in rows
        if row.scraper is not None
        and row.enabled
        and (found := _problems(row.scraper, [Target(text) for text in row.targets]))
    }
    if problems:
        raise ConfigError(problems)


def _problems(scraper: type[Scraper] | Scraper, targets: Iterable[Target]) -> str:
    """What is wrong with each target ``scraper`` does not accept ("" when none)."""
    return "; ".join(
        f"{scraper.name} target {str(target)!r}: {problem}"
        for target in targets
        if (problem := _problem(scraper.target_shape, target))
    )


def _problem(shape: TargetShape, target: Target) -> str | None:
    """Why ``target`` does not fit ``shape`` or has malformed options, or None."""
    text = target.text
    if _FORBIDDEN.search(text):
        return "a target holds no '#' and no control character"
    if not shape.fits(target.value):
        return f"expected {shape.description}"
    for pair in filter(None, text.partition("?")[2].split("&")):
        name, equals, _ = pair.partition("=")
        if not (equals and _OPTION_NAME.fullmatch(name)):
            return f"option {pair!r} is not name=value (a name of letters, digits, '_', '.', '-')"
    return None


def _setting(scraper: type[Scraper] | Scraper) -> str:
    return f"SCRAPERS__{scraper.name.upper()}__TARGETS (scrapers.{scraper.name}.targets)"
