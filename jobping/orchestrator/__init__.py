"""The orchestrator: tiers and fallback, isolation, streaming persistence, lease, shutdown.

``Orchestrator(settings, store).run()`` performs one run and returns its ``RunReport``
(``to_dict()`` for JSON, ``write_metrics`` for Prometheus). The command line turns the
report's status into an exit code. An ``enricher`` given to the orchestrator is a
``BacklogEnricher``; each scraper's targets end with an ``Outcome`` counted in its
``ScraperReport``.
"""

from typing import TYPE_CHECKING

from jobping._lazy import lazy_names

if TYPE_CHECKING:
    from jobping.orchestrator._lease import LEASE_NAME, is_dead_local
    from jobping.orchestrator._metrics import write_metrics
    from jobping.orchestrator._orchestrator import BacklogEnricher, Orchestrator, RunObserver
    from jobping.orchestrator._report import Outcome, RunReport, ScraperReport, TierReport
    from jobping.orchestrator._sink import Batch, JobSink
    from jobping.orchestrator._tiers import TIERS

__all__ = [
    "LEASE_NAME",
    "TIERS",
    "BacklogEnricher",
    "Batch",
    "JobSink",
    "Orchestrator",
    "Outcome",
    "RunObserver",
    "RunReport",
    "ScraperReport",
    "TierReport",
    "is_dead_local",
    "write_metrics",
]

# Each name loads its module on first use: `jobping status` needs LEASE_NAME, not the run.
__getattr__, __dir__ = lazy_names(
    __name__,
    {
        "LEASE_NAME": "jobping.orchestrator._lease",
        "is_dead_local": "jobping.orchestrator._lease",
        "write_metrics": "jobping.orchestrator._metrics",
        "BacklogEnricher": "jobping.orchestrator._orchestrator",
        "Orchestrator": "jobping.orchestrator._orchestrator",
        "RunObserver": "jobping.orchestrator._orchestrator",
        "Outcome": "jobping.orchestrator._report",
        "RunReport": "jobping.orchestrator._report",
        "ScraperReport": "jobping.orchestrator._report",
        "TierReport": "jobping.orchestrator._report",
        "Batch": "jobping.orchestrator._sink",
        "JobSink": "jobping.orchestrator._sink",
        "TIERS": "jobping.orchestrator._tiers",
    },
)
