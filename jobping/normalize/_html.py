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
from itertools import chain

__all__ = ["html_lines"]

_SKIPPED = frozenset({"script", "style", "head", "template", "noscript"})
_PARAGRAPHS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "blockquote", "pre", "hr"}
)
_LINES = frozenset({"div", "li", "tr", "dt", "dd", "section", "article", "header", "footer"})
_LISTS = frozenset({"ul", "ol"})
_CELLS = frozenset({"td", "th"})
_RAW_TEXT = frozenset({"script", "style"})  # their content is text up to their end tag

# One token of markup. A "<" that starts none of these is text, as in html.parser.
_TOKEN = re.compile(
    r"""
    <(?:
        ([a-zA-Z][^\t\n\r\f\ />\x00]*)                    # start tag name
        ([^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*)>         # attributes ("a>b" may hold >)
      | /\s*([a-zA-Z][-.a-zA-Z0-9:_]*)\s*>                # end tag
      | /([a-zA-Z][^\t\n\r\f\ />\x00]*)[^>]*>             # end tag with junk after the name
      | /[^>]*>                                          # bogus end tag: dropped
      | !--.*?--\s*>                                     # comment: dropped
      | (!--)                                            # comment never closed: text
      | (!\[)                                            # marked section
      | !(?!--|\[)[^>]*>                                 # doctype or bogus comment: dropped
      | \?[^>]*>                                         # processing instruction: dropped
    )
    """,
    re.DOTALL | re.VERBOSE,
)
# The groups of _TOKEN, the last one a match fills: a start tag (its attributes), an end tag,
# one with junk after its name, a comment never closed, a marked section.
_START_TAG, _END_TAG, _LOOSE_END_TAG, _OPEN_COMMENT, _MARKED = range(2, 7)
# What a tag does to the lines, looked up once per tag (tags in none of these do nothing).
_BREAK, _PARAGRAPH, _LIST, _ITEM, _LINE_BREAK, _CELL, _SKIP, _RAW = range(8)
_ON_START = (
    dict.fromkeys(_LINES, _BREAK)
    | dict.fromkeys(_PARAGRAPHS, _PARAGRAPH)
    | dict.fromkeys(_LISTS, _LIST)
    | dict.fromkeys(_CELLS, _CELL)
    | dict.fromkeys(_SKIPPED, _SKIP)
    | dict.fromkeys(_RAW_TEXT, _RAW)
    | {"li": _ITEM, "br": _LINE_BREAK}
)
_PARAGRAPH_ENDS = frozenset({_PARAGRAPH, _LIST})
_ON_END = (
    dict.fromkeys(_LINES, _BREAK)
    | dict.fromkeys(_PARAGRAPHS, _PARAGRAPH)
    | dict.fromkeys(_LISTS, _LIST)
    | dict.fromkeys(_SKIPPED, _SKIP)
    | {"li": _ITEM}
)
_SECTION_NAME = re.compile(r"[a-zA-Z][-_.a-zA-Z0-9]*\s*")
_SECTION_ENDS = {
    **dict.fromkeys(("temp", "cdata", "ignore", "include", "rcdata"), re.compile(r"]\s*]\s*>")),
    **dict.fromkeys(("if", "else", "endif"), re.compile(r"]\s*>")),
}
_RAW_TEXT_END = {
    tag: re.compile(rf"</\s*{tag}\s*>", re.IGNORECASE) for tag in _RAW_TEXT
}  # fmt: skip


def html_lines(html: str) -> list[str] | None:  # noqa: PLR0912, PLR0915 - the hot loop (#16)
    """Return the text of ``html`` as raw lines (``""`` is a paragraph break), or None.

    Block elements end lines, paragraphs (outside lists) leave a blank line, ``<br>`` ends a
    line and a second one in a row a paragraph, list items start with ``"- "``, table cells
    are separated by a space; ``script``, ``style``, ``head``, ``template`` and ``noscript``
    are dropped. Lines are not cleaned yet. None when ``html`` holds a marked section that
    html.parser would give up on (``<![`` not followed by a known name).
    """
    out: list[str] = []
    line: list[str] = []  # pieces of the current line; non-empty only once it has text
    skipping = lists = 0  # depth inside script, style and the like; inside ul/ol
    in_item = bullet = False  # inside an li (Lever sends li without ul); next text is an item
    text_from = 0
    restart: int | None = 0  # where to look for tokens again, after a jump over raw text
    while restart is not None:
        tokens = chain(_TOKEN.finditer(html, restart), (None,))  # None: the end of the html
        restart = None
        for match in tokens:
            tag_at, tag_end = (len(html), len(html)) if match is None else match.span()
            if tag_at > text_from and not skipping:  # the text before the tag
                raw = html[text_from:tag_at]
                text = unescape(raw) if "&" in raw else raw
                if line:
                    line.append(text)
                elif text and not text.isspace():
                    line.append(f"- {text}" if bullet else text)
                    bullet = False
            if match is None:
                break
            text_from = tag_end
            group = match.lastindex  # which kind of markup, by the last group it fills
            if group is None:  # a comment, declaration or bogus tag: dropped
                continue
            if group == _START_TAG:
                tag = match[1]
                action = _ON_START.get(tag)
                if action is None and not tag.islower():  # lower(): only for upper case
                    tag = tag.lower()
                    action = _ON_START.get(tag)
                if action is None:
                    continue
                if action <= _LIST:  # a block: p, div, ul ...
                    if line:
                        out.append("".join(line))
                        line = []
                    if action != _BREAK and not (lists or in_item):
                        out.append("")
                    if action == _LIST:
                        lists += 1
                elif action == _ITEM:
                    if line:
                        out.append("".join(line))
                        line = []
                    in_item = bullet = True
                elif action == _LINE_BREAK:
                    if line:
                        out.append("".join(line))
                        line = []
                    elif not (lists or in_item):  # a second <br> in a row makes a paragraph
                        out.append("")
                elif action == _CELL:
                    if line:
                        line.append(" ")
                elif action == _RAW:  # script, style: their text up to their end tag, dropped
                    if html[tag_end - 2] != "/":
                        found = _RAW_TEXT_END[tag].search(html, tag_end)
                        restart = text_from = len(html) if found is None else found.end()
                        break
                    continue
                else:
                    skipping += 1
                if html[tag_end - 2] != "/":  # <br/>: a start and an end tag
                    continue
                closing = tag
            elif group <= _LOOSE_END_TAG:
                closing = match[group]
            else:  # a comment never closed, a marked section
                end = 0 if group == _OPEN_COMMENT else _marked_section(html, tag_at)
                if end is None:
                    return None
                if end:
                    restart = text_from = end  # a marked section (CDATA): dropped
                else:
                    text_from, restart = tag_at, _unfinished(html, tag_at)  # text, not markup
                break
            action = _ON_END.get(closing)
            if action is None and not closing.islower():
                action = _ON_END.get(closing.lower())
            if action is None:
                continue
            if action == _SKIP:
                skipping = max(0, skipping - 1)
                continue
            if action >= _LIST:  # ul, ol, li
                in_item = False
                if action == _LIST:
                    lists = max(0, lists - 1)
            if line:
                out.append("".join(line))
                line = []
            if action in _PARAGRAPH_ENDS and not (lists or in_item):
                out.append("")
    if line:
        out.append("".join(line))
    return out


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
