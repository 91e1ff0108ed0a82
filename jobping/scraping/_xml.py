"""Safe XML for scrapers of XML feeds: ``parse_xml(text)`` returns an ElementTree element.

RSS boards (We Work Remotely) and Personio's feed answer XML, not JSON; a scraper reads the
body with ``ctx.get_text`` and parses it here. Built on the stdlib's expat with any DOCTYPE
(so any DTD) and any entity declaration refused: no entity expansion, no external fetch.
Predefined and numeric character references (``&amp;``, ``&#039;``) and CDATA sections read
as text, namespace prefixes stay in tag names. Every problem is an ``ItemError``, which
fails the target with a clear reason.
"""

from __future__ import annotations

import xml.parsers.expat
from typing import NoReturn
from xml.etree.ElementTree import Element, TreeBuilder

from jobping.scraping._item import ItemError

__all__ = ["parse_xml"]

_HTML_STARTS = ("<!doctype html", "<html")


def parse_xml(text: str) -> Element:
    """The root element of the XML document ``text``.

    Raises:
        ItemError: the text is empty, an HTML page, not well-formed, or declares a DTD or
            an entity.
    """
    text = text.removeprefix("\ufeff")
    head = text.lstrip()[:20].lower()
    if not head:
        raise ItemError("expected XML, got an empty body")
    if head.startswith(_HTML_STARTS):
        raise ItemError("expected XML, got an HTML page")
    builder = TreeBuilder()
    parser = xml.parsers.expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_entity
    try:
        parser.Parse(text, True)
        return builder.close()
    except xml.parsers.expat.ExpatError as exc:
        start = text.lstrip()[:60]
        raise ItemError(f"invalid XML ({exc}), starting {start!r}") from None


def _refuse_doctype(name: str, *_args: object) -> NoReturn:
    """Refuse a DOCTYPE: a feed has no use for a DTD, and its entities are an attack vector."""
    raise ItemError(f"XML with a DTD refused (<!DOCTYPE {name[:40]}>)")


def _refuse_entity(name: str, *_args: object) -> NoReturn:
    """Refuse an entity declaration (one outside a DTD is refused as well)."""
    raise ItemError(f"XML declaring an entity refused ({name[:40]!r})")
