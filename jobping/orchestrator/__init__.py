"""The orchestrator: tiers and fallback, isolation, streaming persistence, lease, shutdown.

``Orchestrator(settings, store).run()`` performs one run and returns its ``RunReport``
(``to_dict()`` for JSON, ``write_metrics`` for Prometheus). The command line turns the
report's status into an exit code. An ``enricher`` given to the orchestrator is a
``BacklogEnricher``; each scraper's targets end with an ``Outcome`` counted in its
``ScraperReport``.
"""

from jobping.orchestrator._lease import LEASE_NAME
from jobping.orchestrator._metrics import write_metrics
from jobping.orchestrator._orchestrator import BacklogEnricher, Orchestrator, RunObserver
from jobping.orchestrator._report import Outcome, RunReport, ScraperReport, TierReport
from jobping.orchestrator._tiers import TIERS

__all__ = [
    "LEASE_NAME",
    "TIERS",
    "BacklogEnricher",
    "Orchestrator",
    "Outcome",
    "RunObserver",
    "RunReport",
    "ScraperReport",
    "TierReport",
    "write_metrics",
]
