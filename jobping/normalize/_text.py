"""Text cleanup: HTML to plain text, unicode and whitespace normalization, clean titles."""

from __future__ import annotations

import re
import unicodedata
from html import unescape

from jobping.normalize._html import html_lines

__all__ = ["clean_text", "clean_title", "folded_text", "html_to_text"]

# What clean_text drops: controls that are not whitespace (Python's whitespace, U+001C-U+001F
# and U+0085 included, becomes a space), lone surrogates, noncharacters, and the invisible
# format characters: soft hyphen, zero-width space, word joiner and invisible operators,
# BOM, Mongolian vowel separator, bidi marks, embeddings, overrides and isolates,
# interlinear annotation marks. Other format characters are kept: they are visible (Arabic
# number signs) or shape what a reader sees; two kinds only in context (_IN_CONTEXT).
# Plain `re` classes (measured 10x faster than `regex`'s Unicode properties), two of them:
# `re` looks a character up in a bitmap only when its class stays within the BMP, so the
# astral one (noncharacters of planes 1-16) is searched only in text that has such chars.
_PLANES = range(0x10000, 0x110000, 0x10000)
_DROPPED = re.compile(
    "[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u00ad\u061c\u180e\u200b\u200e\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff\ufdd0-\ufdef"
    "\ufffe\uffff]"
)
_DROPPED_ASTRAL = re.compile(
    "[{}]".format("".join(chr(plane + 0xFFFE) + chr(plane + 0xFFFF) for plane in _PLANES))
)
_ASCII_DROPPED = re.compile("[\x00-\x08\x0e-\x1b\x7f]")  # the same, for ASCII text
# UTF-8 lead bytes of characters outside the BMP: finding them in the encoded text is
# faster than any scan of the text for such characters (max(), a class or a range).
_ASTRAL_LEADS = (b"\xf0", b"\xf1", b"\xf2", b"\xf3", b"\xf4")
# A zero-width (non-)joiner is kept between two visible non-ASCII characters (emoji
# sequences, Persian, Indic scripts), tag characters only in a flag after U+1F3F4 (England,
# Scotland, Wales): group 1 is kept, the rest of a match dropped.
_VISIBLE = "[^\x00-\x7f\\s\u200c\u200d\U000e0000-\U000e007f]"
_IN_CONTEXT = re.compile(
    "(\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f)"
    f"|[\u200c\u200d](?<!{_VISIBLE}[\u200c\u200d])|[\u200c\u200d](?!{_VISIBLE})"
    "|[\U000e0000-\U000e007f]"
)
_JOINERS = re.compile("[\u200c\u200d]")
_JOINERS_ASTRAL = re.compile("[\U000e0000-\U000e007f]")  # tag characters

_MARKUP = re.compile(r"<[a-zA-Z/!?]")  # what a tag, comment or declaration starts with
_ESCAPED_MARKUP = re.compile(r"&lt;/?[a-zA-Z]")  # the same, entity-escaped (Greenhouse)
_ANY_TAG = re.compile(r"<[^<>]*>")
_LINES_APART = "\u2029"  # paragraph separator: whitespace, and a starter NFC never composes
_BLANK_LINES = re.compile("\n\n\n+")  # two blank lines or more, once lines are joined


def clean_text(s: str | None) -> str:
    """Return ``s`` as one clean line: NFC, no control or invisible chars, single spaces.

    Every kind of whitespace (tabs, newlines, no-break spaces) becomes one space; controls,
    lone surrogates, noncharacters and invisible format characters (zero-width space, BOM,
    soft hyphen, bidi controls) are removed; the result is stripped. Unicode is composed
    (NFC), never folded: "RiskOS\u2122", "I\u00b2C", "\u00bc" and full-width letters stay as
    the reader sees them. ``None`` gives ``""``.
    """
    return " ".join(_characters(s).split()) if s else ""


