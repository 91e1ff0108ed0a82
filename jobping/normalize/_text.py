"""Text cleanup: HTML to plain text, unicode and whitespace normalization, clean titles."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from html import unescape
from html.parser import HTMLParser

import regex

__all__ = ["clean_text", "clean_title", "folded_text", "html_to_text"]

# What clean_text drops, in one `regex` pass (it knows Unicode properties; `re` does not):
# controls (Cc) that are not whitespace (Python's whitespace, U+001C-U+001F included, becomes
# a space), lone surrogates, noncharacters, and the invisible format characters: soft
# hyphen, zero-width space, word joiner and invisible operators, BOM, Mongolian vowel
# separator, bidi marks, embeddings, overrides and isolates, interlinear annotation marks.
# Other format characters are kept: they are visible (Arabic number signs) or shape what a
# reader sees, which is why two are kept only in context: a zero-width (non-)joiner between
# two visible non-ASCII characters (emoji sequences, Persian, Indic scripts) and the tag
# characters of a flag after U+1F3F4 (England, Scotland, Wales).
_INVISIBLE = (
    r"\u00ad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"
    r"\ufeff\ufff9-\ufffb"
)
_VISIBLE_NON_ASCII = r"[^\p{ASCII}\s\p{Cc}\p{Cf}\p{Cs}\p{Noncharacter_Code_Point}]"
_DROPPED = regex.compile(
    rf"""
    [[\p{{Cc}}--[\s\x1c-\x1f]]\p{{Cs}}\p{{Noncharacter_Code_Point}}{_INVISIBLE}]
    | (?<!{_VISIBLE_NON_ASCII})[\u200c\u200d] | [\u200c\u200d](?!{_VISIBLE_NON_ASCII})
    | (?<!\U0001F3F4[\U000E0020-\U000E007F]*)[\U000E0000-\U000E007F]
    """,
    regex.V1 | regex.VERBOSE,
)
_ASCII_DROPPED = re.compile(r"[\x00-\x08\x0e-\x1b\x7f]")  # the same, for ASCII text
_JOINERS = re.compile("[\u200c\u200d\U000e0000-\U000e007f]")

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
    """Return ``s`` as one clean line: NFC, no control or invisible chars, single spaces.

    Every kind of whitespace (tabs, newlines, no-break spaces) becomes one space; controls,
    lone surrogates, noncharacters and invisible format characters (zero-width space, BOM,
    soft hyphen, bidi controls) are removed; the result is stripped. Unicode is composed
    (NFC), never folded: "RiskOS\u2122", "I\u00b2C", "\u00bc" and full-width letters stay as
    the reader sees them. ``None`` gives ``""``.
    """
    if not s:
        return ""
    if s.isascii():
        if _ASCII_DROPPED.search(s):
            s = _ASCII_DROPPED.sub("", s)
        return " ".join(s.split())
    if not unicodedata.is_normalized("NFC", s):
        s = unicodedata.normalize("NFC", s)
    s, dropped = _DROPPED.subn("", s)
    if dropped and not unicodedata.is_normalized("NFC", s):  # a mark met its base again
        s = unicodedata.normalize("NFC", s)
    return " ".join(s.split())


def folded_text(s: str | None) -> str:
    """Return ``s`` cleaned and folded (NFKC, no joiners): for keys and parsing, never shown.

    "RiskOS\u2122" and "RiskOSTM", or full-width and ASCII letters, give the same text, as
    :func:`clean_text` gave before it stopped folding (#15): what identifies a job or is
    parsed as a date must not change with it.
    """
    text = clean_text(s)
    if text.isascii():
        return text
    return " ".join(unicodedata.normalize("NFKC", _JOINERS.sub("", text)).split())


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
