from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobping.redact import (
    REDACTED,
    preview,
    redact_headers,
    redact_text,
    redact_url,
    secret_values,
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://api.adzuna.com/v1/api/jobs/gb/search/1?app_id=abc&app_key=K3Y&what=python%20dev",
            "https://api.adzuna.com/v1/api/jobs/gb/search/1"
            "?app_id=[REDACTED]&app_key=[REDACTED]&what=python%20dev",
        ),
        (
            "https://x.example/p?API_KEY=1&Token=2&page=3",
            "https://x.example/p?API_KEY=[REDACTED]&Token=[REDACTED]&page=3",
        ),
        ("https://user:hunter2@db.example:5432/x", "https://user:[REDACTED]@db.example:5432/x"),
        ("https://user@db.example/x", "https://user@db.example/x"),
        ("https://x.example/p?page=2&q=key", "https://x.example/p?page=2&q=key"),
        (
            "https://x.example/p?signature=abc&sig=d#frag",
            "https://x.example/p?signature=[REDACTED]&sig=[REDACTED]#frag",
        ),
        ("not a url at all", "not a url at all"),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    """Secret query values and userinfo passwords are replaced; the rest is kept verbatim."""
    assert redact_url(url) == expected


@given(st.text(alphabet=st.characters(categories=["L", "N"]), min_size=4))
def test_redact_url_never_keeps_a_key(value: str) -> None:
    """Whatever the key's value, it is gone from the redacted URL."""
    redacted = redact_url(f"https://jobs.example/search?q=python&api_key={value}")
    assert redacted == f"https://jobs.example/search?q=python&api_key={REDACTED}"


def test_redact_headers() -> None:
    """Secret headers, in any case, are masked; others are kept."""
    headers = {
        "Authorization": "Bearer t",
        "x-rapidapi-key": "k",
        "Cookie": "s=1",
        "apikey": "supabase",
        "Accept": "application/json",
    }
    assert redact_headers(headers) == {
        "Authorization": REDACTED,
        "x-rapidapi-key": REDACTED,
        "Cookie": REDACTED,
        "apikey": REDACTED,
        "Accept": "application/json",
    }
    assert redact_headers([("X-Api-Key", "v")]) == {"X-Api-Key": REDACTED}


def test_redact_text_known_values_and_patterns() -> None:
    """Known secrets, key=value pairs, JSON members and bearer tokens are masked."""
    text = (
        'GET /x?app_key=abc123&page=2 Authorization: Bearer tok456 {"api_key": "zz99"} '
        "status code: 500, leaked s3cretvalue"
    )
    assert redact_text(text, ["s3cretvalue", "ab"]) == (
        "GET /x?app_key=[REDACTED]&page=2 Authorization: Bearer [REDACTED] "
        '{"api_key": "[REDACTED]"} status code: 500, leaked [REDACTED]'
    )


def test_secret_values_of_a_request() -> None:
    """The values to scrub: secret query values (raw and decoded), password, secret headers."""
    values = secret_values(
        "https://u:pw12@x.example/p?key=a%2Bb&page=1",
        [("Authorization", "Bearer tok"), ("Accept", "json")],
    )
    assert set(values) == {"pw12", "a%2Bb", "a+b", "Bearer tok", "tok"}


ECHOED = "MRKJSEARCHKEY0123456789abcdef"


@pytest.mark.parametrize("cut", [1, 4, 8, len(ECHOED) - 1])
def test_preview_redacts_a_known_secret_the_cut_goes_through(cut: int) -> None:
    """Redaction comes before the cut: no prefix of an echoed secret survives (#12)."""
    text = f"upstream said: seen {ECHOED} and more text after it"
    limit = text.index(ECHOED) + cut
    shown = preview(text, limit, [ECHOED])
    assert len(shown) <= limit
    assert ECHOED[:4] not in shown
    assert shown.startswith("upstream said: seen ")


def test_preview_drops_an_unknown_word_cut_in_half() -> None:
    """A word the cut goes through may be a secret nobody named: it is not shown at all."""
    assert preview("token is XYZZYSECRETVALUE123 here", 14) == "token is "


def test_preview_keeps_short_text_and_whole_words() -> None:
    """Text within the limit is only redacted; a cut between words keeps every word."""
    assert preview("page?api_key=abc123 failed", 100) == f"page?api_key={REDACTED} failed"
    assert preview("one two three", 8) == "one two "