def _characters(s: str) -> str:
    """``s`` in NFC without the characters clean_text drops; whitespace left as it is."""
    if s.isprintable():  # no control, format, unassigned or surrogate char: none to drop
        return (
            s
            if s.isascii() or unicodedata.is_normalized("NFC", s)
            else unicodedata.normalize("NFC", s)
        )
    if s.isascii():
        return _ASCII_DROPPED.sub("", s) if _ASCII_DROPPED.search(s) else s
    if not unicodedata.is_normalized("NFC", s):
        s = unicodedata.normalize("NFC", s)
    length = len(s)
    encoded = s.encode("utf-8", "surrogatepass")
    astral = any(lead in encoded for lead in _ASTRAL_LEADS)
    if _DROPPED.search(s):
        s = _DROPPED.sub("", s)
    if astral and _DROPPED_ASTRAL.search(s):
        s = _DROPPED_ASTRAL.sub("", s)
    if "\u200c" in s or "\u200d" in s or (astral and _JOINERS_ASTRAL.search(s)):
        s = _IN_CONTEXT.sub(_kept, s)
    if len(s) < length and not unicodedata.is_normalized("NFC", s):  # a mark met its base
        s = unicodedata.normalize("NFC", s)
    return s


def _kept(match: re.Match[str]) -> str:
    return match[1] or ""


def folded_text(s: str | None) -> str:
    """Return ``s`` cleaned and folded (NFKC, no joiners): for keys and parsing, never shown.

    "RiskOS\u2122" and "RiskOSTM", or full-width and ASCII letters, give the same text, as
    :func:`clean_text` gave before it stopped folding (#15): what identifies a job or is
    parsed as a date must not change with it.
    """
    text = clean_text(s)
    if text.isascii():
        return text
    return " ".join(
        unicodedata.normalize("NFKC", _JOINERS_ASTRAL.sub("", _JOINERS.sub("", text))).split()
    )


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
    if "<" not in html and "&" not in html:  # plain text (a title, say): nothing to decode
        return _tidy(html.splitlines())
    text = html
    if "<" not in text and _ESCAPED_MARKUP.search(text):
        text = _unescape_markup(text)
    if _MARKUP.search(text):
        if (lines := html_lines(text)) is not None:
            return _tidy(lines)
        text = _ANY_TAG.sub("\n", text)  # a marked section ("<![;"): tags dropped
    return _tidy(unescape(text).splitlines())


def _unescape_markup(text: str) -> str:
    """``unescape(text)`` for entity-escaped HTML, the bulk of its entities replaced in C.

    No entity name holds ``<``, ``>`` or ``"``, so replacing ``&lt;``, ``&gt;`` and
    ``&quot;`` first changes no other entity's reading.
    """
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    return unescape(text) if "&" in text else text


def _tidy(lines: list[str]) -> str:
    """Clean each line and keep at most one blank line between non-blank ones.

    The characters of all lines are cleaned in one pass over them joined by U+2029 (to
    clean_text whitespace like any other, and a character nothing composes or joins across).
    One line (a title, say) is :func:`clean_text`'s, which is what the rest gives it.
    """
    if len(lines) == 1:
        return clean_text(lines[0])
    joined = _LINES_APART.join(lines)
    if joined.count(_LINES_APART) != len(lines) - 1:  # a line holds one: a space to it
        joined = _LINES_APART.join(line.replace(_LINES_APART, " ") for line in lines)
    parts = _characters(joined).split(_LINES_APART)
    # Most lines are tidy already: single spaces between words. Every whitespace character
    # but the space is unprintable, so checking that in C spares splitting such a line into
    # words and joining them again.
    text = "\n".join(
        [
            part
            if part.isprintable() and "  " not in part and part[:1] != " " and part[-1:] != " "
            else " ".join(part.split())
            for part in parts
        ]
    )
    return _BLANK_LINES.sub("\n\n", text).strip("\n")
