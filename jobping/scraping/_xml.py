"""Safe XML for scrapers of XML feeds: ``parse_xml(text)`` returns an ElementTree element.

Built on the stdlib's expat with a DOCTYPE (so any DTD or entity declaration) refused:
no entity expansion, no external fetch. Predefined and numeric character references
(``&amp;``, ``&#039;``) and CDATA sections read as text, as in any XML parser.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, TreeBuilder
from xml.parsers.expat import ExpatError, ParserCreate

from jobping.errors import PayloadError

__all__ = ["parse_xml"]

_HTML_STARTS = ("<!doctype html", "<html")


def parse_xml(text: str) -> Element:
    """The root element of the XML document ``text``.

    Raises:
        PayloadError: the text is empty, HTML, not well-formed, or declares a DTD.
    """
    text = text.removeprefix("\ufeff")
    head = text.lstrip().lower()
    if not head:
        raise PayloadError("expected XML, got an empty body")
    if head.startswith(_HTML_STARTS):
        raise PayloadError("expected XML, got HTML")
    builder = TreeBuilder()
    parser = ParserCreate()
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = _refuse_doctype
    try:
        parser.Parse(text, True)
    except ExpatError as exc:
        raise PayloadError(f"not well-formed XML: {exc}") from None
    return builder.close()


def _refuse_doctype(name: str, *_ids: object) -> None:
    """Refuse a DOCTYPE: a DTD could declare entities (billion laughs, external fetch)."""
    raise PayloadError(f"XML with a DOCTYPE ({name}) is refused: DTDs are not read")
