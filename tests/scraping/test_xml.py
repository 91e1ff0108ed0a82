"""parse_xml: the safe XML reader of feed scrapers (Personio; RSS sources may share it)."""

from __future__ import annotations

import pytest

from jobping import PayloadError, parse_xml

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


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "expected XML, got an empty body"),
        ("  \n", "expected XML, got an empty body"),
        ("<!DOCTYPE html><html><body>502</body></html>", "expected XML, got HTML"),
        ("<HTML><body>Not found</body></HTML>", "expected XML, got HTML"),
        ("<feed><entry></feed>", "not well-formed XML: mismatched tag"),
        ("just text", "not well-formed XML"),
    ],
)
def test_what_is_not_xml_is_a_payload_error(text: str, message: str) -> None:
    """Empty bodies, HTML pages and broken XML are refused, saying which."""
    with pytest.raises(PayloadError, match=message):
        parse_xml(text)


@pytest.mark.parametrize(
    "text",
    [
        '<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><feed>&b;</feed>',
        '<?xml version="1.0"?><!DOCTYPE feed SYSTEM "http://127.0.0.1:9/evil.dtd"><feed/>',
        '<!DOCTYPE feed [<!ENTITY x SYSTEM "file:///etc/passwd">]><feed>&x;</feed>',
    ],
    ids=["entity-expansion", "external-dtd", "external-entity"],
)
def test_a_dtd_is_refused_before_any_entity_is_read(text: str) -> None:
    """Entity expansion ("billion laughs"), external DTDs and external entities are refused."""
    with pytest.raises(PayloadError, match="DOCTYPE"):
        parse_xml(text)
