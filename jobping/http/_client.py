"""ScrapeClient: the one pooled HTTP client through which every scraper reaches the network."""

from __future__ import annotations

import random as _random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Self, TypeVar

import anyio
import httpx

from jobping._retry import retrying, stop_at_deadline, stop_when, wait_retry_after
from jobping._version import __version__
from jobping.errors import JobPingError, RequestTimeout, ScrapeError
from jobping.http._breaker import BreakerState
from jobping.http._call import Call, CallEnv, is_retryable
from jobping.http._conditional import (
    CONDITIONAL,
    BodyAs,
    Revalidated,
    Validators,
    conditional_headers,
    validators_of,
)
from jobping.http._events import RequestHook
from jobping.http._payload import JsonBody, decode_json, json_body
from jobping.http._policy import DomainPolicies, DomainPolicy
from jobping.http._private_hooks import PooledClient
from jobping.http._registry import DomainState, domain_of
from jobping.http._stats import StatsHook
from jobping.http._stores import DomainStateStore
from jobping.http._transport import EXPECT_JSON, PolicyTransport, make_inner_transport
from jobping.redact import redact_url

if TYPE_CHECKING:
    from jobping.settings import Settings

__all__ = ["DEFAULT_USER_AGENT", "ScrapeClient"]

DEFAULT_USER_AGENT = f"JobPing/{__version__} (+https://github.com/jobping/jobping)"
T = TypeVar("T")
Params = Mapping[str, str | int | float | bool | None]
_JSON_REQUEST: Mapping[str, Any] = {EXPECT_JSON: True}  # get_json's request extensions


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ScrapeClient:
    """One shared ``httpx.AsyncClient`` with per-domain quotas, throttles, breakers and retries.

    Use it as ``async with ScrapeClient(store=store) as client: await client.get_json(url)``.
    ``transport`` is ``"aiohttp"`` (httpx over aiohttp's pool, the fast default), ``"httpx"``
    (httpx's own pool, which respx can mock) or any ``httpx.AsyncBaseTransport``. ``monotonic``
    (seconds), ``now`` (aware wall time), ``sleep`` and ``random`` are injectable so
    tests never wait for real. ``store`` keeps quotas and breaker states; without one, a
    domain with a quota cannot be requested and breakers are not persisted.
    """

    def __init__(
        self,
        *,
        store: DomainStateStore | None = None,
        policy: DomainPolicy | Callable[[str], DomainPolicy] | None = None,
        transport: Literal["aiohttp", "httpx"] | httpx.AsyncBaseTransport = "aiohttp",
        max_connections: int = 100,
        http2: bool = False,
        connect_timeout_seconds: float = 10.0,
        read_timeout_seconds: float = 30.0,
        write_timeout_seconds: float | None = None,
        pool_timeout_seconds: float | None = None,
        keepalive_seconds: float = 15.0,
        user_agent: str = DEFAULT_USER_AGENT,
        quota_timezone: str = "UTC",
        quota_block: int = 16,
        max_domains: int = 1024,
        hooks: Sequence[RequestHook] = (),
        monotonic: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = _utcnow,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
        random: Callable[[], float] = _random.random,
    ) -> None:
        fixed = policy if isinstance(policy, DomainPolicy) else DomainPolicy()
        policy_for = policy if callable(policy) else (lambda _domain: fixed)
        self.stats = StatsHook(max_domains)
        self.connections_opened = 0
        self._monotonic, self._sleep, self._random = monotonic, sleep, random
        self._transport = PolicyTransport(
            self._inner(transport, max_connections, http2, keepalive_seconds),
            policy_for=policy_for,
            store=store,
            monotonic=monotonic,
            now=now,
            sleep=sleep,
            quota_timezone=quota_timezone,
            quota_block=quota_block,
            max_domains=max_domains,
            on_transition=self.stats.transition,
        )
        timeout = httpx.Timeout(
            connect=connect_timeout_seconds,
            read=read_timeout_seconds,
            write=write_timeout_seconds or read_timeout_seconds,
            pool=pool_timeout_seconds or connect_timeout_seconds,
        )
        # JSON is the default Accept: get_json, the hot path, then has no headers to merge.
        self._http = PooledClient(
            transport=self._transport,
            timeout=timeout,
            headers={"User-Agent": user_agent, "Accept": "application/json"},
            follow_redirects=True,
        )
        self._env = CallEnv(self._http, self.stats, tuple(hooks), monotonic, now)
        self._open = False

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        store: DomainStateStore | None,
        *,
        hooks: Sequence[RequestHook] = (),
        transport: httpx.AsyncBaseTransport | None = None,
        policies: DomainPolicies | None = None,
    ) -> ScrapeClient:
        """A client configured by ``settings`` (per-domain policies, pool, timeouts, UA).

        ``policies`` are the settings' own, when the caller resolved them already.

        Raises:
            ConfigError: ``http_defaults`` or ``http_domains`` hold a bad value.
        """
        return cls(
            store=store,
            policy=policies or DomainPolicies.from_settings(settings),
            transport=transport or settings.http_transport,
            max_connections=settings.http_max_connections,
            http2=settings.http_http2,
            connect_timeout_seconds=settings.http_connect_timeout_seconds,
            read_timeout_seconds=settings.http_read_timeout_seconds,
            user_agent=settings.http_user_agent,
            quota_timezone=settings.quota_timezone,
            hooks=hooks,
        )

    async def __aenter__(self) -> Self:
        await self._transport.load()
        await self._http.__aenter__()
        self._open = True
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Return reserved quota and close every connection; idempotent."""
        self._open = False
        with anyio.CancelScope(shield=True):
            await self._http.aclose()

    async def get_json(
        self, url: str, *, params: Params | None = None, headers: Mapping[str, str] | None = None
    ) -> Any:
        """GET ``url`` and decode its JSON body (retried, gated and timed by the policy)."""
        return await self._call(url, params, headers, _parse_json, _JSON_REQUEST)

    async def get_json_body(
        self, url: str, *, params: Params | None = None, headers: Mapping[str, str] | None = None
    ) -> JsonBody:
        """``get_json``, the body left undecoded: a ``JsonBody`` (see ``json_body``).

        For a parse worker, which decodes the page where it parses it. HTML raises here the
        error ``get_json`` raises; what only decoding finds is found there (invalid JSON,
        invalid UTF-8 bytes to count).
        """
        return await self._call(url, params, headers, _parse_json_body, _JSON_REQUEST)

    async def post_json(
        self,
        url: str,
        *,
        json: Any,
        params: Params | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """POST ``json`` to ``url`` and decode the JSON answer, under the same policy as a GET.

        For search APIs that read through a POST (Workday): it is retried like a GET, so it
        must not be used for a request that changes anything.
        """
        return await self._call(url, params, headers, _parse_json, _JSON_REQUEST, json=json)

    async def get_text(
        self, url: str, *, params: Params | None = None, headers: Mapping[str, str] | None = None
    ) -> str:
        """GET ``url`` and return its body as text (retried, gated and timed by the policy)."""
        headers = {"Accept": "*/*", **(headers or {})}
        return await self._call(url, params, headers, _parse_text, None)

    async def get_if_changed(
        self,
        url: str,
        *,
        params: Params | None = None,
        headers: Mapping[str, str] | None = None,
        previous: tuple[str, Validators] | None = None,
        body_as: BodyAs = "json",
    ) -> Revalidated:
        """GET ``url`` conditionally: a 304, or a body whose hash is known, is not decoded.

        ``previous`` is the redacted URL of an earlier answer and its validators: they are
        sent (``If-None-Match``, ``If-Modified-Since``) and its body hash compared only when
        this request has that URL. A changed body comes back ``body_as``: decoded JSON, text,
        or ``raw`` (JSON left undecoded, as ``get_json_body`` leaves it).
        A 304 is an attempt like any other: it counts in the quota and the stats.
        """
        if not self._open:
            raise RuntimeError("ScrapeClient is not open: use `async with ScrapeClient(...)`")
        base = self._build(url, params, headers, None).url  # only to compare the URL
        redacted = redact_url(str(base))
        known = previous[1] if previous is not None and previous[0] == redacted else Validators()
        text = body_as == "text"
        extra = {"Accept": "*/*"} if text else {}
        sent = {**extra, **(headers or {}), **conditional_headers(known)}
        extensions = {CONDITIONAL: True} if text else {CONDITIONAL: True, **_JSON_REQUEST}
        parse_body = _BODY_PARSERS[body_as]

        def parse(response: httpx.Response, call: Call) -> Revalidated:
            if response.status_code == 304:
                return Revalidated("not_modified", redacted, known)
            validators = validators_of(response.headers, response.content)
            if known.body_hash is not None and validators.body_hash == known.body_hash:
                return Revalidated("unchanged", redacted, validators)
            return Revalidated("changed", redacted, validators, parse_body(response, call))

        return await self._call(url, params, sent, parse, extensions)

    def breaker_state(self, domain: str) -> BreakerState:
        """The state of ``domain``'s breaker (closed if the client has not met the domain)."""
        state = self._transport.registry.peek(domain)
        return state.breaker.state if state else BreakerState.CLOSED

    async def stats_report(self) -> dict[str, Any]:
        """Per-domain and total stats as plain data, with quota used/left from the store."""
        for state in self._transport.registry.states():
            if state.quota is not None:
                usage = await state.quota.used()
                stats = self.stats.for_domain(state.domain)
                stats.quota_used = {name: used for name, (used, _) in usage.items()}
                stats.quota_left = {name: max(0, lim - used) for name, (used, lim) in usage.items()}
        self.stats.total.connections_opened = self.connections_opened
        return self.stats.to_dict()

    def __repr__(self) -> str:
        status = "open" if self._open else "closed"
        return f"<ScrapeClient {status} {self._transport.registry!r}>"

    async def _call(
        self,
        url: str,
        params: Params | None,
        headers: Mapping[str, str] | None,
        parse: Callable[[httpx.Response, Call], T],
        extensions: Mapping[str, Any] | None,
        *,
        json: Any = None,
    ) -> T:
        if not self._open:
            raise RuntimeError("ScrapeClient is not open: use `async with ScrapeClient(...)`")
        request = self._build(url, params, headers, extensions, json)
        domain = domain_of(request.url)
        state = self._transport.state(domain)
        call = Call(request, domain, parse, state.breaker, self._env)
        deadline = state.policy.request_deadline_seconds
        try:
            # A bare cancel scope: anyio.fail_after costs twice as much on this hot path.
            with anyio.CancelScope(deadline=anyio.current_time() + deadline) as scope:
                result: T = await self._attempts(call, state, self._monotonic() + deadline)
            if scope.cancelled_caught:
                raise TimeoutError
        except TimeoutError:
            call.outcome, call.error = "timeout", "RequestTimeout"
            call.emit(None)
            raise RequestTimeout(
                f"no answer within the {deadline:g}s deadline", url=call.url()
            ) from None
        except BaseException:
            call.emit(None)
            raise
        call.emit(None)
        return result

    async def _attempts(self, call: Call, state: DomainState, deadline: float) -> Any:
        """Run the attempts of one call; ``deadline`` is on ``monotonic``.

        The first attempt runs bare: a fresh ``AsyncRetrying`` is built only once it failed
        in a way worth retrying, and replays that failure as its own first attempt.
        """
        try:
            return await call.attempt()
        except JobPingError as exc:
            if not is_retryable(exc):
                raise
            first: JobPingError | None = exc
        policy = state.policy
        breaker_opened = stop_when(lambda: state.breaker.is_open)
        controller = retrying(
            attempts=policy.retry_attempts,
            wait=wait_retry_after(
                lambda _error: call.retry_after,
                base=policy.retry_backoff_seconds,
                cap=policy.retry_max_wait_seconds,
                random=self._random,
            ),
            retry=is_retryable,
            sleep=self._sleep,
            stop=stop_at_deadline(deadline, self._monotonic) | breaker_opened,
            before_sleep=call.before_sleep,
        )

        async def attempt() -> Any:
            nonlocal first
            if first is not None:
                failed, first = first, None
                raise failed
            return await call.attempt()

        return await controller(attempt)

    def _build(
        self,
        url: str,
        params: Params | None,
        headers: Mapping[str, str] | None,
        extensions: Mapping[str, Any] | None,
        json: Any = None,
    ) -> httpx.Request:
        method = "GET" if json is None else "POST"  # a JSON body is only ever POSTed
        try:
            request = self._http.build_request(
                method, url, params=params, headers=headers, json=json, extensions=extensions
            )
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            raise ScrapeError(
                f"invalid request: {type(exc).__name__}", url=redact_url(url)
            ) from None
        if request.url.scheme not in ("http", "https") or not request.url.host:
            raise ScrapeError("not an absolute http(s) URL", url=redact_url(url))
        return request

    def _inner(
        self,
        transport: Literal["aiohttp", "httpx"] | httpx.AsyncBaseTransport,
        max_connections: int,
        http2: bool,
        keepalive_seconds: float,
    ) -> httpx.AsyncBaseTransport:
        if isinstance(transport, httpx.AsyncBaseTransport):
            return transport
        if transport not in ("aiohttp", "httpx"):
            raise ValueError(
                f"transport must be 'aiohttp', 'httpx' or a transport, not {transport!r}"
            )
        return make_inner_transport(
            transport,
            max_connections=max_connections,
            http2=http2,
            keepalive_seconds=keepalive_seconds,
            on_connect=self._connected,
        )

    def _connected(self) -> None:
        self.connections_opened += 1


def _parse_json(response: httpx.Response, call: Call) -> Any:
    return decode_json(
        response.status_code,
        response.headers,
        response.content,
        url=call.url,
        secrets=call.secrets,
        on_replaced=call.replaced_bytes,
    )


def _parse_json_body(response: httpx.Response, call: Call) -> JsonBody:
    return json_body(
        response.status_code, response.headers, response.content, url=call.url, secrets=call.secrets
    )


def _parse_text(response: httpx.Response, _call: Call) -> str:
    return response.text


_BODY_PARSERS: dict[BodyAs, Callable[[httpx.Response, Call], Any]] = {
    "json": _parse_json,
    "text": _parse_text,
    "raw": _parse_json_body,
}
