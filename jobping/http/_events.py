"""Instrumentation: one frozen ``RequestEvent`` per attempt, handed to every hook.

``--trace``, the per-domain stats and a metrics file are hooks on one list. A hook that
raises is logged and ignored: instrumentation never breaks a request. Events hold only
redacted URLs.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

__all__ = ["NOT_SENT", "RequestEvent", "RequestHook", "emit"]

logger = logging.getLogger("jobping.http")

NOT_SENT = frozenset({"circuit_open", "quota_exhausted", "rate_limited"})
"""Outcomes of attempts that were refused before any request was made."""


@dataclass(frozen=True, slots=True)
class RequestEvent:
    """What happened to one attempt of one logical request.

    ``outcome`` is ``ok`` (a response, whatever its status, that the caller accepted),
    ``not_modified`` (a 304 to a conditional GET), ``http_status``, ``blocked``,
    ``timeout``, ``transport``, ``too_large``, ``payload``, ``too_many_redirects``,
    ``circuit_open``, ``quota_exhausted`` or ``rate_limited`` (the domain was held: nothing
    sent). ``retry_in`` is the wait before the next attempt, None when none follows.
    ``breaker`` is the domain's breaker state after the attempt.
    ``replaced_bytes`` counts the invalid UTF-8 bytes of the body decoded as U+FFFD.
    """

    method: str
    url: str
    domain: str
    attempt: int
    outcome: str
    status: int | None = None
    bytes: int = 0
    elapsed_seconds: float = 0.0
    error: str | None = None
    retry_in: float | None = None
    breaker: str = "closed"
    replaced_bytes: int = 0

    @property
    def sent(self) -> bool:
        """Whether the attempt reached the network (and counted against the quota)."""
        return self.outcome not in NOT_SENT


class RequestHook(Protocol):
    """Called with every ``RequestEvent``; must be quick and must not block."""

    def __call__(self, event: RequestEvent, /) -> None:
        """Handle one event."""


def emit(hooks: Sequence[RequestHook], event: RequestEvent) -> None:
    """Hand ``event`` to every hook; a hook that raises is logged and skipped."""
    for hook in hooks:
        try:
            hook(event)
        except Exception:  # a broken hook must never break a request
            logger.warning("request hook %r failed on %s", hook, event.domain, exc_info=True)
