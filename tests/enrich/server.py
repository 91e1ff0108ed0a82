"""The sandbox's OpenAI endpoint with fault switches, for the enrichment tests.

Valid answers come from the sandbox's own ``ChatCompletions`` (an enrichment read from the
job, and a realistic ``usage`` up to the worst case the budget reserves: prompt tokens
within the reservation's margin of our own count, cached tokens, completion tokens up to
``max_completion_tokens`` with reasoning tokens inside them). Every answer's usage is
recorded, so a test can add up what the server billed.

Faults, for the next requests (``fail_next``) or for every request (``always``):
``rate_limit`` (429 with ``Retry-After``, or the ``rate_limit_headers`` a test sets),
``no_credit`` (429 ``insufficient_quota``), ``unauthorized`` (401 quoting the key, as OpenAI
does), ``server_error`` (500),
``timeout`` (no answer until the test ends), ``slow`` (the answer is made and billed, then
held back until the test ends), ``reset`` (billed, then the connection is closed halfway
through the answer), ``invalid`` (an answer off the schema),
``no_usage`` (a valid answer without ``usage``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections import deque
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web

from jobping.budget import PriceTable
from jobping.sandbox import ChatCompletions, ChatUsage
from jobping.sandbox._openai import CHAT_PATH, openai_error

__all__ = ["FakeOpenAI", "Served", "serve_openai"]

Served = ChatUsage
"""The usage of one answer the server gave."""
FAULTS = frozenset(
    {
        "rate_limit",
        "no_credit",
        "unauthorized",
        "server_error",
        "timeout",
        "slow",
        "reset",
        "invalid",
        "no_usage",
    }
)
_INVALID = '{"summary": "no schema here"}'


class FakeOpenAI:
    """State and handler of the server; use :func:`serve_openai` to run one."""

    def __init__(self, *, seed: int = 0) -> None:
        self.port = 0
        self.chat = ChatCompletions(seed=seed)
        self.served: list[Served] = []
        self.requests: list[dict[str, Any]] = []
        self.faults: deque[str] = deque()
        self.always: str | None = None
        self.released = asyncio.Event()
        self.prompt_factor = 1
        """Report this many times our own count of the prompt (a server that over-reports)."""
        self.rate_limit_headers: dict[str, str] = {"Retry-After": "2"}
        """The headers of a ``rate_limit`` answer (say how long to wait)."""

    @property
    def base_url(self) -> str:
        """The ``base_url`` to give the SDK."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def models(self) -> list[str]:
        """The model of each request received, in order."""
        return [request["model"] for request in self.requests]

    def billed(self, prices: PriceTable) -> tuple[int, int]:
        """Tokens (prompt + completion) and µUSD of every answer given, at ``prices``."""
        tokens = sum(s.prompt_tokens + s.completion_tokens for s in self.served)
        micro_usd = sum(
            prices.price(s.model).cost_micro_usd(
                s.prompt_tokens,
                s.cached_tokens,
                s.completion_tokens,
                reasoning_tokens=s.reasoning_tokens,
            )
            for s in self.served
        )
        return tokens, micro_usd

    def fail_next(self, faults: Iterable[str]) -> None:
        """Answer the next requests with these faults, in order."""
        faults = list(faults)
        assert set(faults) <= FAULTS, faults
        self.faults.extend(faults)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Serve one chat completion (or the fault whose turn it is)."""
        body = await request.json()
        self.requests.append(body)
        fault = self.faults.popleft() if self.faults else self.always
        if fault == "timeout":
            await self.released.wait()
        if fault in {"rate_limit", "no_credit", "unauthorized", "server_error"}:
            authorization = request.headers.get("Authorization", "")
            return _error(fault, authorization, self.rate_limit_headers)
        completion = self.chat.complete(body)
        if self.prompt_factor != 1:
            usage = completion.usage
            reported = usage.counted_prompt_tokens * self.prompt_factor
            usage = dataclasses.replace(usage, prompt_tokens=reported, cached_tokens=0)
            completion = dataclasses.replace(completion, usage=usage)
            completion.body["usage"] = usage.to_dict()
        answer = completion.body
        if fault == "invalid":
            answer["choices"][0]["message"]["content"] = _INVALID
        if fault == "no_usage":
            del answer["usage"]
        else:
            self.served.append(completion.usage)
        if fault == "slow":
            await self.released.wait()
        if fault == "reset":
            return await _reset(request, json.dumps(answer).encode())
        return web.json_response(answer)


async def _reset(request: web.Request, body: bytes) -> web.StreamResponse:
    """Send the headers and half the body, then close the connection."""
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    response.content_length = len(body)
    await response.prepare(request)
    await response.write(body[: len(body) // 2])
    assert request.transport is not None
    request.transport.close()
    return response


def _error(fault: str, authorization: str, rate_limit_headers: dict[str, str]) -> web.Response:
    """The error OpenAI answers for ``fault`` (its status, type and code)."""
    key = authorization.removeprefix("Bearer ")
    if fault == "rate_limit":
        headers = rate_limit_headers
        return openai_error(
            429, "Rate limit reached", "requests", code="rate_limit_exceeded", headers=headers
        )
    if fault == "no_credit":
        quota = "insufficient_quota"
        return openai_error(429, "You exceeded your quota", quota, code=quota)
    if fault == "unauthorized":
        message = f"Incorrect API key provided: {key}"
        return openai_error(401, message, "invalid_request_error", code="invalid_api_key")
    return openai_error(500, "The server had an error", "server_error")


@asynccontextmanager
async def serve_openai(*, seed: int = 0) -> AsyncIterator[FakeOpenAI]:
    """Run a :class:`FakeOpenAI` on 127.0.0.1 for the duration of the block."""
    server = FakeOpenAI(seed=seed)
    app = web.Application()
    app.router.add_post(CHAT_PATH, server.handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server.port = runner.addresses[0][1]
    try:
        yield server
    finally:
        server.released.set()
        await runner.cleanup()
