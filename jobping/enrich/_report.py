"""What one enrichment of the backlog did: the report the CLI and the run show."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["EnrichReport"]

_MAX_ERRORS_KEPT = 20


@dataclass(slots=True)
class EnrichReport:
    """What a batch of enrichments did."""

    enriched: int = 0
    skipped: int = 0
    """Jobs left in the backlog because no model fitted the budget."""
    failed: int = 0
    by_model: dict[str, int] = field(default_factory=dict)
    micro_usd: int = 0
    """What the calls cost, invalid answers included."""
    errors: list[str] = field(default_factory=list)
    """The first messages of the failures (already redacted)."""
    stopped: str | None = None
    """Why enrichment stopped early (the provider refuses every call), or None."""
    submitted: int = 0
    """Jobs sent in a Batch API batch by this enrichment (answered by a later collection)."""
    batches_in_flight: int = 0
    """Batches the provider has not finished yet (this enrichment's included)."""

    def record_failure(self, message: str) -> None:
        """Count one failed job; keep its message (redacted) among the first ones."""
        self.failed += 1
        if len(self.errors) < _MAX_ERRORS_KEPT:
            self.errors.append(message)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {
            "enriched": self.enriched,
            "skipped": self.skipped,
            "failed": self.failed,
            "by_model": dict(sorted(self.by_model.items())),
            "cost_usd": self.micro_usd / 1_000_000,
            "errors": list(self.errors),
            "stopped": self.stopped,
            "submitted": self.submitted,
            "batches_in_flight": self.batches_in_flight,
        }
