"""``jobping discover``: from a careers page or a job's URL, the ATS and the board token.

A URL of a known ATS form names its board at once (``_ats_urls``); any other URL is fetched
(through the ``ScrapeClient``: counted in the site's quota, retried, behind its breaker) and
the page's embeds, iframes, scripts and links are read for one. Each URL gives its boards
or the reason it gave none; ``config_lines`` writes the ``[scrapers.X]`` sections to add.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from jobping.errors import ScrapeError, SkipError
from jobping.http import ScrapeClient
from jobping.services._ats_urls import Board, board_of, boards_in
from jobping.services._store import settings_store
from jobping.settings import Settings

__all__ = ["Discovery", "config_lines", "discover_boards"]


@dataclasses.dataclass(slots=True)
class Discovery:
    """What one URL gave: its boards, how they were found, or why none was."""

    url: str
    boards: list[Board] = dataclasses.field(default_factory=list)
    found_by: str | None = None
    """``url`` (its shape) or ``page`` (the fetched page's embeds and links)."""
    problem: str | None = None


async def discover_boards(urls: Sequence[str], settings: Settings) -> list[Discovery]:
    """The boards of each URL: by its shape, else by fetching it (one GET each)."""
    found = [Discovery(url, [board], "url") if (board := board_of(url)) else None for url in urls]
    pending = [url for url, done in zip(urls, found, strict=True) if done is None]
    fetched: dict[str, Discovery] = {}
    if pending:
        async with (
            settings_store(settings) as store,
            ScrapeClient.from_settings(settings, store) as client,
        ):
            for url in pending:
                fetched[url] = await _from_page(client, url)
    return [done or fetched[url] for url, done in zip(urls, found, strict=True)]


def config_lines(discoveries: Sequence[Discovery]) -> str:
    """The ``[scrapers.X]`` sections with the targets found, in the order first found."""
    targets: dict[str, list[str]] = {}
    for discovery in discoveries:
        for board in discovery.boards:
            chosen = targets.setdefault(board.scraper, [])
            if board.target not in chosen:
                chosen.append(board.target)
    sections = [
        f"[scrapers.{name}]\ntargets = [{', '.join(_toml_string(t) for t in chosen)}]"
        for name, chosen in targets.items()
    ]
    return "\n\n".join(sections)


async def _from_page(client: ScrapeClient, url: str) -> Discovery:
    """Fetch ``url`` and read its boards; a failed fetch or no board is the problem."""
    if not url.startswith(("http://", "https://")):
        return Discovery(url, problem="not an http(s) URL of a known ATS")
    try:
        page = await client.get_text(url)
    except (ScrapeError, SkipError) as exc:
        return Discovery(url, problem=f"could not fetch the page: {exc}")
    boards = boards_in(page)
    if not boards:
        return Discovery(url, problem="no ATS embed, iframe, script or link on the page")
    return Discovery(url, boards, "page")


def _toml_string(text: str) -> str:
    """``text`` as a TOML basic string (a token has no quote or backslash to escape)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
