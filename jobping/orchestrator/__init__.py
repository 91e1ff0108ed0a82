"""The orchestrator: tiers and fallback, isolation, streaming persistence, lease, shutdown.

``Orchestrator(settings, store).run()`` performs one run and returns its ``RunReport``
(``to_dict()`` for JSON, ``write_metrics`` for Prometheus). The command line turns the
report's status into an exit code.
"""

from typing import TYPE_CHECKING

from jobping._lazy import lazy_names

if TYPE_CHECKING:
    from jobping.orchestrator._lease import LEASE_NAME, RunLease, close_abandoned_runs
    from jobping.orchestrator._metrics import render_metrics, write_metrics
    from jobping.orchestrator._orchestrator import BacklogEnricher, Orchestrator, RunObserver
    from jobping.orchestrator._report import Outcome, RunReport, ScraperReport, TierReport
    from jobping.orchestrator._shutdown import RunStopped, Shutdown, StopFlag
    from jobping.orchestrator._sink import Batch, JobSink, normalize
    from jobping.orchestrator._tiers import TIERS, plan

__all__ = [
    "LEASE_NAME",
    "TIERS",
    "BacklogEnricher",
    "Batch",
    "JobSink",
    "Orchestrator",
    "Outcome",
    "RunLease",
    "RunObserver",
    "RunReport",
    "RunStopped",
    "ScraperReport",
    "Shutdown",
    "StopFlag",
    "TierReport",
    "close_abandoned_runs",
    "normalize",
    "plan",
    "render_metrics",
    "write_metrics",
]

# Each name loads its module on first use: `jobping status` needs LEASE_NAME, not the run.
__getattr__, __dir__ = lazy_names(
    __name__,
    {
        "LEASE_NAME": "jobping.orchestrator._lease",
        "RunLease": "jobping.orchestrator._lease",
        "close_abandoned_runs": "jobping.orchestrator._lease",
        "render_metrics": "jobping.orchestrator._metrics",
        "write_metrics": "jobping.orchestrator._metrics",
        "BacklogEnricher": "jobping.orchestrator._orchestrator",
        "Orchestrator": "jobping.orchestrator._orchestrator",
        "RunObserver": "jobping.orchestrator._orchestrator",
        "Outcome": "jobping.orchestrator._report",
        "RunReport": "jobping.orchestrator._report",
        "ScraperReport": "jobping.orchestrator._report",
        "TierReport": "jobping.orchestrator._report",
        "RunStopped": "jobping.orchestrator._shutdown",
        "Shutdown": "jobping.orchestrator._shutdown",
        "StopFlag": "jobping.orchestrator._shutdown",
        "Batch": "jobping.orchestrator._sink",
        "JobSink": "jobping.orchestrator._sink",
        "normalize": "jobping.orchestrator._sink",
        "TIERS": "jobping.orchestrator._tiers",
        "plan": "jobping.orchestrator._tiers",
    },
)
