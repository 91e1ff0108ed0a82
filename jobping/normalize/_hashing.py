"""canonical_url and job_hash: one identity per job posting, however it was fetched."""

from __future__ import annotations

import hashlib
import re
from json.encoder import encode_basestring_ascii
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from jobping.normalize._text import folded_text, html_to_text

__all__ = ["TRACKING_PARAMS", "canonical_url", "job_hash"]

# fmt: off
#: Query parameters that say how a visitor arrived, not which job it is (compared in lower
#: case; ``utm_*`` by prefix). ``gh_jid`` is NOT here: on a company's own careers site it is
#: the Greenhouse job id, the only thing telling two postings apart.
TRACKING_PARAMS = frozenset({
    "_ga", "_gl", "_hsenc", "_hsmi", "dclid", "fbclid", "gclid", "gclsrc", "gh_src",
    "hsctatracking", "igshid", "lever-origin", "lever-source", "li_fat_id", "mc_cid", "mc_eid",
    "msclkid", "ref", "ref_src", "refid", "source", "trackingid", "trk", "trkcampaign",
    "twclid", "yclid",
})
# fmt: on
_TRACKING_PREFIXES = ("utm_",)
_DEFAULT_PORTS = {"http": 80, "https": 443}
# A URL with nothing to drop or sort (no port, user, query or fragment; lower-case scheme
# and host): made canonical without urllib, the same as the general path would.
_PLAIN_URL = re.compile(r"(https?)://([a-z0-9.-]+)(/[^?#\s\x00-\x1f\x7f]*)?")
_HASH_CHARS = 32  # 128 bits of sha256: no collision in any realistic number of postings


def canonical_url(url: str) -> str:
    """Return the one spelling of ``url`` that identifies the same page.

    Scheme and host in lower case; default port, user info and fragment dropped (a fragment
    that is a client-side route, ``#/jobs/1`` or ``#!/jobs/1``, is kept); query parameters in
    :data:`TRACKING_PARAMS` or starting with ``utm_`` dropped, the others sorted; a trailing
    ``/`` dropped from the path, an empty path made ``/``. Idempotent. Text that is not an
    absolute URL with a host (or that ``urllib`` cannot split) is returned stripped.
    """
    text = url.strip()
    if (plain := _PLAIN_URL.fullmatch(text)) is not None:
        scheme, host, path = plain.groups()
        return f"{scheme}://{host}{(path or '').rstrip('/') or '/'}"
    try:
        parts = urlsplit(text)
        host, port = parts.hostname, parts.port
    except ValueError:  # a bad IPv6 literal or port
        return text
    if not parts.scheme or not host:
        return text
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS.get(parts.scheme):
        netloc = f"{netloc}:{port}"
    query = urlencode(sorted(_identifying_params(parts.query)))
    fragment = parts.fragment if parts.fragment.startswith(("/", "!/")) else ""
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/") or "/", query, fragment))


def job_hash(
    *,
    source: str,
    source_id: str | None = None,
    url: str | None = None,
    company: str | None = None,
    title: str | None = None,
) -> str:
    """Return the identity of a job posting: 32 hex characters of a sha256.

    The first of these that is present decides, so the same posting always gets the same
    hash and different postings different ones:

    1. ``source`` and ``source_id`` (the board's own id, case kept): the id is unique within
       its source;
    2. otherwise ``canonical_url(url)`` alone, without the source: tracking parameters and
       their order do not matter, and two sources linking one page found one posting;
    3. otherwise ``source``, ``company`` and ``title`` together, tags dropped and case
       folded, as a last resort.

    Text is cleaned and folded first (:func:`~jobping.normalize.folded_text`): whitespace,
    BOM and zero-width characters do not count, and compatibility forms are folded (NFKC:
    "Spark\u2122" and "SparkTM", full-width and ASCII letters are one key). Unlike the text
    a person reads, a key folds on purpose: it must find the same posting however it was
    typed, and it must stay what it was before ``clean_text`` stopped folding (#15), or every
    stored job would come back as a new one.

    Raises:
        ValueError: ``source`` is empty, or neither a source id, a URL, nor both a company
            and a title is given.
    """
    source_key = folded_text(source).casefold()
    if not source_key:
        raise ValueError("job_hash needs a non-empty source")
    if source_id_key := folded_text(source_id):
        identity = ["id", source_key, source_id_key]
    elif url and (url_key := canonical_url(folded_text(url))):
        identity = ["url", url_key]
    elif (company_key := folded_text(html_to_text(company)).casefold()) and (
        title_key := folded_text(html_to_text(title)).casefold()
    ):
        identity = ["text", source_key, company_key, title_key]
    else:
        raise ValueError(
            f"job_hash for source {source_key!r} needs a source_id, a url, "
            "or both a company and a title"
        )
    encoded = f"[{', '.join(map(encode_basestring_ascii, identity))}]"  # json.dumps(identity)
    digest = hashlib.sha256(encoded.encode("ascii")).hexdigest()
    return digest[:_HASH_CHARS]


def _identifying_params(query: str) -> list[tuple[str, str]]:
    """Return the query's parameters without the tracking ones."""
    return [
        (key, value)
        for key, value in parse_qsl(query, keep_blank_values=True)
        if not _is_tracking(key)
    ]


def _is_tracking(key: str) -> bool:
    name = key.lower().removesuffix("[]")  # Lever links carry "lever-source[]=..."
    return name in TRACKING_PARAMS or name.startswith(_TRACKING_PREFIXES)
