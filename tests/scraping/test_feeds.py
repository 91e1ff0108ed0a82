"""``fetch_text`` and ``parse_xml``: the feed helpers of the scraper SDK."""

from __future__ import annotations

import pytest

from jobping import ItemError, ScrapeContext, fetch_text, parse_xml
from tests.scrapers.helpers import RecordingClient

pytestmark = pytest.mark.anyio


class JsonOnly:
    """A client with ``get_json`` only."""

    async def get_json(self, url: str, **_kwargs: object) -> object:
        """Never called by ``fetch_text``."""
        raise AssertionError(url)


async def test_fetch_text_sends_the_get_under_the_base_url_and_counts_it() -> None:
    """The path joins the base URL, the parameters pass on, the request is counted."""
    client = RecordingClient("<rss/>")
    ctx = ScrapeContext(scraper="feed", client=client, base_url="https://feed.example/")

    assert await fetch_text(ctx, "/jobs.rss", params={"q": "x"}) == "<rss/>"
    assert client.calls == [("https://feed.example/jobs.rss", {"q": "x"}, {})]
    assert ctx.requests == 1


async def test_fetch_text_names_a_client_that_cannot_return_text() -> None:
    """A JSON-only client is refused with its name, before any request is counted."""
    ctx = ScrapeContext(scraper="feed", client=JsonOnly(), base_url="https://feed.example")

    with pytest.raises(TypeError, match="JsonOnly has no get_text"):
        await fetch_text(ctx, "/jobs.rss")
    assert ctx.requests == 0


def test_parse_xml_keeps_namespace_prefixes_and_unescapes_text() -> None:
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
    ("text", "reason"),
    [
        ("", "invalid XML"),
        ("<a><b></a>", "invalid XML"),
        ("<!DOCTYPE html><html></html>", "expected XML, got an HTML page"),
        ('<!DOCTYPE r [<!ENTITY x "x">]><r>&x;</r>', "XML with a DTD refused"),
        ('<!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd"><r/>', "XML with a DTD refused"),
    ],
)
def test_parse_xml_refuses_bad_documents_and_any_dtd(text: str, reason: str) -> None:
    """Malformed XML, an HTML page, internal entities and external DTDs raise ``ItemError``."""
    with pytest.raises(ItemError, match=reason):
        parse_xml(text)
