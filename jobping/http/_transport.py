"""PolicyTransport: every attempt passes quota → breaker → throttle/concurrency → inner transport.

It is also the one edge where the inner transport's errors (httpx's, aiohttp's) become
``jobping.errors``, and where the body is read under the domain's size cap, so the breaker
hears about a reset or a block page met while reading.

And it keeps a site's word (DESIGN invariant 11): an answer worth a retry whose
``Retry-After`` is longer than the retry cap, or the domain's ``rate_limit_after_429s``-th
429 without ``Retry-After`` in a row, holds the domain (its breaker rate-limited, saved in
the store) until the time asked, or for ``rate_limit_cooldown_seconds``; that answer raises
``RateLimited``, which is not retried, and so does every later call until then, in this
process and in the next ones.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import aiohttp
import anyio
import httpx
from httpx_aiohttp import AiohttpTransport

from jobping._retry import parse_retry_after
from jobping.errors import (
    Blocked,
    CircuitOpen,
    RequestTimeout,
    ResponseTooLarge,
    ScrapeError,
    StoreError,
)
from jobping.errors import TransportError as TransportFailure
from jobping.http._breaker import BreakerSignal, BreakerState, CircuitBreaker, Transition
from jobping.http._call import RETRYABLE_STATUSES
from jobping.http._payload import block_reason, read_capped
from jobping.http._policy import DomainPolicy
from jobping.http._private_hooks import CountingConnector, new_session
from jobping.http._quota import QuotaGate, quota_windows
from jobping.http._redirect import without_body
from jobping.http._registry import DomainRegistry, DomainState, domain_of
from jobping.http._stores import DomainStateStore
from jobping.http._throttle import Throttle
from jobping.redact import preview, redact_url
from jobping.store import BreakerSnapshot

__all__ = ["EXPECT_JSON", "PolicyTransport", "make_inner_transport"]

logger = logging.getLogger("jobping.http")

EXPECT_JSON = "jobping.expect_json"
"""Request extension: the caller expects JSON, so an HTML captcha page is a block."""

_SLOWS_DOWN = frozenset({429, 503})


def make_inner_transport(
    kind: Literal["aiohttp", "httpx"],
    *,
    max_connections: int,
    http2: bool = False,
    keepalive_seconds: float = 15.0,
    on_connect: Callable[[], None] = lambda: None,
) -> httpx.AsyncBaseTransport:
    """The inner transport: httpx over aiohttp's pool (fast) or httpx's own; keep-alive = max."""
    limits = httpx.Limits(
        max_connections=max_connections,
        max_keepalive_connections=max_connections,
        keepalive_expiry=keepalive_seconds,
    )
    if kind == "httpx":
        return httpx.AsyncHTTPTransport(limits=limits, http2=http2)

    transport = AiohttpTransport(limits=limits)

    def _session() -> aiohttp.ClientSession:
        connector = CountingConnector(
            on_connect,
            limit=max_connections,
            keepalive_timeout=limits.keepalive_expiry,
            ssl=transport.ssl_context,
        )
        return new_session(connector)

    transport.client = _session  # called once, inside the event loop, on the first request
    return transport


class PolicyTransport(httpx.AsyncBaseTransport):
    """Applies each domain's policy to every attempt, retries and redirects included."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        *,
        policy_for: Callable[[str], DomainPolicy],
        store: DomainStateStore | None,
        monotonic: Callable[[], float],
        now: Callable[[], datetime],
        sleep: Callable[[float], Awaitable[None]],
        quota_timezone: str = "UTC",
        quota_block: int = 16,
        max_domains: int = 1024,
        on_transition: Callable[[str, BreakerState, BreakerState], None] = lambda *_: None,
    ) -> None:
        self._inner = inner
        self._policy_for = policy_for
        self._store = store
        self._monotonic = monotonic
        self._now = now
        self._sleep = sleep
        self._tz = ZoneInfo(quota_timezone)
        self._quota_block = quota_block
        self._on_transition = on_transition
        self._snapshots: dict[str, BreakerSnapshot] = {}
        self.registry = DomainRegistry(self._new_state, max_domains)

    async def load(self) -> None:
        """Restore the breakers persisted in the store (a known-down site stays open)."""
        if self._store is not None:
            self._snapshots = await self._store.load_breakers()

    def state(self, domain: str) -> DomainState:
        """The state of ``domain`` (created on first use)."""
        return self.registry.get(domain)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Gate one attempt by the domain's policy, send it, and read its body."""
        state = self.registry.get(domain_of(request.url))
        evicted = self.registry.drain_evicted()
        if evicted:
            await self._retire(evicted)
        probe = await self._admit(state)
        sent = False
        try:
            await state.throttle.acquire()
            try:
                sent = True
                response = await self._exchange(request, state.policy)
            finally:
                state.throttle.release()
        except ScrapeError as exc:
            await self._record(state, probe, _signal_of_error(exc))
            raise
        except BaseException:  # cancelled: the probe slot is freed, an unsent unit returned
            state.breaker.cancel(probe)
            if not sent and state.quota is not None:
                state.quota.give_back()
            raise
        status = response.status_code
        await self._record(state, probe, _signal_of_status(status))
        if status in RETRYABLE_STATUSES:
            await self._heed(state, response)
        elif state.quota_429s:
            state.quota_429s = 0
        return response

    async def _admit(self, state: DomainState) -> bool:
        """Take a quota unit, then the breaker's leave (the unit goes back if refused).

        Returns whether this attempt is the breaker's half-open probe.
        """
        if state.quota is not None:
            await state.quota.take()
        try:
            probe, transition = state.breaker.admit()
        except BaseException as exc:
            if state.quota is not None:
                state.quota.give_back()
            if isinstance(exc, CircuitOpen):
                logger.debug("breaker of %s refuses the request: %s", state.domain, exc)
            raise
        if probe:
            logger.debug("breaker of %s: letting one probe request through", state.domain)
        if transition is not None:
            await self._changed(state, transition)
        return probe

    async def aclose(self) -> None:
        """Return reserved quota to the store, then close the inner transport."""
        try:
            await self._retire(self.registry.states() + self.registry.drain_evicted())
        finally:
            await self._inner.aclose()

    async def _exchange(self, request: httpx.Request, policy: DomainPolicy) -> httpx.Response:
        try:
            raw = await self._inner.handle_async_request(without_body(request))
            try:
                response = await read_capped(raw, request, policy.max_response_bytes)
            finally:
                await raw.aclose()
        except ResponseTooLarge as exc:
            raise ResponseTooLarge(str(exc), url=_url(request)) from None
        except (httpx.RequestError, aiohttp.ClientError, OSError) as exc:
            raise _transport_error(exc, _url(request)) from exc
        status = response.status_code
        expect_json = EXPECT_JSON in request.extensions
        reason = block_reason(status, response.headers, response.content, expect_json)
        if reason:
            raise Blocked(f"HTTP {status} {reason}", url=_url(request), status=status)
        return response

    async def _record(self, state: DomainState, probe: bool, signal: BreakerSignal) -> None:
        transition = state.breaker.record(signal, probe)
        if transition is not None:
            await self._changed(state, transition)

    async def _changed(self, state: DomainState, transition: Transition) -> None:
        old, new = transition
        logger.info("breaker of %s: %s -> %s", state.domain, old, new)
        self._on_transition(state.domain, old, new)
        await self._save(state)

    async def _save(self, state: DomainState) -> None:
        if self._store is None:
            return
        try:
            with anyio.CancelScope(shield=True):
                await self._store.save_breaker(state.breaker.snapshot())
        except StoreError as exc:
            logger.warning("could not save the breaker of %s: %s", state.domain, exc)

    async def _heed(self, state: DomainState, response: httpx.Response) -> None:
        """Keep what an answer worth a retry asks: a pause, or a hold (raises ``RateLimited``)."""
        status, policy = response.status_code, state.policy
        asked = parse_retry_after(response.headers, self._now())
        if asked is None:
            state.quota_429s = state.quota_429s + 1 if status == 429 else 0
            if state.quota_429s >= policy.rate_limit_after_429s:
                count, state.quota_429s = state.quota_429s, 0
                await self._hold(state, status, policy.rate_limit_cooldown_seconds, count)
            return
        state.quota_429s = 0
        if asked > policy.retry_max_wait_seconds:
            await self._hold(state, status, asked, 0)
        if status in _SLOWS_DOWN:
            logger.debug(
                "%s answered %d with Retry-After: pausing the domain %.1fs",
                state.domain,
                status,
                asked,
            )
            state.throttle.pause_until(self._monotonic() + asked)

    async def _hold(self, state: DomainState, status: int, seconds: float, quota_429s: int) -> None:
        """Hold the domain for ``seconds`` as its answer asked, saved; raise ``RateLimited``."""
        breaker, held = state.breaker, state.breaker.retry_at
        transition = breaker.limit(self._now() + timedelta(seconds=seconds), seconds, quota_429s)
        refusal = breaker.refusal(status)
        if transition is not None or breaker.retry_at != held:
            logger.warning("%s", refusal)
            if transition is not None:
                self._on_transition(state.domain, *transition)
            await self._save(state)
        raise refusal

    def _new_state(self, domain: str) -> DomainState:
        policy = self._policy_for(domain)
        breaker = CircuitBreaker(
            domain,
            threshold=policy.breaker_failure_threshold,
            cooldown_seconds=policy.breaker_cooldown_seconds,
            max_cooldown_seconds=policy.breaker_max_cooldown_seconds,
            clock=self._now,
            snapshot=self._snapshots.pop(domain, None),
        )
        throttle = Throttle(
            min_interval=policy.min_interval_seconds,
            max_concurrency=policy.max_concurrency,
            monotonic=self._monotonic,
            sleep=self._sleep,
        )
        return DomainState(domain, policy, breaker, throttle, self._new_quota(domain, policy))

    def _new_quota(self, domain: str, policy: DomainPolicy) -> QuotaGate | None:
        if not quota_windows(policy, self._now(), self._tz):
            return None
        if self._store is None:
            raise ScrapeError(f"{domain} has a request quota, which needs a store; none was given")
        return QuotaGate(
            domain, policy, self._store, tz=self._tz, now=self._now, block=self._quota_block
        )

    async def _retire(self, states: list[DomainState]) -> None:
        for state in states:
            if state.breaker.state is not BreakerState.CLOSED:
                self._snapshots[state.domain] = state.breaker.snapshot()
            if state.quota is not None:
                with anyio.CancelScope(shield=True):
                    await state.quota.close()


def _url(request: httpx.Request) -> str:
    return redact_url(str(request.url))


def _transport_error(exc: Exception, url: str) -> TransportFailure:
    """Translate an inner transport's error; aiohttp's resets arrive as httpx timeouts."""
    cause = exc.__cause__ or exc
    timed_out = isinstance(cause, TimeoutError) or (
        isinstance(exc, httpx.TimeoutException) and not isinstance(cause, aiohttp.ClientError)
    )
    kind = type(cause).__name__
    if timed_out:
        return RequestTimeout(f"timed out ({kind})", url=url)
    return TransportFailure(f"connection failed ({kind}: {_short(cause)})", url=url)


def _short(exc: BaseException) -> str:
    return preview(str(exc), 200) or "no detail"


def _signal_of_error(exc: ScrapeError) -> BreakerSignal:
    return BreakerSignal.SUCCESS if isinstance(exc, ResponseTooLarge) else BreakerSignal.FAILURE


def _signal_of_status(status: int) -> BreakerSignal:
    if status == 429:
        return BreakerSignal.THROTTLED
    if status >= 500 or status == 408:
        return BreakerSignal.FAILURE
    return BreakerSignal.SUCCESS
