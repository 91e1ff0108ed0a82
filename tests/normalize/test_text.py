from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobping.normalize import clean_text, clean_title, html_to_text
from tests.strategies import html_soup


def test_greenhouse_escaped_content_becomes_text() -> None:
    """Entity-escaped HTML (shared/fixtures/greenhouse/vcr2013-embed-jobs-content-true.json)."""
    content = (
        "&lt;h3&gt;What we are looking for&lt;/h3&gt;\n&lt;p&gt;Adipisicing vero consequat "
        "aesthetic:&lt;/p&gt;\n&lt;ul&gt;\n&lt;li&gt;Bespoke exercitation viral typewriter."
        "&lt;/li&gt;\n&lt;li&gt;Wayfarers brunch fingerstache bespoke.&lt;/li&gt;\n&lt;/ul&gt;"
        "\n&lt;h3&gt;Required skills &amp;amp; experience&lt;/h3&gt;\n&lt;p&gt;you probably "
        "haven&#x27;t heard of them cred.&lt;/p&gt;"
    )
    assert html_to_text(content) == (
        "What we are looking for\n\n"
        "Adipisicing vero consequat aesthetic:\n\n"
        "- Bespoke exercitation viral typewriter.\n"
        "- Wayfarers brunch fingerstache bespoke.\n\n"
        "Required skills & experience\n\n"
        "you probably haven't heard of them cred."
    )


def test_greenhouse_nbsp_paragraph_leaves_one_blank_line() -> None:
    """An ``&amp;nbsp;`` paragraph adds nothing (shared/fixtures/greenhouse/gitlab-*.json)."""
    content = (
        "&lt;p&gt;to solve complex problems.&lt;/p&gt;\n&lt;p&gt;&amp;nbsp;&lt;/p&gt;"
        "&lt;div class=&quot;content-conclusion&quot;&gt;&lt;h4&gt;&lt;strong&gt;How GitLab "
        "Supports Full-Time Employees&lt;/strong&gt;&lt;/h4&gt;&lt;/div&gt;"
    )
    assert html_to_text(content) == (
        "to solve complex problems.\n\nHow GitLab Supports Full-Time Employees"
    )


def test_lever_list_items_without_ul_are_bullets() -> None:
    """Lever's ``lists[].content`` (shared/fixtures/lever/hunt-spotify-postings-trimmed.json)."""
    content = (
        "<div>\n\n<li>\n<p>Develop and maintain mobile client components.</p>\n</li>\n"
        "<li>\n<p>Build high-quality, well-tested Kotlin code.</p>\n</li></div>"
    )
    assert html_to_text(content) == (
        "- Develop and maintain mobile client components.\n"
        "- Build high-quality, well-tested Kotlin code."
    )


def test_list_ends_with_a_paragraph_break() -> None:
    """Text after a list is a new paragraph; nested items are bullets too."""
    html = "<ol><li>x<ul><li>y</li></ul></li><li>z</li></ol><p>after</p>"
    assert html_to_text(html) == "- x\n- y\n- z\n\nafter"


def test_line_breaks_and_paragraphs() -> None:
    """``<br>`` ends a line, two of them a paragraph; blank lines never pile up."""
    html = "<p>a<br>b<br><br>c</p><p></p><p>&nbsp;</p><div><div>d</div></div><h2>e</h2>"
    assert html_to_text(html) == "a\nb\n\nc\n\nd\n\ne"


def test_script_and_style_are_dropped() -> None:
    """The contents of ``script`` and ``style`` never reach the text."""
    html = "<style>p { color: red }</style><p>Hello</p><script>alert('x')</script> world"
    assert html_to_text(html) == "Hello\n\nworld"


def test_table_cells_are_separated() -> None:
    """Cells of one row share a line, separated by a space."""
    assert html_to_text("<table><tr><td>Salary</td><td>£40k</td></tr></table>") == "Salary £40k"


def test_whitespace_inside_lines_is_collapsed() -> None:
    """Source newlines and runs of spaces inside a paragraph become single spaces."""
    assert html_to_text("<p>  Hello,\n   big\tworld  </p>") == "Hello, big world"


def test_text_without_markup_keeps_its_lines() -> None:
    """Plain text keeps its line breaks; entities are still decoded."""
    assert html_to_text("Line one\n\n\n\nLine   two &amp; three\n") == (
        "Line one\n\nLine two & three"
    )


