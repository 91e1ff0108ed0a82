"""An HTML fragment as raw lines of text, in one regex pass over its tags (#16).

It reads tags the way ``html.parser`` does (names up to whitespace, ``/`` or ``>``; quoted
attribute values may hold ``>``; comments, declarations and processing instructions
dropped; ``script`` and ``style`` raw up to their end tag; entities decoded in text) without
its per-character Python work, and is several times faster. Markup ``html.parser`` gives up
on (a marked section ``<![`` not named ``CDATA``, ``if`` and the like) is the caller's to
handle: :func:`html_lines` returns None.
"""

from __future__ import annotations

import re
from html import unescape

__all__ = ["html_lines"]

_SKIPPED = frozenset({"script", "style", "head", "template", "noscript"})
_PARAGRAPHS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "blockquote", "pre", "hr"}
)
_LINES = frozenset({"div", "li", "tr", "dt", "dd", "section", "article", "header", "footer"})
_LISTS = frozenset({"ul", "ol"})
_CELLS = frozenset({"td", "th"})
_RAW_TEXT = frozenset({"script", "style"})  # their content is text up to their end tag
_DROPPED, _START, _END, _TEXT = 0, 1, 2, 3  # token kinds

# One token of markup. A "<" that starts none of these is text, as in html.parser.
_TOKEN = re.compile(
    r"""
    <(?:
        (?P<start>[a-zA-Z][^\t\n\r\f\ />\x00]*)           # start tag name
        (?P<attrs>(?:[^>"']|"[^"]*"|'[^']*')*)>           # attributes ("a>b" may hold >)
      | /\s*(?P<end>[a-zA-Z][-.a-zA-Z0-9:_]*)\s*>         # end tag
      | /(?P<loose_end>[a-zA-Z][^\t\n\r\f\ />\x00]*)[^>]*>  # end tag with junk after the name
      | /[^>]*>                                           # bogus end tag: dropped
      | !--.*?--\s*>                                      # comment
      | (?P<open_comment>!--)                             # comment never closed: text
      | (?P<marked>!\[)                                   # marked section
      | !(?!--|\[)[^>]*>                                  # doctype or bogus comment
      | \?[^>]*>                                          # processing instruction
    )
    """,
    re.DOTALL | re.VERBOSE,
)
_SECTION_NAME = re.compile(r"[a-zA-Z][-_.a-zA-Z0-9]*\s*")
_SECTION_ENDS = {
    **dict.fromkeys(("temp", "cdata", "ignore", "include", "rcdata"), re.compile(r"]\s*]\s*>")),
    **dict.fromkeys(("if", "else", "endif"), re.compile(r"]\s*>")),
}
_RAW_TEXT_END = {
    tag: re.compile(rf"</\s*{tag}\s*>", re.IGNORECASE) for tag in _RAW_TEXT
}  # fmt: skip


def html_lines(html: str) -> list[str] | None:
    """Return the text of ``html`` as raw lines (``""`` is a paragraph break), or None.

    Block elements end lines, paragraphs (outside lists) leave a blank line, ``<br>`` ends a
    line and a second one in a row a paragraph, list items start with ``"- "``, table cells
    are separated by a space; ``script``, ``style``, ``head``, ``template`` and ``noscript``
    are dropped. Lines are not cleaned yet. None when ``html`` holds a marked section
    (``<![``), which this reader does not follow.
    """
    if (tokens := _tokens(html)) is None:
        return None
    lines = _Lines()
    position = 0
    for kind, tag, start, end in tokens:
        if start > position:
            lines.data(html[position:start])
        position = end
        if kind == _START:
            lines.start(tag)
        elif kind == _END:
            lines.end(tag)
        elif kind == _TEXT:
            lines.data(html[start:end])
    if position < len(html):
        lines.data(html[position:])
    return lines.finish()


