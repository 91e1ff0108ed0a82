"""Text and XML feeds for scrapers: one text GET through the context, and a safe XML parser.

RSS boards (We Work Remotely) answer XML, not JSON. ``fetch_text`` sends the GET through the
scrape context (counted like ``ctx.get_json``); ``parse_xml`` reads the body with expat
and refuses any DTD (no entity declarations, so no entity expansion and no external
entity), turning every problem into ``ItemError`` so the target fails with a clear reason.
"""

from __future__ import annotations

import xml.parsers.expat
from collections.abc import Mapping
from typing import Any, NoReturn, Protocol, runtime_checkable
from xml.etree.ElementTree import Element, TreeBuilder

from jobping.scraping._base import ScrapeContext
from jobping.scraping._item import ItemError

__all__ = ["fetch_text", "parse_xml"]


@runtime_checkable
class _TextClient(Protocol):
    """A client that can return a body as text (``ScrapeClient`` is one)."""

    async def get_text(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> str:
        """GET ``url`` and return its body as text."""
        ...


async def fetch_text(
    ctx: ScrapeContext,
    path: str,
    *,
    params: Mapping[str, str | int] | None = None,
    headers: Mapping[str, str] | None = None,
) -> str:
    """GET ``path`` under the context's base URL and return the body as text; counts the request.

    Raises:
        TypeError: the context's client cannot return text (a JSON-only fake).
    """
    client: Any = ctx.client
    if not isinstance(client, _TextClient):
        raise TypeError(f"{type(client).__name__} has no get_text(): it cannot fetch a feed")
    ctx.requests += 1
    return await client.get_text(ctx.url(path), params=params, headers=headers)


def parse_xml(text: str) -> Element:
    """The root element of an XML document; namespace prefixes are kept in tag names.

    Raises:
        ItemError: the text is not well-formed XML, or it declares a DTD or an entity.
    """
    builder = TreeBuilder()
    parser = xml.parsers.expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_entity
    try:
        parser.Parse(text.removeprefix("\ufeff"), True)
        return builder.close()
    except xml.parsers.expat.ExpatError as exc:
        start = text.lstrip()[:60]
        raise ItemError(f"invalid XML ({exc}), starting {start!r}") from None


def _refuse_doctype(name: str, *_args: object) -> NoReturn:
    """Refuse a DTD: a feed has no use for one, and its entities are an attack vector."""
    if name.lower() == "html":
        raise ItemError("expected XML, got an HTML page")
    raise ItemError(f"XML with a DTD refused (<!DOCTYPE {name[:40]}>)")


def _refuse_entity(name: str, *_args: object) -> NoReturn:
    """Refuse an entity declaration (one outside a DTD is refused as well)."""
    raise ItemError(f"XML declaring an entity refused ({name[:40]!r})")
