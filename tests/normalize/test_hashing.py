from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobping.normalize import canonical_url, job_hash
from tests.strategies import plain_urls, url_soup, url_spellings

ADZUNA_URL = "https://www.adzuna.co.uk/jobs/details/5258224185?utm_medium=api&utm_source=ff97ef9b"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # shared/fixtures/adzuna/taxly-gb-search-10results-2025-07.json: redirect_url
        (ADZUNA_URL, "https://www.adzuna.co.uk/jobs/details/5258224185"),
        # shared/fixtures/greenhouse/techjobshub-databricks-jobs-wrapped.json: gh_jid is the job
        (
            "https://databricks.com/company/careers/open-positions/job?gh_jid=8559344002"
            "&gh_src=abc&utm_campaign=x",
            "https://databricks.com/company/careers/open-positions/job?gh_jid=8559344002",
        ),
        # shared/fixtures/greenhouse/techjobshub-trivago-jobs-wrapped.json: kept as it is
        (
            "https://careers.trivago.com/apply/8623731002.?gh_jid=8623731002",
            "https://careers.trivago.com/apply/8623731002.?gh_jid=8623731002",
        ),
        # shared/fixtures/lever/hunt-spotify-postings-trimmed.json: hostedUrl + Lever tracking
        (
            "https://jobs.lever.co/spotify/2193db3f-77c5-43b8-b030-8f92c9882bf1"
            "?lever-source%5B%5D=LinkedIn&lever-origin=applied",
            "https://jobs.lever.co/spotify/2193db3f-77c5-43b8-b030-8f92c9882bf1",
        ),
        # shared/fixtures/greenhouse/gitlab-jobs-content-true-trimmed.json: absolute_url
        (
            "HTTPS://Job-Boards.Greenhouse.io:443/gitlab/jobs/8503792002/#app",
            "https://job-boards.greenhouse.io/gitlab/jobs/8503792002",
        ),
        (
            "http://example.com:8080/a/?b=2&a=1&fbclid=x&ref=home",
            "http://example.com:8080/a?a=1&b=2",
        ),
        ("https://example.com", "https://example.com/"),
        ("https://example.com///", "https://example.com/"),
        ("https://user:secret@example.com/job", "https://example.com/job"),
        ("https://apply.workable.com/acme/#/jobs/123", "https://apply.workable.com/acme#/jobs/123"),
        ("http://[::1]:80/x", "http://[::1]/x"),
        ("  https://example.com/job?q=a+b  ", "https://example.com/job?q=a+b"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    """Case, default port, fragment, tracking, order and trailing slash are normalized."""
    assert canonical_url(url) == expected


@pytest.mark.parametrize("text", ["not a url", " /relative/path/ ", "http://[::1", "mailto:x"])
def test_canonical_url_leaves_non_urls_stripped(text: str) -> None:
    """Text that is not an absolute URL with a host comes back stripped, not rewritten."""
    assert canonical_url(text) == text.strip()


def test_hash_is_pinned() -> None:
    """Stored hashes must never change meaning: these values are fixed forever."""
    assert job_hash(source="greenhouse", source_id="8503792002") == (
        "66bda33eadb60780557d3cb6753fb67b"
    )
    assert job_hash(source="adzuna", url=ADZUNA_URL) == "77c8f10783c4f0bc234b9706c038b0dd"
    assert job_hash(source="reed", company="Costa Coffee", title="Barista") == (
        "b620dc43d87868598547a497ae398714"
    )


def test_hash_is_32_hex_chars() -> None:
    """A hash is 32 lower-case hex characters (128 bits of sha256)."""
    assert re.fullmatch(r"[0-9a-f]{32}", job_hash(source="lever", source_id="abc"))


def test_source_id_decides_over_url() -> None:
    """With a source id, the URL does not matter; the id is read as clean text, case kept."""
    first = job_hash(source="greenhouse", source_id="8503792002", url="https://a.example/1")
    again = job_hash(source=" Greenhouse", source_id="\ufeff8503792002 ", url="https://b.example")
    assert first == again
    assert job_hash(source="jsearch", source_id="aBc=") != job_hash(
        source="jsearch", source_id="abc="
    )


def test_same_id_in_two_sources_differs() -> None:
    """Ids are unique within their source only."""
    assert job_hash(source="lever", source_id="1") != job_hash(source="ashby", source_id="1")


def test_url_hash_ignores_tracking_and_source() -> None:
    """Without an id, the canonical URL alone decides: tracking and source do not count."""
    other_tracking = ADZUNA_URL.replace("ff97ef9b", "00000000")
    assert job_hash(source="adzuna", url=ADZUNA_URL) == job_hash(
        source="jsearch", url=other_tracking
    )


def test_gh_jid_tells_postings_apart() -> None:
    """Two company-site postings differing only in ``gh_jid`` get different hashes."""
    base = "https://careers.airbnb.com/positions/?gh_jid="
    assert job_hash(source="greenhouse", url=base + "7995153") != job_hash(
        source="greenhouse", url=base + "7995199"
    )


def test_text_hash_ignores_tags_case_and_spacing() -> None:
    """The last resort reads company and title as clean, case-folded text."""
    plain = job_hash(source="adzuna", company="Acme Ltd", title="Software Engineer")
    noisy = job_hash(
        source="Adzuna", company=" ACME  ltd", title="<strong>Software</strong> Engineer"
    )
    assert plain == noisy
    assert plain != job_hash(source="adzuna", company="Acme Ltd", title="Software Architect")


@pytest.mark.parametrize(
    ("source", "fields"),
    [
        ("", {"source_id": "1"}),
        ("greenhouse", {}),
        ("greenhouse", {"source_id": "  ", "url": ""}),
        ("greenhouse", {"company": "Acme"}),
        ("greenhouse", {"title": "<b></b>", "company": "Acme"}),
    ],
)
def test_nothing_identifying_raises(source: str, fields: dict[str, str]) -> None:
    """A job with no source, or no id, URL or company and title, is a ValueError."""
    with pytest.raises(ValueError, match="job_hash"):
        job_hash(source=source, **fields)


@given(url_spellings())
def test_hash_stable_under_tracking_and_order(urls: tuple[str, str]) -> None:
    """Tracking params, param order, case, default port, slash and fragment do not count."""
    plain, noisy = urls
    assert canonical_url(noisy) == canonical_url(plain)
    assert job_hash(source="board", url=noisy) == job_hash(source="board", url=plain)


@given(plain_urls(), plain_urls())
def test_different_pages_hash_differently(first: str, second: str) -> None:
    """Two URLs naming different pages never share a hash."""
    if canonical_url(first) != canonical_url(second):
        assert job_hash(source="board", url=first) != job_hash(source="board", url=second)


@given(plain_urls() | url_soup | st.text())
def test_canonical_url_is_idempotent(url: str) -> None:
    """Making a canonical URL canonical again changes nothing, for any text."""
    once = canonical_url(url)
    assert canonical_url(once) == once


def test_hash_keys_fold_compatibility_forms_as_before_issue_15() -> None:
    """Regression #15: keys still fold (NFKC), so stored jobs keep their hashes.

    The pinned values were computed by the implementation before #15.
    """
    folded = "a9f1acb4f2ecff3d1bb3b70d566cebaa"
    title = "Apache Spark\u2122 Engineer \u00bc I\u00b2C"
    assert job_hash(source="adzuna", company="\uff21cme\u00a0Co", title=title) == folded
    plain = "Apache SparkTM Engineer 1\u20444 I2C"
    assert job_hash(source="adzuna", company="Acme Co", title=plain) == folded
    by_url = "b92cb1d02384a020039049bd3b720970"
    assert job_hash(source="\uff38", url="https://ex.com/\uff4a\uff4f\uff42\uff53/1") == by_url
    assert job_hash(source="x", url="https://ex.com/jobs/1?utm_source=a") == by_url
    by_id = "6ad91691cee0415b5dda910c77fe71fb"
    assert job_hash(source="x", source_id="\ufeff\uff21-1\u200b") == by_id
    assert job_hash(source="x", source_id="A-1") == by_id


_PATH_CHARS = st.characters(codec="utf-8", exclude_characters="?#", exclude_categories=("Z", "Cc"))


@given(
    st.sampled_from(["http", "https"]),
    st.from_regex(r"[a-z0-9.-]{1,20}", fullmatch=True),
    st.text(_PATH_CHARS, max_size=30).map(lambda path: f"/{path}"),
)
def test_plain_url_shortcut_agrees_with_urllib(scheme: str, host: str, path: str) -> None:
    """A URL without query or fragment (the shortcut) reads as with an empty one (urllib)."""
    url = f"{scheme}://{host}{path}"
    assert canonical_url(url) == canonical_url(f"{url}?") == canonical_url(f"{url}#")
