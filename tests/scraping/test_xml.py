"""``parse_xml``: the safe XML reader of feed scrapers (Personio, We Work Remotely)."""

from __future__ import annotations

import pytest

from jobping import ItemError, parse_xml

FEED = """\ufeff<?xml version="1.0" encoding="UTF-8"?>
<workzag-jobs>
\t<position>
    <name>How you&#039;ll &amp; why</name>
    <value><![CDATA[<strong>bold</strong> & <em>raw</em>]]></value>
  </position>
</workzag-jobs>"""


def test_entities_and_cdata_read_as_text() -> None:
    """Numeric and predefined references decode; CDATA keeps its markup as text; BOM skipped."""
    root = parse_xml(FEED)

    assert root.tag == "workzag-jobs"
    assert root.findtext("position/name") == "How you'll & why"
    assert root.findtext("position/value") == "<strong>bold</strong> & <em>raw</em>"


def test_namespace_prefixes_stay_and_escaped_html_reads_as_html() -> None:
    """Prefixed tags keep their prefix; entity-escaped HTML comes back as HTML text."""
    root = parse_xml(
        '\ufeff<rss xmlns:media="http://search.yahoo.com/mrss"><channel><item>'
        '<media:content url="x"/><description>&lt;p&gt;Hi &amp; bye&lt;/p&gt;</description>'
        "</item></channel></rss>"
    )

    item = root.find("channel/item")
    assert item is not None
    assert [child.tag for child in item] == ["media:content", "description"]
    assert item.findtext("description") == "<p>Hi & bye</p>"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "expected XML, got an empty body"),
        ("  \n", "expected XML, got an empty body"),
        ("<!DOCTYPE html><html><body>502</body></html>", "expected XML, got an HTML page"),
        ("<HTML><body>Not found</body></HTML>", "expected XML, got an HTML page"),
        ("<feed><entry></feed>", r"invalid XML \(mismatched tag"),
        ("<a><b></a>", "invalid XML"),
        ("just text", "invalid XML"),
    ],
)
def test_what_is_not_xml_is_refused_saying_why(text: str, message: str) -> None:
    """Empty bodies, HTML pages and broken XML raise ``ItemError`` (the target fails)."""
    with pytest.raises(ItemError, match=message):
        parse_xml(text)


@pytest.mark.parametrize(
    "text",
    [
        '<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><feed>&b;</feed>',
        '<?xml version="1.0"?><!DOCTYPE feed SYSTEM "http://127.0.0.1:9/evil.dtd"><feed/>',
        '<!DOCTYPE feed [<!ENTITY x SYSTEM "file:///etc/passwd">]><feed>&x;</feed>',
        '<!DOCTYPE r [<!ENTITY x "x">]><r>&x;</r>',
        '<!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd"><r/>',
    ],
    ids=["entity-expansion", "external-dtd", "external-entity", "internal-entity", "system-dtd"],
)
def test_a_dtd_is_refused_before_any_entity_is_read(text: str) -> None:
    """Entity expansion ("billion laughs"), external DTDs and external entities are refused."""
    with pytest.raises(ItemError, match=r"XML with a DTD refused \(<!DOCTYPE"):
        parse_xml(text)