def _tokens(html: str) -> list[tuple[int, str, int, int]] | None:
    """The tags of ``html``: (kind, lower-case name, start, end) in order; None: give up."""
    tokens: list[tuple[int, str, int, int]] = []
    position = 0
    while (match := _TOKEN.search(html, position)) is not None:
        position = match.end()
        if (name := match["start"]) is not None:
            tag = name.lower()
            if match["attrs"].endswith("/"):  # <br/>: a start and an end tag
                tokens.append((_START, tag, match.start(), position))
                tokens.append((_END, tag, position, position))
                continue
            tokens.append((_START, tag, match.start(), position))
            if tag in _RAW_TEXT:
                closing = _RAW_TEXT_END[tag].search(html, position)
                if closing is None:  # unclosed: the rest is its text
                    tokens.append((_END, tag, len(html), len(html)))
                    break
                tokens.append((_END, tag, closing.start(), closing.end()))
                position = closing.end()
        elif (name := match["end"] or match["loose_end"]) is not None:
            tokens.append((_END, name.lower(), match.start(), position))
        elif match["open_comment"] is not None:
            position = _unfinished(html, match.start())
            tokens.append((_TEXT, "", match.start(), position))
        elif match["marked"] is not None:
            if (end := _marked_section(html, match.start())) is None:
                return None
            kind = _DROPPED if end > 0 else _TEXT
            position = end or _unfinished(html, match.start())
            tokens.append((kind, "", match.start(), position))
        else:  # a comment, declaration or bogus tag: dropped, text on either side apart
            tokens.append((_DROPPED, "", match.start(), position))
    return tokens


def _unfinished(html: str, start: int) -> int:
    """Where the text of markup never finished at ``start`` ends, as html.parser reads it."""
    if (end := html.find(">", start + 1)) >= 0:
        return end + 1
    if (end := html.find("<", start + 1)) >= 0:
        return end
    return start + 1


def _marked_section(html: str, start: int) -> int | None:
    """The end of the marked section at ``start``; 0: unfinished (text); None: give up."""
    name = _SECTION_NAME.match(html, start + 3)
    if start + 3 == len(html) or (name is not None and name.end() == len(html)):
        return 0
    if name is None or (close := _SECTION_ENDS.get(name[0].strip().lower())) is None:
        return None
    found = close.search(html, start + 3)
    return 0 if found is None else found.end()


class _Lines:
    """Collects text as lines while tags open and close; ``""`` marks a paragraph break."""

    __slots__ = ("_bullet", "_in_item", "_line", "_lists", "_out", "_skipping")

    def __init__(self) -> None:
        self._out: list[str] = []
        self._line: list[str] = []  # pieces of the current line; non-empty only once it has text
        self._skipping = 0  # depth inside script, style and the like
        self._lists = 0  # depth inside ul/ol
        self._in_item = False  # inside an li (Lever sends li without ul)
        self._bullet = False  # the next text starts a list item

    def finish(self) -> list[str]:
        """End the last line and return all of them."""
        self._break()
        return self._out

    def start(self, tag: str) -> None:
        """A start tag."""
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

    def end(self, tag: str) -> None:
        """An end tag."""
        if tag in _SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        if tag in _LISTS or tag == "li":
            self._in_item = False
        if tag in _LISTS:
            self._lists = max(0, self._lists - 1)
        if tag in _PARAGRAPHS or tag in _LINES:
            self._break(paragraph=tag in _PARAGRAPHS)

    def data(self, raw: str) -> None:
        """Text between tags, entities still encoded."""
        if self._skipping or (not self._line and (not raw or raw.isspace())):
            return
        text = unescape(raw) if "&" in raw else raw
        if not self._line:
            if not text.strip():
                return
            if self._bullet:
                self._line.append("- ")
                self._bullet = False
        self._line.append(text)

    def _break(self, *, paragraph: bool = False) -> None:
        """End the current line; a paragraph break outside lists also leaves a blank line."""
        if self._line:
            self._out.append("".join(self._line))
            self._line = []
        if paragraph and not (self._lists or self._in_item):
            self._out.append("")