def test_less_than_sign_in_text_is_not_a_tag() -> None:
    """A ``<`` that starts no tag stays in the text."""
    assert html_to_text("salary < 50k &lt;b&gt;") == "salary < 50k <b>"


@pytest.mark.parametrize("html", [None, "", "   ", "<p></p>", "<script>x</script>"])
def test_empty_input_gives_empty_text(html: str | None) -> None:
    """Nothing to read gives ``""``."""
    assert html_to_text(html) == ""


def test_malformed_declaration_does_not_raise() -> None:
    """``html.parser`` raises on ``<![``; html_to_text falls back to dropping tags."""
    assert html_to_text("<p>Hello</p><![ x") == "Hello\n<![ x"
    assert html_to_text("<![;") == "<![;"


def test_clean_text_drops_invisible_characters_and_collapses_whitespace() -> None:
    """BOM, zero-width, soft hyphen and control characters go; whitespace collapses."""
    raw = "\ufeff  Senior\u00a0Dev\u200bOps\u00ad\x07\n\tEngineer\u2060  "
    assert clean_text(raw) == "Senior DevOps Engineer"


@pytest.mark.parametrize(
    "text",
    [
        "RiskOS\u2122",  # trade mark sign, not "TM"
        "Apache Spark\u2122",
        "I\u00b2C",  # superscript two, not "2"
        "\u00bc",  # vulgar fraction one quarter, not "1\u20444"
        "\u2139\ufe0f info",  # information source emoji, variation selector kept
        "\u3161",  # Hangul letter eu (compatibility jamo), not the conjoining U+1173
        "\uff33\uff45\uff4e\uff49\uff4f\uff52",  # full-width letters are what the reader sees
        "\u0600\u0661\u0662",  # Arabic number sign: a visible format character
    ],
)
def test_clean_text_keeps_symbols_a_reader_sees(text: str) -> None:
    """Regression #15: no compatibility folding (NFKC) of what a person reads."""
    assert clean_text(text) == text
    assert html_to_text(f"<p>{text}</p>") == text


def test_clean_text_composes_to_nfc() -> None:
    """A decomposed accent is composed (NFC), also when an invisible char sat between."""
    assert clean_text("Cafe\u0301") == "Caf\u00e9"
    assert clean_text("Cafe\u200b\u0301") == "Caf\u00e9"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\x00b\x1bc\x7fd", "abcd"),  # C0 controls and DEL
        ("a\x80b\x9fc", "abc"),  # C1 controls
        ("a\x85b\x1fc\x0bd", "a b c d"),  # controls Python counts as whitespace: a space
        ("a\u200bb\u2060c\u200dd\u200ce", "abcde"),  # zero-width chars between Latin letters
        ("\u202eevil\u202c \u202aembedded\u202c \u200eLRM\u200f", "evil embedded LRM"),
        ("\u2066isolate\u2069 \u2067rtl\u2069 \u2068first\u2069", "isolate rtl first"),
        ("\ufeffBOM\ufeff", "BOM"),
        ("lone\ud800 surrogate\udfff", "lone surrogate"),
        ("non\ufdd0char\ufffe\U0001ffff", "nonchar"),
        ("\U000e0041tag", "tag"),  # tag characters outside a flag
    ],
)
def test_clean_text_strips_what_must_go(raw: str, expected: str) -> None:
    """Controls, zero-width chars, bidi controls, BOM, surrogates and noncharacters go."""
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    "text",
    [
        "\U0001f469\u200d\U0001f4bb",  # woman technologist: one emoji through a ZWJ
        "\U0001f3f3\ufe0f\u200d\U0001f308",  # rainbow flag
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian, with a ZWNJ
        "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",  # Scotland
    ],
)
def test_clean_text_keeps_joiners_that_shape_what_is_seen(text: str) -> None:
    """Joiners inside emoji or non-Latin words, and a flag's tag characters, are kept."""
    assert clean_text(text) == text


def test_clean_text_strips_reed_trailing_spaces() -> None:
    """Reed's ``employerName`` (shared/fixtures/reed/taxly-search-100results-2025-07.json)."""
    assert clean_text("Academics ") == "Academics"


def test_clean_text_of_none_is_empty() -> None:
    """``None`` gives ``""``."""
    assert clean_text(None) == ""


