"""Golden outputs of normalization on every recorded payload, to keep it byte for byte (#16).

``golden.json`` was written by the implementation of #15 (``html.parser``, NFC) before the
single-pass rewrite of #16, with ``python -m tests.normalize.golden``; the rewrite must give
the same bytes. Rewrite it only for a deliberate change of output, and say so in the commit.

It holds, for every distinct recorded payload in ``tests/fixtures/`` and
``jobping/sandbox/payloads/``:

- ``jobs``: the jobs of the HTML-heavy scrapers (Ashby, Greenhouse, Lever, Workable) replayed
  over it, every field;
- ``texts``: for every string in it, in document order, the sha256 (16 hex) of its
  ``html_to_text``, ``clean_text`` and ``clean_title``: every other source's text too.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio

from jobping import Job, Scraper
from jobping.normalize import clean_text, clean_title, html_to_text
from jobping.testing import replay
from scrapers.ashby import Ashby
from scrapers.greenhouse import Greenhouse
from scrapers.lever import Lever
from scrapers.workable import Workable

ROOT = Path(__file__).parents[2]
GOLDEN = Path(__file__).with_name("golden.json")
_DIRS = (ROOT / "tests" / "fixtures", ROOT / "jobping" / "sandbox" / "payloads")
# The request each HTML-heavy scraper makes for target "t" (one page: no payload has 100).
_PATHS: dict[str, tuple[type[Scraper], str]] = {
    "ashby": (Ashby, "/t"),
    "greenhouse": (Greenhouse, "/t/jobs"),
    "lever": (Lever, "/t"),
    "workable": (Workable, "/t"),
}


def recorded_payloads() -> dict[str, Any]:
    """Every distinct recorded payload that decodes, by ``source/file`` (first found)."""
    found: dict[str, Any] = {}
    seen: set[bytes] = set()
    for folder in _DIRS:
        for path in sorted(folder.glob("*/*.json")):
            body = path.read_bytes()
            if body in seen:
                continue
            seen.add(body)
            try:
                found[f"{path.parent.name}/{path.name}"] = json.loads(body.decode("utf-8-sig"))
            except ValueError:  # adzuna's TRUNCATED capture: invalid on purpose
                continue
    return found


def strings(value: Any) -> Iterator[str]:
    """Every string of decoded JSON (keys excluded), in document order."""
    if isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)
    elif isinstance(value, str):
        yield value


def text_digests(payload: Any) -> list[str]:
    """The digest of the cleaned forms of every string of ``payload``."""
    return [
        hashlib.sha256(
            "\0".join((html_to_text(s), clean_text(s), clean_title(s))).encode("utf-8", "replace")
        ).hexdigest()[:16]
        for s in strings(payload)
    ]


async def replayed_jobs(name: str, payload: Any) -> list[dict[str, Any]] | None:
    """The jobs of an HTML-heavy scraper replayed over ``payload``; None for other sources."""
    source = name.split("/", maxsplit=1)[0]
    if source not in _PATHS:
        return None
    scraper, path = _PATHS[source]
    items = payload if isinstance(payload, list) else payload.get("jobs")
    if not items:
        return None
    if source == "greenhouse":  # the envelope (techjobshub's wrapper holds the real array)
        payload = {"jobs": items, "meta": {"total": len(items)}}
    result = await replay(scraper(), {path: payload}, "t")
    return [_fields(job) for job in result.jobs]


def _fields(job: Job) -> dict[str, Any]:
    return {
        key: value.isoformat() if hasattr(value, "isoformat") else value
        for key, value in dataclasses.asdict(job).items()
    }


async def current() -> dict[str, Any]:
    """What the implementation gives now, in the form of ``golden.json``."""
    out: dict[str, Any] = {"jobs": {}, "texts": {}}
    for name, payload in recorded_payloads().items():
        if (jobs := await replayed_jobs(name, payload)) is not None:
            out["jobs"][name] = jobs
        out["texts"][name] = text_digests(payload)
    return out


def main() -> None:
    """Write ``golden.json`` from the implementation as it is."""
    GOLDEN.write_text(
        json.dumps(anyio.run(current), indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    sys.stderr.write(f"wrote {GOLDEN}\n")


if __name__ == "__main__":
    main()
