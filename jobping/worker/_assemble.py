"""The run report of a run spread over workers, assembled from its units' results.

Each unit's result is the ``ScraperReport.to_dict()`` of one target (plus the ``job_hash``
of every job it wrote); the run's report is what ``jobping run`` would have built: one row
per scraper and tier, the tiers as the run decided them, the enrichment batches summed.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from jobping.orchestrator import TIERS, Outcome, RunReport, ScraperReport, TierReport
from jobping.orchestrator._report import MAX_ERRORS
from jobping.worker._book import RunRow, UnitRow

__all__ = ["ENRICH_TIER", "assemble", "merge_enrichment", "scraper_reports", "seen_hashes"]

ENRICH_TIER = 0
"""The tier number of enrichment units."""

_SUMMED = (
    "found", "new", "updated", "unchanged", "duplicates", "invalid",
    "requests", "retries", "breaker_trips", "not_modified", "body_unchanged",
)  # fmt: skip
_HTTP = ("requests", "retries", "breaker_trips", "not_modified")
"""The run's HTTP totals a distributed run can sum from its scrapers' reports."""


def scraper_reports(units: list[UnitRow]) -> list[ScraperReport]:
    """One report per (tier, scraper), summing the results of its units done so far."""
    reports: dict[tuple[int, str], ScraperReport] = {}
    for unit in units:
        if unit.tier == ENRICH_TIER:
            continue
        result = unit.result or {}
        key = (unit.tier, unit.scraper)
        if key not in reports:
            source = result.get("source", unit.scraper)
            reports[key] = ScraperReport(unit.scraper, source, unit.tier)
        _add(reports[key], result, planned=unit.target != "")
    return list(reports.values())


def _add(report: ScraperReport, result: dict[str, Any], *, planned: bool) -> None:
    """Add one unit's result (empty while it is not done) to its scraper's report."""
    if not result:
        report.targets += 1
        return
    report.source = result["source"]
    report.targets += result["targets"]["total"] if not planned else 1
    report.outcomes.update(Counter({o.value: result["targets"][o.value] for o in Outcome}))
    for name in _SUMMED:
        setattr(report, name, getattr(report, name) + result.get(name, 0))
    report.domains.update(result["domains"])
    report.page_cap_reached |= result["page_cap_reached"]
    report.duration_seconds = max(report.duration_seconds, result["duration_seconds"])
    if result["reason"] and report.reason is None:
        report.reason = result["reason"]
    report.errors.extend(result["errors"][: MAX_ERRORS - len(report.errors)])


def seen_hashes(units: list[UnitRow]) -> set[str]:
    """The ``job_hash`` of every job the run's done units wrote."""
    return {h for unit in units if unit.result for h in unit.result.get("hashes", ())}


def merge_enrichment(units: list[UnitRow]) -> dict[str, Any] | None:
    """The enrichment batches' results summed (None when the run enriched nothing)."""
    results = [u.result for u in units if u.tier == ENRICH_TIER and u.result]
    if not results:
        return None
    if errors := [r["error"] for r in results if "error" in r]:
        return {"error": errors[0]}
    by_model: Counter[str] = Counter()
    for result in results:
        by_model.update(result["by_model"])
    return {
        "enriched": sum(r["enriched"] for r in results),
        "skipped": sum(r["skipped"] for r in results),
        "failed": sum(r["failed"] for r in results),
        "by_model": dict(sorted(by_model.items())),
        "cost_usd": sum(r["cost_usd"] for r in results),
        "errors": [e for r in results for e in r["errors"]][:MAX_ERRORS],
        "stopped": next((r["stopped"] for r in results if r["stopped"]), None),
    }


def assemble(run: RunRow, units: list[UnitRow]) -> RunReport:
    """The run's report as it stands: tiers as decided, scrapers from their units' results."""
    decisions = run.decisions
    report = RunReport(run_id=run.run_id, started_at=run.started_at)
    report.scrapers = scraper_reports(units)
    report.not_ready = dict(decisions.get("not_ready", {}))
    report.deactivated = dict(decisions.get("deactivated", {}))
    for scraper in report.scrapers:
        scraper.deactivated = report.deactivated.get(scraper.source, 0)
    report.tiers = [_tier(report, number, name, decisions) for number, name in _tier_names()]
    report.http = {name: sum(getattr(s, name) for s in report.scrapers) for name in _HTTP}
    report.enrichment = merge_enrichment(units)
    return report


def _tier_names() -> list[tuple[int, str]]:
    return [(tier.number, tier.name) for tier in TIERS]


def _tier(report: RunReport, number: int, name: str, decisions: dict[str, Any]) -> TierReport:
    tier = TierReport(number, name)
    decided = decisions.get("tiers", {}).get(str(number))
    if decided is None:
        return tier
    tier.ran, tier.reason = decided["ran"], decided["reason"]
    scrapers = [s for s in report.scrapers if s.tier == number]
    tier.scrapers = [s.name for s in scrapers]
    tier.new = sum(s.new for s in scrapers)
    tier.updated = sum(s.updated for s in scrapers)
    tier.unchanged = sum(s.unchanged for s in scrapers)
    tier.backfilled = decided.get("backfilled", 0)
    if decided.get("ended"):
        ended, started = (datetime.fromisoformat(decided[k]) for k in ("ended", "started"))
        tier.duration_seconds = (ended - started).total_seconds()
    stopped = [s.reason for s in scrapers if s.outcomes[Outcome.STOPPED] and s.reason]
    tier.stopped_early = stopped[0] if stopped and number > 1 else None
    return tier
