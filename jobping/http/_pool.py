"""The one ``httpx.AsyncClient`` of a ScrapeClient, with a cookie store that costs nothing idle.

httpx hands every response to ``http.cookiejar`` through urllib adapters built for the
occasion: about 20 µs a response, as much as the whole policy stack costs. A response
that sets no cookie gives the jar nothing to store, so it is not adapted at all; one that
does goes through httpx's code unchanged, and cookies persist across requests as in httpx.
"""

from __future__ import annotations

from typing import Any

import httpx

__all__ = ["PooledClient"]


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
