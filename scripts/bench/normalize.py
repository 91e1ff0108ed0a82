"""Benchmark: the whole per-job normalization path against a bare JSON floor, in the same run.

Usage: ``.venv/bin/python scripts/bench/normalize.py [--seconds 1.0] [--rounds 5]``

For each HTML-heavy source (Ashby, Greenhouse with ``content=true``, Lever, Workable), over
every recorded payload of it in ``tests/fixtures/`` and ``jobping/sandbox/payloads/`` (each
distinct file once):

- path: ``json.loads`` of the payload, then the scraper's own ``_job`` mapping of every item
  (``Item`` reads, ``clean_title``/``clean_text``, ``html_to_text``, ``split_location``,
  ``parse_date``, ``canonical_url``, ``job_hash``, ``Job`` construction): what a run does
  per job once the page is fetched;
- floor: ``json.loads`` of the same payload and a plain walk of every value in it.

Each side runs for about ``--seconds`` of CPU per round, the two sides in alternate rounds;
the best of ``--rounds`` rounds counts.
``path/floor`` is how many times slower than the floor the path is, a figure that does not
depend on how busy the machine is. ``speedup`` compares it with the same ratio of the
implementation before issues #15 and #16 (``html.parser``, recorded on this machine by this script
and kept in ``_BEFORE``), so it stays meaningful after that code is gone.
"""

from __future__ import annotations

import argparse
import gc
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jobping import Item, ItemError, Job
from scrapers.ashby import Ashby
from scrapers.greenhouse import Greenhouse
from scrapers.lever import Lever
from scrapers.workable import Workable

_ROOT = Path(__file__).resolve().parents[2]
_DIRS = (_ROOT / "tests" / "fixtures", _ROOT / "jobping" / "sandbox" / "payloads")

# path/floor of the implementation before #15 and #16 (html.parser, NFKC), per source: the
# median of three runs of this script (CPU time, alternate rounds, 5 rounds of 0.5 s) on
# commit 842db8e (`git archive 842db8e jobping scrapers` put first on PYTHONPATH). Path
# job/s then: ashby 1,330, greenhouse 4,230, lever 3,530, workable 13,500.
_BEFORE = {"ashby": 18.9, "greenhouse": 22.4, "lever": 14.0, "workable": 8.7}


@dataclass(frozen=True, slots=True)
class _Source:
    name: str
    jobs: Callable[[Any], Iterator[Job | None]]


def _ashby(page: Any) -> Iterator[Job | None]:
    scraper = Ashby()
    return (_mapped(lambda item: scraper._job(item, "board"), raw) for raw in page["jobs"])


def _greenhouse(page: Any) -> Iterator[Job | None]:
    scraper = Greenhouse()
    return (_mapped(lambda item: scraper._job(item, "board"), raw) for raw in page["jobs"])


def _lever(page: Any) -> Iterator[Job | None]:
    scraper = Lever()
    return (_mapped(lambda item: scraper._job(item, "site"), raw) for raw in page)


def _workable(page: Any) -> Iterator[Job | None]:
    scraper = Workable()
    company = page.get("name") or "account"
    return (_mapped(lambda item: scraper._job(item, company), raw) for raw in page["jobs"])


def _mapped(job: Callable[[Item], Job], raw: Any) -> Job | None:
    """The scraper's mapping of one item; None where it skips the item (as a run would)."""
    try:
        return job(Item.of(raw))
    except ItemError:
        return None


_SOURCES = (
    _Source("ashby", _ashby),
    _Source("greenhouse", _greenhouse),
    _Source("lever", _lever),
    _Source("workable", _workable),
)


def _payloads(source: str) -> list[bytes]:
    """Every distinct recorded payload of ``source`` that holds at least one job."""
    found: dict[bytes, None] = {}
    for folder in _DIRS:
        for path in sorted((folder / source).glob("*.json")):
            body = path.read_bytes()
            try:
                page = json.loads(body.decode("utf-8-sig"))
            except ValueError:
                continue
            items = page if isinstance(page, list) else page.get("jobs")
            if items:
                found[body] = None
    return list(found)


def _walk(value: Any) -> int:
    """Visit every value of decoded JSON; return the number of characters of its strings."""
    if isinstance(value, dict):
        return sum(_walk(item) for item in value.values())
    if isinstance(value, list):
        return sum(_walk(item) for item in value)
    return len(value) if isinstance(value, str) else 0


def _race(
    path: Callable[[], int], floor: Callable[[], int], seconds: float, rounds: int
) -> tuple[float, float]:
    """Best CPU seconds per call of ``path`` and of ``floor``, measured in alternate rounds.

    CPU time of this process (not wall time) and alternating rounds keep the ratio steady
    on a machine other processes share: time spent descheduled is not counted, and a burst
    of load hits both sides alike.
    """
    path(), floor()  # warm up: imports, regex compilation, caches
    calls = [max(1, int(seconds / _timed(run))) for run in (path, floor)]
    best = [float("inf"), float("inf")]
    for _ in range(rounds):
        for side, run in enumerate((path, floor)):
            gc.collect()
            started = time.process_time()
            for _ in range(calls[side]):
                run()
            best[side] = min(best[side], (time.process_time() - started) / calls[side])
    return best[0], best[1]


def _timed(run: Callable[[], int]) -> float:
    started = time.process_time()
    run()
    return max(time.process_time() - started, 1e-6)


def _measure(source: _Source, bodies: list[bytes], seconds: float, rounds: int) -> None:
    def path() -> int:
        count = 0
        for body in bodies:
            count += sum(job is not None for job in source.jobs(json.loads(body)))
        return count

    def floor() -> int:
        return sum(_walk(json.loads(body)) for body in bodies)

    jobs = path()
    path_s, floor_s = _race(path, floor, seconds, rounds)
    ratio = path_s / floor_s
    before = _BEFORE.get(source.name)
    speedup = f"{before / ratio:7.2f}x" if before else "      -"
    before_text = f"{before:8.1f}" if before else "       -"
    print(
        f"{source.name:<11}{len(bodies):>6}{jobs:>6}{jobs / floor_s:>12,.0f}"
        f"{jobs / path_s:>11,.0f}{ratio:>11.1f}{before_text}{speedup}"
    )


def main() -> None:
    """Measure every source and print one line each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="per round and side")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(
        f"{'source':<11}{'files':>6}{'jobs':>6}{'floor job/s':>12}{'path job/s':>11}"
        f"{'path/floor':>11}{'before':>8}{'speedup':>8}"
    )
    for source in _SOURCES:
        _measure(source, _payloads(source.name), args.seconds, args.rounds)


if __name__ == "__main__":
    main()
