"""Every place JobPing reaches into aiohttp's or httpx's private internals, in one module.

Three hooks, none with a public equivalent:

- ``ClientSession._retry_connection``: aiohttp silently resends an idempotent request once
  when a pooled connection fails; that second request would bypass the quota and the breaker.
- ``TCPConnector._create_connection``: overridden to count the TCP connections the pool
  opens (cheaper than a ``TraceConfig`` on every request).
- ``AsyncClient.cookies``: httpx hands every response to ``self.cookies.extract_cookies``,
  which adapts it for ``http.cookiejar`` (about 20 µs, as much as the whole policy stack);
  a response without ``Set-Cookie`` gives the jar nothing, so it is not adapted at all.

:func:`missing_hooks` names each hook an upgrade removed; a test runs it, so an upgrade
fails loudly instead of silently resending, miscounting or dropping cookies.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import aiohttp
import httpx

__all__ = ["CountingConnector", "PooledClient", "missing_hooks", "new_session"]


def _in_source(function: Any, text: str) -> Callable[[], bool]:
    return lambda: text in inspect.getsource(function)


#: Each hook, as the attribute it relies on and a check that the installed version has it.
HOOKS: dict[str, Callable[[], bool]] = {
    "aiohttp.ClientSession._retry_connection (settable)": lambda: (
        "_retry_connection" in aiohttp.ClientSession.ATTRS
    ),
    "aiohttp.ClientSession._request reads self._retry_connection": _in_source(
        aiohttp.ClientSession._request, "self._retry_connection"
    ),
    "aiohttp.BaseConnector.connect calls self._create_connection": _in_source(
        aiohttp.BaseConnector.connect, "self._create_connection("
    ),
    "aiohttp.TCPConnector._create_connection": lambda: callable(
        getattr(aiohttp.TCPConnector, "_create_connection", None)
    ),
    "httpx.AsyncClient._send_single_request calls self.cookies.extract_cookies": _in_source(
        httpx.AsyncClient._send_single_request, "self.cookies.extract_cookies(response)"
    ),
}


def missing_hooks() -> list[str]:
    """The private attributes this module relies on that the installed versions lack."""
    return [name for name, present in HOOKS.items() if not present()]


def new_session(connector: aiohttp.BaseConnector) -> aiohttp.ClientSession:
    """An aiohttp session on ``connector`` that never resends a request on its own."""
    session = aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar())
    session._retry_connection = False
    return session


class CountingConnector(aiohttp.TCPConnector):
    """aiohttp's pool, calling ``on_connect`` for each TCP connection it opens."""

    def __init__(self, on_connect: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_connect = on_connect

    async def _create_connection(self, *args: Any, **kwargs: Any) -> Any:
        protocol = await super()._create_connection(*args, **kwargs)
        self._on_connect()
        return protocol


class _Cookies(httpx.Cookies):
    """httpx's cookie store, skipping the responses that carry no ``Set-Cookie`` header."""

    def extract_cookies(self, response: httpx.Response) -> None:
        """Store the cookies ``response`` sets, if it sets any."""
        headers = response.headers
        if "set-cookie" in headers or "set-cookie2" in headers:
            super().extract_cookies(response)


class PooledClient(httpx.AsyncClient):
    """An ``httpx.AsyncClient`` whose cookie store skips responses without cookies."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._cookie_store = _Cookies(super().cookies)

    @property
    def cookies(self) -> httpx.Cookies:
        """The cookies sent with every request, updated from responses that set some."""
        return self._cookie_store

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        self._cookie_store = _Cookies(cookies)
