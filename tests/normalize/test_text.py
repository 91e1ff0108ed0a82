from __future__ import annotations

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


def test_clean_text_normalizes_unicode_and_whitespace() -> None:
    """BOM, zero-width and control characters go; NFKC; whitespace collapses."""
    fullwidth_senior = "\uff33\uff45\uff4e\uff49\uff4f\uff52"
    raw = f"\ufeff  {fullwidth_senior}\u00a0Dev\u200bOps\u00ad\x07\n\tEngineer  "
    assert clean_text(raw) == "Senior DevOps Engineer"


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
