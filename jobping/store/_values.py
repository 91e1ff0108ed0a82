"""The values the store's roles take and give: frozen data, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

__all__ = [
    "BATCH_STATES",
    "BatchLine",
    "BreakerSnapshot",
    "BudgetCounters",
    "BudgetHold",
    "BudgetUsage",
    "BudgetWindow",
    "EnrichmentBatch",
    "QuotaWindow",
    "TargetValidators",
    "UpsertResult",
    "UsageTotal",
]


@dataclass(frozen=True, slots=True)
class UpsertResult:
    """How many jobs of a batch were new, changed, or already stored as they are."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: UpsertResult) -> UpsertResult:
        return UpsertResult(
            self.new + other.new, self.updated + other.updated, self.unchanged + other.unchanged
        )


@dataclass(frozen=True, slots=True)
class QuotaWindow:
    """One quota window of a domain: ``key`` names the window instance (``day:2026-11-23``)."""

    key: str
    limit: int


@dataclass(frozen=True, slots=True)
class BreakerSnapshot:
    """The persisted state of one domain's circuit breaker.

    State ``rate_limited`` means the site asked for no request until ``retry_at`` (a
    ``Retry-After`` past the retry cap, or quota-style 429s): then ``opened_at`` is when it
    asked, ``cooldown_seconds`` how long it asked for, and ``failures`` the 429s without
    ``Retry-After`` in a row that made it so (0 when a ``Retry-After`` did).
    """

    domain: str
    state: str
    failures: int
    opened_at: datetime | None
    retry_at: datetime | None
    cooldown_seconds: float


@dataclass(frozen=True, slots=True)
class BudgetWindow:
    """One window instance of the LLM budget and its limits.

    ``key`` names the instance in the budget timezone (``day:2026-11-23``,
    ``month:2026-11``). Tokens are prompt plus completion tokens; cost is in whole
    micro-dollars (µUSD). A limit of 0 allows nothing.
    """

    key: str
    token_limit: int
    cost_limit_micro_usd: int


@dataclass(frozen=True, slots=True)
class BudgetHold:
    """A reservation as the ledger keeps it: one call's worst case, held in every window.

    ``reservation_id`` is unique (a UUID); the hold counts against its windows until it is
    committed, released, or ``expires_at`` passes (its holder is presumed dead).
    """

    reservation_id: str
    tokens: int
    micro_usd: int
    windows: tuple[BudgetWindow, ...]
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class BudgetUsage:
    """What one call really used, from the provider's ``usage``, and what it cost.

    ``cached_tokens`` are part of ``prompt_tokens`` and ``reasoning_tokens`` part of
    ``completion_tokens``; ``day`` is the budget day the call was reserved in.
    """

    model: str
    day: date
    prompt_tokens: int
    cached_tokens: int
    completion_tokens: int
    reasoning_tokens: int
    micro_usd: int
    outcome: str = "answered"
    """``answered`` (within the hold), ``overshoot`` (past it) or ``lost`` (charged the hold)."""
    estimated_prompt_tokens: int = 0
    """Our count of the prompt, to feed the model's prompt ratio (0: nothing to learn)."""

    @property
    def tokens(self) -> int:
        """The tokens counted against a token limit: prompt plus completion."""
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True, slots=True)
class BudgetCounters:
    """One budget window: committed usage and the live (unexpired) reservations."""

    key: str
    tokens_committed: int = 0
    micro_usd_committed: int = 0
    tokens_reserved: int = 0
    micro_usd_reserved: int = 0


@dataclass(frozen=True, slots=True)
class UsageTotal:
    """Committed usage summed over calls; ``key`` is a model name or an ISO day."""

    key: str
    calls: int = 0
    prompt_tokens: int = 0
    cached_tokens: int = 0
    completion_tokens: int = 0
    reasoning_tokens: int = 0
    micro_usd: int = 0
    lost_calls: int = 0
    """Calls charged their whole hold because the answer was lost."""
    lost_micro_usd: int = 0
    overshoots: int = 0
    """Calls whose reported usage passed their hold."""

    @property
    def tokens(self) -> int:
        """Prompt plus completion tokens."""
        return self.prompt_tokens + self.completion_tokens


BATCH_STATES = ("submitted", "completed", "expired", "failed", "cancelled")
"""An enrichment batch's states: in flight, then one final state once collected."""


@dataclass(frozen=True, slots=True)
class BatchLine:
    """One job of an enrichment batch and the hold of its worst case in the budget ledger.

    ``prompt_tokens`` are the prompt tokens held (the margin included),
    ``estimated_prompt_tokens`` our own count; ``tokens`` and ``micro_usd`` the hold.
    """

    job_hash: str
    reservation_id: str
    prompt_tokens: int
    estimated_prompt_tokens: int
    tokens: int
    micro_usd: int


@dataclass(frozen=True, slots=True)
class EnrichmentBatch:
    """A batch of enrichment requests sent through OpenAI's Batch API (#11).

    ``batch_id`` is the provider's; ``holder`` holds the claims on its jobs and every hold
    lasts until ``expires_at``. ``micro_usd`` is what collecting it committed.
    """

    batch_id: str
    model: str
    input_file_id: str
    holder: str
    max_output_tokens: int
    submitted_at: datetime
    expires_at: datetime
    lines: tuple[BatchLine, ...]
    state: str = "submitted"
    micro_usd: int = 0
    collected_at: datetime | None = None

    @property
    def reserved_tokens(self) -> int:
        """The tokens held for the batch's worst case."""
        return sum(line.tokens for line in self.lines)

    @property
    def reserved_micro_usd(self) -> int:
        """The µUSD held for the batch's worst case."""
        return sum(line.micro_usd for line in self.lines)


@dataclass(frozen=True, slots=True)
class TargetValidators:
    """What the last complete scrape of one target left to revalidate it by.

    Kept only for a target scraped whole in one request: the redacted ``url`` of that
    request, the ``etag``, ``last_modified`` and ``body_hash`` of its answer, and the
    ``job_hashes`` of every valid job it produced (so a 304 can mark exactly those seen).
    """

    scraper: str
    target: str
    url: str
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    job_hashes: tuple[str, ...]
    saved_at: datetime
