"""Day-2 soak: 24 consecutive "hourly" runs over a sandbox whose boards change between runs.

Jobs are added, edited and removed between runs; greenhouse is down for runs 5-7 and lever
rate-limits on run 12. After every run the test compares the report and the store with what
it computes itself from the boards it served (#10).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest

from jobping.http import DomainPolicy
from jobping.models import RunStatus
from jobping.orchestrator import Orchestrator, RunReport
from jobping.sandbox import Faults, Sandbox, serve_sandbox
from jobping.scraping import discover_scrapers
from jobping.settings import Settings
from jobping.store import Store
from tests.orchestrator.conftest import SettingsFactory
from tests.orchestrator.fakes import NOW

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

RUNS = 24
HOUR = timedelta(hours=1)
STALE_HOURS = 3
SOURCES = ("ashby", "greenhouse", "lever")
DOWN_RUNS = range(5, 8)  # greenhouse
RATE_LIMITED_RUN = 12  # lever
SOAK_POLICY = DomainPolicy(
    retry_attempts=2, retry_backoff_seconds=0, breaker_failure_threshold=1000
)
_new_ids = itertools.count(900_001)


@dataclass
class Expected:
    """What the test knows of every job it served: its title, last sighting, activity."""

    title: dict[tuple[str, str], str] = field(default_factory=dict)
    last_seen: dict[tuple[str, str], datetime] = field(default_factory=dict)
    active: dict[tuple[str, str], bool] = field(default_factory=dict)

    def observe(
        self, source: str, items: list[dict[str, Any]], id_key: str, now: datetime
    ) -> dict[str, int]:
        """A healthy source served ``items``: the new/updated/unchanged counts it must cause."""
        counts = {"new": 0, "updated": 0, "unchanged": 0}
        for item in items:
            key = (source, str(item[id_key]))
            title = str(item.get("title") or item.get("text"))
            if key not in self.title:
                counts["new"] += 1
            elif self.title[key] != title:  # a job that comes back unchanged is "unchanged"
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
            self.title[key], self.last_seen[key], self.active[key] = title, now, True
        return counts

    def retire(self, source: str, now: datetime) -> int:
        """Deactivate ``source``'s jobs unseen for the stale window; how many."""
        cutoff = now - timedelta(hours=STALE_HOURS)
        stale = [
            key
            for key, seen in self.last_seen.items()
            if key[0] == source and self.active[key] and seen < cutoff
        ]
        for key in stale:
            self.active[key] = False
        return len(stale)


ID_KEYS = {"ashby": "id", "greenhouse": "id", "lever": "id"}


def boards(sandbox: Sandbox, source: str) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Each target of ``source`` and the items it serves now."""
    for target in sandbox.targets[source]:
        yield target, sandbox.board(source, target).items()


def change_boards(sandbox: Sandbox, run: int, removed: dict[str, dict[str, Any]]) -> None:
    """Between runs: greenhouse gains, edits and drops jobs; one ashby job goes and returns.

    Greenhouse gains a job every run, edits one every 3rd and drops one every 4th; ashby
    loses a job on run 10 that comes back on run 16.
    """
    target, items = next(boards(sandbox, "greenhouse"))
    items.append({**items[0], "id": next(_new_ids)})
    if run % 3 == 0:
        items[1] = {**items[1], "title": f"{items[1]['title']} (run {run})"}
    if run % 4 == 0:
        del items[2]
    sandbox.board("greenhouse", target).replace_items(items)
    ashby_target, ashby = next(boards(sandbox, "ashby"))
    if run == 10:
        removed["ashby"] = ashby.pop()
    if run == 16:
        ashby.append(removed.pop("ashby"))
    sandbox.board("ashby", ashby_target).replace_items(ashby)


def faults_for(run: int) -> dict[str, Faults]:
    """Greenhouse down on runs 5-7, lever rate-limited (429 then ok) on run 12."""
    return {
        "greenhouse": Faults(down=run in DOWN_RUNS),
        "lever": Faults(rate_limited=run == RATE_LIMITED_RUN, retry_after_seconds=0),
    }


async def one_run(settings: Settings, store: Store, now: datetime) -> RunReport:
    """A run of the soak's three scrapers at ``now``."""
    scrapers = [
        row.scraper() for row in discover_scrapers(settings) if row.scraper and row.name in SOURCES
    ]
    return await Orchestrator(settings, store, scrapers=scrapers, now=lambda: now).run()


async def test_24_hourly_runs_over_changing_boards_match_what_was_served(
    make_settings: SettingsFactory, store: Store
) -> None:
    """Every run's status and counts, and the store's active jobs, match the served boards."""
    expected = Expected()
    removed: dict[str, dict[str, Any]] = {}
    base = make_settings(
        run_min_jobs=20,  # healthy runs see 24+ jobs, few of them new: still healthy
        run_backfill_days=3650,  # greenhouse down: the backfill makes up for it
        run_stale_after_days=STALE_HOURS / 24,
        http_defaults=SOAK_POLICY,
    )
    async with serve_sandbox() as sandbox:
        settings = sandbox.apply(base)
        settings = settings.model_copy(
            update={
                "scrapers": {
                    name: config.model_copy(update={"enabled": name in SOURCES})
                    for name, config in settings.scrapers.items()
                }
            }
        )
        for run in range(1, RUNS + 1):
            now = NOW + run * HOUR
            if run > 1:
                change_boards(sandbox, run, removed)
            for source, faults in faults_for(run).items():
                sandbox.set_faults(source, faults)

            report = await one_run(settings, store, now)

            healthy = [s for s in SOURCES if not (s == "greenhouse" and run in DOWN_RUNS)]
            scrapers = {s.name: s for s in report.scrapers}
            for source in healthy:
                items = [item for _t, served in boards(sandbox, source) for item in served]
                counts = expected.observe(source, items, ID_KEYS[source], now)
                got = scrapers[source]
                assert (got.status, got.found) == ("ok", len(items)), (run, source)
                assert {k: getattr(got, k) for k in counts} == counts, (run, source)
            deactivated = {source: expected.retire(source, now) for source in healthy}
            assert {s: n for s, n in report.deactivated.items() if n} == {
                s: n for s, n in deactivated.items() if n
            }, run
            if run in DOWN_RUNS:
                assert scrapers["greenhouse"].status == "failed", run
                assert report.status is RunStatus.DEGRADED, run
                assert "greenhouse" not in report.deactivated, run
            else:
                assert report.status is RunStatus.SUCCESS, (run, report.reason)
            if run == RATE_LIMITED_RUN:
                assert scrapers["lever"].retries >= 1
            assert await store.count_jobs() == len(expected.title), run
            assert await store.count_jobs(active_only=True) == sum(expected.active.values()), run

    retired = [key for key, active in expected.active.items() if not active]
    assert len(retired) >= 4  # greenhouse's removed jobs went inactive after the window
    assert all(source == "greenhouse" for source, _id in retired)  # ashby's came back
