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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["ProcessUsage", "RunTimings"]


@dataclass(frozen=True, slots=True)
class ProcessUsage:
    """The CPU seconds and peak resident memory of one process so far."""

    cpu_seconds: float
    peak_rss_bytes: int

    @classmethod
    def of_this_process(cls) -> ProcessUsage:
        """This process's usage (its threads included)."""
        return cls(time.process_time(), _peak_rss_bytes())

    def to_dict(self, pid: int) -> dict[str, Any]:
        """Plain data, with the process's ``pid``."""
        return {
            "pid": pid,
            "cpu_seconds": round(self.cpu_seconds, 3),
            "peak_rss_bytes": self.peak_rss_bytes,
        }


def _peak_rss_bytes() -> int:
    """This process's own peak resident memory (0 where the platform does not say).

    On Linux ``VmHWM``: ``ru_maxrss`` there carries the parent's peak over ``fork`` and
    ``exec``, so a run started by a bigger process (a benchmark, a supervisor) would
    report the parent's memory as its own.
    """
    try:
        with Path("/proc/self/status").open(encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024  # kB
    except OSError:
        pass
    if sys.platform == "win32":  # no getrusage
        return 0
    import resource  # noqa: PLC0415 - Unix only

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB; bytes on macOS
    return peak if sys.platform == "darwin" else peak * 1024


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
