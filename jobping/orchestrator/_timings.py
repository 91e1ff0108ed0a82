"""Where a run's time went: cheap perf counters, and the CPU and memory of its processes.

The durations are summed over the run's concurrent work, so they overlap and their total
may pass the run's wall time: ``fetch`` is the time targets waited for their requests,
``parse`` the time spent turning pages into jobs (in the run's process, or in the parse
workers), ``store`` the time the sink spent validating, deduplicating and writing them,
``enrich`` the enrichment pass.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from jobping.scraping import ConditionalClient, JsonClient

if TYPE_CHECKING:
    from jobping.http import Revalidated, Validators

__all__ = ["ProcessUsage", "RunTimings", "TimedClient"]


@dataclass(frozen=True, slots=True)
class ProcessUsage:
    """The CPU seconds and peak resident memory of one process so far."""

    cpu_seconds: float
    peak_rss_bytes: int

    @classmethod
    def of_this_process(cls) -> ProcessUsage:
        """This process's usage (its threads included)."""
        if sys.platform == "win32":  # no getrusage: the CPU time only
            return cls(time.process_time(), 0)
        import resource  # noqa: PLC0415 - Unix only

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB; bytes on macOS
        return cls(time.process_time(), peak if sys.platform == "darwin" else peak * 1024)

    def to_dict(self, pid: int) -> dict[str, Any]:
        """Plain data, with the process's ``pid``."""
        return {
            "pid": pid,
            "cpu_seconds": round(self.cpu_seconds, 3),
            "peak_rss_bytes": self.peak_rss_bytes,
        }


@dataclass(slots=True)
class RunTimings:
    """The run's perf counters (seconds) and the usage of each of its processes."""

    fetch: float = 0.0
    parse: float = 0.0
    store: float = 0.0
    enrich: float = 0.0
    parse_workers: int = 0
    """Parse worker processes the run used (0: it parsed in its own process)."""
    workers: dict[int, ProcessUsage] = field(default_factory=dict)
    """The last usage each parse worker reported, by pid."""

    def to_dict(self) -> dict[str, Any]:
        """Plain data: seconds rounded to the millisecond, usage per process."""
        main = {"main": ProcessUsage.of_this_process().to_dict(os.getpid())}
        workers = {f"worker {pid}": usage.to_dict(pid) for pid, usage in self.workers.items()}
        return {
            "fetch_seconds": round(self.fetch, 3),
            "parse_seconds": round(self.parse, 3),
            "store_seconds": round(self.store, 3),
            "enrich_seconds": round(self.enrich, 3),
            "parse_workers": self.parse_workers,
            "processes": main | workers,
        }


class TimedClient:
    """A ``JsonClient`` adding the time its requests take to ``timings.fetch`` and ``waited``."""

    def __init__(self, client: JsonClient, timings: RunTimings) -> None:
        self._client = client
        self._timings = timings
        self.waited = 0.0
        """Seconds this client's requests took (one target's share of ``fetch``)."""

    async def get_json(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """GET through the wrapped client, timed."""
        started = time.perf_counter()
        try:
            return await self._client.get_json(url, params=params, headers=headers)
        finally:
            self._add(time.perf_counter() - started)

    async def post_json(
        self,
        url: str,
        *,
        json: Any,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """POST through the wrapped client, timed."""
        started = time.perf_counter()
        try:
            return await self._client.post_json(url, json=json, params=params, headers=headers)
        finally:
            self._add(time.perf_counter() - started)

    async def get_text(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> str:
        """GET text through the wrapped client, timed."""
        started = time.perf_counter()
        try:
            return await self._client.get_text(url, params=params, headers=headers)
        finally:
            self._add(time.perf_counter() - started)

    async def get_if_changed(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
        previous: tuple[str, Validators] | None = None,
        text: bool = False,
    ) -> Revalidated:
        """A conditional GET through the wrapped client, timed.

        Raises:
            TypeError: the wrapped client cannot send conditional requests.
        """
        if not isinstance(self._client, ConditionalClient):
            raise TypeError(f"{type(self._client).__name__} cannot send conditional requests")
        started = time.perf_counter()
        try:
            return await self._client.get_if_changed(
                url, params=params, headers=headers, previous=previous, text=text
            )
        finally:
            self._add(time.perf_counter() - started)

    def _add(self, seconds: float) -> None:
        self.waited += seconds
        self._timings.fetch += seconds