def test_clean_title_drops_adzuna_highlight_tags() -> None:
    """Adzuna titles (shared/fixtures/adzuna/us-search-p1-software-newyork-2020-TRUNCATED.json)."""
    assert clean_title("<strong>Software</strong> Engineer") == "Software Engineer"
    assert clean_title("R&amp;D <b>Lead</b>\n(Remote)") == "R&D Lead (Remote)"


@given(st.text() | html_soup)
def test_html_to_text_is_total_and_tidy(html: str) -> None:
    """Any text gives stripped, clean lines with at most one blank line in a row."""
    text = html_to_text(html)
    assert text == text.strip()
    assert "\n\n\n" not in text
    assert all(line == clean_text(line) for line in text.split("\n"))


@given(st.text())
def test_clean_text_is_idempotent_single_line(s: str) -> None:
    """clean_text gives one line with single spaces, and cleaning it again changes nothing."""
    cleaned = clean_text(s)
    assert clean_text(cleaned) == cleaned
    assert "\n" not in cleaned
    assert "  " not in cleaned


_TRICKY = st.sampled_from(
    [
        "a", "e", " ", "\u0301", "\u200b", "\u200c", "\u200d", "\u212a", "\u00e9", "\ufe0f",
        "\U0001f469", "\U0001f3f4", "\U000e0067", "\U000e007f", "\u0645", "\u0600", "\ufeff",
        "\x85", "\x07", "\ud800", "\ufdd0", "\u2122", "\u3161",
    ]
)  # fmt: skip


@given(st.lists(_TRICKY).map("".join))
def test_clean_text_is_idempotent_on_joiners_and_marks(s: str) -> None:
    """Joiners, marks and invisible chars in any order: cleaning twice changes nothing."""
    cleaned = clean_text(s)
    assert clean_text(cleaned) == cleaned
    assert unicodedata.is_normalized("NFC", cleaned)


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>a</p><![CDATA[x<p>y]]><p>b</p>", "a\n\nb"),
        ("<p>a<!-- never closed <b>x</b>", "a<!-- never closed <b>x"),
        ("<SCRIPT>if (a<b) {}</script >after", "after"),
        ("<p>x</p><script>never closed <p>y", "x"),
        ("<a title='x>y' href=\"<p>\">link</a> text", "link text"),
        ("<ul><li>one<li>two</ul>after", "- one\n- two\n\nafter"),
        ("a<br/>b<br /><br/>c", "a\nb\n\nc"),
        ("<p>x</p><!DOCTYPE html><?php echo 1 ?><p>y</p>", "x\n\ny"),
        ("</ p>a</>b</3>c", "abc"),
        ("&not<b>in;</b>", "\u00acin;"),
        ("<div>a</div foo><p/>b", "a\n\nb"),
        ("<P>a</P><DIV>b</DIV >c", "a\n\nb\nc"),
        ("<Li>one<LI>two</UL>x", "- one\n- two\n\nx"),
        ("<bloc\u212aquote>q</BLOCKQUOTE>r", "q\n\nr"),  # "\u212a".lower() is "k"
        ("<p class='x'/>b<BR/>c", "b\nc"),
        ("<STRONG>bold</STRONG> <Em>it</Em>", "bold it"),
        ("<SCRIPT type='x'>a<p>b</SCRIPT>c", "c"),
        ("</P foo>a</Div\tx>b", "a\nb"),
    ],
)
def test_markup_is_read_as_html_parser_reads_it(html: str, expected: str) -> None:
    """Regression #16: the one-pass reader gives what html.parser gave on odd markup."""
    assert html_to_text(html) == expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<ul>\n<li>a\u00a0 b</li>\n<li>c\u3000\u3000d\t</li></ul>", "- a b\n- c d"),
        ("<p>x\u200b y</p><p> z </p>", "x y\n\nz"),
        ("<p>one two</p><p>three</p>", "one two\n\nthree"),
    ],
)
def test_lines_kept_as_they_are_only_when_single_spaced(html: str, expected: str) -> None:
    """Regression #16: a line is kept unsplit only when its whitespace is single spaces.

    Pins the shortcut of ``_tidy``: no-break and ideographic spaces, tabs, doubled or
    edge spaces and invisible characters still go through the whole cleanup.
    """
    assert html_to_text(html) == expected
