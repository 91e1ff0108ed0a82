"""Benchmark: the whole per-job normalization path against a bare JSON floor, in the same run.

Usage: ``.venv/bin/python scripts/bench/normalize.py [--seconds 1.0] [--rounds 5]
[--before DIR] [--repeat 1]``

For each HTML-heavy source (Ashby, Greenhouse with ``content=true``, Lever, Workable), over
every recorded payload of it in ``tests/fixtures/`` and ``jobping/sandbox/payloads/`` (each
distinct file once):

- path: ``json.loads`` of the payload, then the scraper's own ``_job`` mapping of every item
  (``Item`` reads, ``clean_title``/``clean_text``, ``html_to_text``, ``split_location``,
  ``parse_date``, ``canonical_url``, ``job_hash``, ``Job`` construction): what a run does
  per job once the page is fetched. The caches of ``jobping.normalize`` are emptied before
  each pass over the payloads, so a text read in an earlier pass is read again (a run sees
  each posting once; only what repeats within the payloads is found in a cache);
- floor: ``json.loads`` of the same payload and a plain walk of every value in it.

Each side runs for about ``--seconds`` of CPU per round, the two sides in alternate rounds;
the best of ``--rounds`` rounds counts.
``path/floor`` is how many times slower than the floor the path is, a figure that does not
depend on how busy the machine is. ``--before DIR`` measures, in a child process run before
this one, the code of another tree (``git archive COMMIT jobping scrapers | tar -x -C DIR``)
on the same payloads, and prints its path/floor and the speedup of this tree over it;
``--repeat N`` alternates the two N times and keeps each side's best ratio. ``vs #15``
compares the ratio with the one of the implementation before issues #15 and #16
(``html.parser``, recorded on this machine by this script and kept in ``_BEFORE``), the
baseline of issue #16's goal, so it stays meaningful after that code is gone.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
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
    return (_mapped(lambda item: scraper._job(item, company=company), raw) for raw in page["jobs"])


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


@dataclass(frozen=True, slots=True)
class _Result:
    files: int
    jobs: int
    path_s: float
    floor_s: float

    @property
    def ratio(self) -> float:
        return self.path_s / self.floor_s


def _caches_emptied() -> list[Callable[[], None]]:
    """``cache_clear`` of every cache in the modules of ``jobping.normalize`` loaded."""
    return [
        value.cache_clear
        for name, module in sorted(sys.modules.items())
        if name.startswith("jobping.normalize")
        for value in vars(module).values()
        if callable(getattr(value, "cache_clear", None))
    ]


def _measure(source: _Source, bodies: list[bytes], seconds: float, rounds: int) -> _Result:
    clears = _caches_emptied()

    def path() -> int:
        for clear in clears:
            clear()
        count = 0
        for body in bodies:
            count += sum(job is not None for job in source.jobs(json.loads(body)))
        return count

    def floor() -> int:
        return sum(_walk(json.loads(body)) for body in bodies)

    jobs = path()
    path_s, floor_s = _race(path, floor, seconds, rounds)
    return _Result(len(bodies), jobs, path_s, floor_s)


def _measure_all(seconds: float, rounds: int) -> dict[str, _Result]:
    return {
        source.name: _measure(source, _payloads(source.name), seconds, rounds)
        for source in _SOURCES
    }


def _measure_before(tree: Path, seconds: float, rounds: int) -> dict[str, _Result]:
    """The results of the code in ``tree``, measured by this script in a child process."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    command = [sys.executable, __file__, "--json", f"--seconds={seconds}", f"--rounds={rounds}"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"the code in {tree} failed the benchmark:\n{done.stderr}")
    return {name: _Result(**fields) for name, fields in json.loads(done.stdout).items()}


def _best(runs: list[dict[str, _Result]]) -> dict[str, _Result]:
    """Per source, the result of ``runs`` with the lowest path/floor ratio."""
    return {name: min((run[name] for run in runs), key=lambda r: r.ratio) for name in runs[0]}


def main() -> None:
    """Measure every source and print one line each (or JSON, for ``--before``'s child)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="per round and side")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--before", type=Path, help="a tree holding jobping/ and scrapers/")
    parser.add_argument("--repeat", type=int, default=1, help="alternations with --before")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.json:
        results = _measure_all(args.seconds, args.rounds)
        print(json.dumps({name: asdict(result) for name, result in results.items()}))
        return
    befores: list[dict[str, _Result]] = []
    afters: list[dict[str, _Result]] = []
    for _ in range(args.repeat if args.before else 1):
        if args.before:
            befores.append(_measure_before(args.before.resolve(), args.seconds, args.rounds))
        afters.append(_measure_all(args.seconds, args.rounds))
    before = _best(befores) if befores else None
    print(
        f"{'source':<11}{'files':>6}{'jobs':>6}{'floor job/s':>12}{'path job/s':>11}"
        f"{'path/floor':>11}{'before':>8}{'speedup':>8}{'vs #15':>8}"
    )
    for name, result in _best(afters).items():
        then = (
            f"{before[name].ratio:8.1f}{before[name].ratio / result.ratio:7.2f}x"
            if before
            else f"{'-':>8}{'-':>8}"
        )
        print(
            f"{name:<11}{result.files:>6}{result.jobs:>6}{result.jobs / result.floor_s:>12,.0f}"
            f"{result.jobs / result.path_s:>11,.0f}{result.ratio:>11.1f}{then}"
            f"{_BEFORE[name] / result.ratio:7.2f}x"
        )


if __name__ == "__main__":
    main()
