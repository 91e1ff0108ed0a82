"""The orchestrator: tiers and fallback, isolation, streaming persistence, lease, shutdown.

``Orchestrator(settings, store).run()`` performs one run and returns its ``RunReport``
(``to_dict()`` for JSON, ``write_metrics`` for Prometheus). The command line turns the
report's status into an exit code.
"""

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
