"""Text cleanup: HTML to plain text, unicode and whitespace normalization, clean titles."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from html import unescape
from html.parser import HTMLParser

import regex

__all__ = ["clean_text", "clean_title", "html_to_text"]

# What clean_text drops: control (Cc), format (Cf: zero-width space and joiner, BOM, soft
# hyphen, bidi marks) and lone surrogates (Cs), except what Python counts as whitespace
# (tabs, newlines, the separators U+001C-U+001F), which becomes a space. One `regex` pass
# (it knows Unicode categories; `re` does not) instead of a Python loop per character.
_DROPPED = regex.compile(r"[[\p{Cc}\p{Cf}\p{Cs}]--[\s\x1c-\x1f]]", regex.V1)

_SKIPPED = frozenset({"script", "style", "head", "template", "noscript"})
_PARAGRAPHS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "blockquote", "pre", "hr"}
)
_LINES = frozenset({"div", "li", "tr", "dt", "dd", "section", "article", "header", "footer"})
_LISTS = frozenset({"ul", "ol"})
_CELLS = frozenset({"td", "th"})

_MARKUP = re.compile(r"<[a-zA-Z/!?]")  # what a tag, comment or declaration starts with
_ESCAPED_MARKUP = re.compile(r"&lt;/?[a-zA-Z]")  # the same, entity-escaped (Greenhouse)
_ANY_TAG = re.compile(r"<[^<>]*>")


def clean_text(s: str | None) -> str:
    """Return ``s`` as one clean line: NFKC, no control or zero-width chars, single spaces.

    Every kind of whitespace (tabs, newlines, no-break spaces) becomes one space; control
    characters, format characters (zero-width space and joiner, BOM, soft hyphen) and lone
    surrogates are removed; the result is stripped. ``None`` gives ``""``.
    """
    if not s:
        return ""
    kept = _DROPPED.sub("", s)
    if not kept.isascii():
        kept = unicodedata.normalize("NFKC", kept)
    return " ".join(kept.split())


def clean_title(s: str | None) -> str:
    """Return a title as one clean line: tags dropped, entities decoded, text cleaned.

    For titles carrying markup, like Adzuna's ``<strong>Software</strong> Engineer``.
    """
    return clean_text(html_to_text(s))


def html_to_text(html: str | None) -> str:
    """Return readable plain text for an HTML fragment; never raises.

    Entity-escaped HTML (Greenhouse ``content``: ``&lt;p&gt;Hello&lt;/p&gt;``, with no raw
    ``<`` in it) is unescaped first. Block elements (``p``, ``div``, ``br``, ``li``,
    ``h1``-``h6``, ``tr`` ...) end lines, paragraphs are separated by one blank line (not
    inside lists), list items start with ``"- "``, ``script`` and ``style`` are dropped and
    entities decoded. Each line is cleaned like :func:`clean_text`; there is never more than
    one blank line in a row, and none at either end. Text without markup keeps its own line
    breaks.
    """
    if not html:
        return ""
    text = html
    if "<" not in text and _ESCAPED_MARKUP.search(text):
        text = unescape(text)
    if _MARKUP.search(text):
        parser = _TextExtractor()
        try:
            return _tidy(parser.extract(text))
        except AssertionError:  # html.parser gives up on some malformed declarations ("<![;")
            text = _ANY_TAG.sub("\n", text)
    return _tidy(unescape(text).splitlines())


def _tidy(lines: Iterable[str]) -> str:
    """Clean each line and keep at most one blank line between non-blank ones."""
    out: list[str] = []
    gap = False
    for raw in lines:
        line = clean_text(raw)
        if not line:
            gap = True
            continue
        if gap and out:
            out.append("")
        out.append(line)
        gap = False
    return "\n".join(out)


class _TextExtractor(HTMLParser):
    """Collect the text of an HTML fragment as lines; ``""`` marks a paragraph break."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._out: list[str] = []
        self._line: list[str] = []  # pieces of the current line; non-empty only once it has text
        self._skipping = 0  # depth inside script/style
        self._lists = 0  # depth inside ul/ol
        self._in_item = False  # inside an li (Lever sends li without ul)
        self._bullet = False  # the next text starts a list item

    def extract(self, text: str) -> list[str]:
        """Parse ``text`` and return its lines (raw: still to be cleaned)."""
        self.feed(text)
        self.close()
        self._break()
        return self._out

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skipping += 1
        elif tag == "br":
            self._break(paragraph=not self._line)  # a second <br> in a row makes a paragraph
        elif tag == "li":
            self._break()
            self._in_item = self._bullet = True
        elif tag in _CELLS and self._line:
            self._line.append(" ")
        elif tag in _PARAGRAPHS or tag in _LINES:
            self._break(paragraph=tag in _PARAGRAPHS)
        if tag in _LISTS:
            self._lists += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        if tag in _LISTS or tag == "li":
            self._in_item = False
        if tag in _LISTS:
            self._lists = max(0, self._lists - 1)
        if tag in _PARAGRAPHS or tag in _LINES:
            self._break(paragraph=tag in _PARAGRAPHS)

    def handle_data(self, data: str) -> None:
        if self._skipping or (not self._line and not data.strip()):
            return
        if not self._line and self._bullet:
            self._line.append("- ")
            self._bullet = False
        self._line.append(data)

    def _break(self, *, paragraph: bool = False) -> None:
        """End the current line; a paragraph break outside lists also leaves a blank line."""
        if self._line:
            self._out.append("".join(self._line))
            self._line = []
        if paragraph and not (self._lists or self._in_item):
            self._out.append("")
